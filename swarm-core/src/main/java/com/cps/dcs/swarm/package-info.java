/**
 * The one implementation of {@code AccountingSwarmProtocol} (and, in {@code query}, of {@code QueryProtocol}) that
 * every tier serves. A tier plugs in adapters for the ports of this package; none implements the generated base
 * classes itself.
 */
package com.cps.dcs.swarm;
