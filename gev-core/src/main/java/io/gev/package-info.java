/**
 * gev's public API: {@link io.gev.Server}, {@link io.gev.Handler} and {@link io.gev.Connection}.
 *
 * <p>A server runs a few event loops, each a single thread owning many connections. Handlers run
 * on those threads and must not block; everything a handler gets (connection, payload view) is
 * documented with the thread it may be used on and how long it stays valid.
 */
package io.gev;
