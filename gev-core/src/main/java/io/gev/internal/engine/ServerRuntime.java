package io.gev.internal.engine;

import io.gev.Handler;
import io.gev.ServerOptions;
import io.gev.ServerStartException;
import io.gev.ServerStats;
import io.gev.loop.EventLoop;
import io.gev.loop.Transport;
import io.gev.protocol.Protocol;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * The running side of a {@link io.gev.Server}: what {@code Server} asks of the engine behind it.
 * {@link #create} is the one way into this package from the API. Thread-safe.
 */
public interface ServerRuntime {

    /**
     * An engine, not started, for a server with {@code options} (already checked against each
     * other), whose connections {@code handler} serves with {@code protocol}; {@code Server.builder}
     * paired them, so the handler takes what the protocol decodes. It runs on the threads of
     * {@code loops}, shared with other servers, or on its own when {@code null}.
     */
    static ServerRuntime create(ServerOptions options, Handler<?> handler, Protocol<?> protocol, LoopGroup loops) {
        return new ServerEngine(options, handler, protocol, loops);
    }

    /**
     * Binds and starts the loops.
     *
     * @throws ServerStartException when binding or starting fails
     * @throws IllegalStateException when called twice
     */
    void start();

    /** Stops gracefully within {@code grace}; returns when every thread is gone. Idempotent. */
    void stop(Duration grace);

    boolean isRunning();

    /** Whether {@link #start()} was called: an engine runs once, a restart needs a new one. */
    boolean hasRun();

    /** The bound address; {@link IllegalStateException} before binding. */
    InetSocketAddress localAddress();

    /** The transport in use, {@link Transport#AUTO} resolved once started. */
    Transport transport();

    /** The worker loops in index order; empty before start. */
    List<EventLoop> loops();

    /** The loop that runs the server's timers; {@link IllegalStateException} unless running. */
    EventLoop timerLoop();

    ServerStats stats();

    /** The protocol the server frames its connections with. */
    Protocol<?> protocol();
}
