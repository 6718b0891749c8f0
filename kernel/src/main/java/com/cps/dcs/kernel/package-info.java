/**
 * The shared kernel of CP'S Enterprise DCS: plain Java with no framework, used by every agent and service.
 *
 * <p>Time always comes from an injected {@link java.time.InstantSource}; nothing here reads the wall clock by itself,
 * opens a socket or touches a database. The only I/O is reading and creating local key files.
 */
package com.cps.dcs.kernel;
