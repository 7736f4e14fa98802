package io.gev;

import io.gev.internal.engine.ServerRuntime;
import io.gev.protocol.Protocol;

/**
 * What the test fixtures outside this package reach inside a {@link Server}: its engine, which the
 * embedded loop ({@code io.gev.internal.engine.EmbeddedLoop}) runs without sockets or threads, and its
 * protocol, which benchmarks drive directly. Test code only.
 */
public final class ServerInternals {

    private ServerInternals() {
    }

    /** The engine of {@code server}, made from its options, handler and protocol. */
    public static ServerRuntime engine(Server server) {
        return server.engine();
    }

    /** The protocol of {@code server}: the one its builder was given, or raw; typed as the caller knows it is. */
    @SuppressWarnings("unchecked")
    public static <T> Protocol<T> protocol(Server server) {
        return (Protocol<T>) server.engine().protocol();
    }
}
