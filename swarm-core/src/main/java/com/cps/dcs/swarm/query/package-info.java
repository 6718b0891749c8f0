/**
 * {@code QueryProtocol} for every tier: {@link com.cps.dcs.swarm.query.QueryProtocolService} over the port
 * {@link com.cps.dcs.swarm.query.ReadModel}, which a local agent adapts to its branch's store and the query service to
 * its projections.
 */
package com.cps.dcs.swarm.query;
