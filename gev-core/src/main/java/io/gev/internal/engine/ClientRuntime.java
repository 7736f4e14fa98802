package io.gev.internal.engine;

import io.gev.ClientOptions;
import io.gev.Connection;
import io.gev.Handler;
import io.gev.ServerOptions;
import io.gev.ServerStats;
import io.gev.loop.EventLoop;
import io.gev.loop.Transport;
import io.gev.protocol.Protocol;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The running side of a {@link io.gev.Client}: what {@code Client} asks of the engine behind it.
 * {@link #create} is the one way into it from the API. Thread-safe.
 */
public interface ClientRuntime {

    /**
     * An engine, not started, for a client with {@code options}, whose connections have the
     * settings of {@code connection} and are served by {@code handler} with {@code protocol}, on
     * the threads of {@code loops} (shared) or, when {@code null}, of its own.
     */
    static ClientRuntime create(ClientOptions options, ServerOptions connection, Handler<?> handler,
            Protocol<?> protocol, LoopGroup loops) {
        return new ClientEngine(options, connection, handler, protocol, loops);
    }

    /** Starts the loops; {@link io.gev.ServerStartException} when the transport is missing. */
    void start();

    /** Fails pending attempts and stops gracefully within {@code grace}; idempotent. */
    void stop(Duration grace);

    boolean isRunning();

    /** Whether {@link #start()} was called: an engine runs once. */
    boolean hasRun();

    /**
     * Connects to {@code address}, an {@code InetSocketAddress} (resolved off the loops when
     * unresolved) or a {@code UnixDomainSocketAddress}; see {@link io.gev.Client#connect}.
     */
    CompletableFuture<Connection> connect(SocketAddress address, Map<String, ?> attributes);

    Transport transport();

    List<EventLoop> loops();

    ServerStats stats();
}
