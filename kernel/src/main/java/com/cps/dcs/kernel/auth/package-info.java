/**
 * Who calls: the tenant's signed bearer tokens (docs/security.md, "Callers and roles").
 *
 * <p>A token names a tenant, a subject, {@link com.cps.dcs.kernel.auth.Role roles} and a
 * {@link com.cps.dcs.kernel.auth.TokenScope scope}, with an issue time, an expiry and a unique id, and is signed with
 * the tenant's token key (ECDSA P-256, {@link com.cps.dcs.kernel.auth.TokenKeys}). Any service of the tenant, an
 * offline branch included, verifies it with the public key alone ({@link com.cps.dcs.kernel.auth.TokenVerifier}): no
 * network, time from an injected clock, revoked ids from a {@link com.cps.dcs.kernel.auth.RevocationSet}. Plain Java:
 * the gRPC side (the interceptor, the table of roles per RPC) lives in service-support.
 */
package com.cps.dcs.kernel.auth;
