package io.gev;

import io.gev.internal.ServerEngine;

/**
 * What the test fixtures outside this package reach inside a {@link Server}: its engine, which the
 * embedded loop ({@code io.gev.internal.EmbeddedLoop}) runs without sockets or threads. Test code
 * only.
 */
public final class ServerInternals {

    private ServerInternals() {
    }

    /** The engine of {@code server}, made from its options, handler and protocol. */
    public static ServerEngine engine(Server server) {
        return server.engine();
    }
}
