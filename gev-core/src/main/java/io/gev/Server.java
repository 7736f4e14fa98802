package io.gev;

import io.gev.internal.engine.ServerRuntime;
import io.gev.loop.EventLoop;
import io.gev.loop.Timer;
import io.gev.loop.Transport;
import io.gev.protocol.Protocol;
import io.gev.protocol.RawProtocol;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A reactor TCP server: one listener and N event loops, each a single thread with its own epoll
 * (or selector) that owns many connections.
 *
 * <pre>{@code
 * Server server = Server.builder((conn, ctx, payload) -> payload) // echo
 *         .port(1833)
 *         .loops(4)
 *         .build();
 * server.start();
 * }</pre>
 *
 * <p>Its options ({@link ServerOptions}: port, loops, limits, TLS...) are set on the builder, which
 * can also start from options made beforehand ({@link Builder#options(ServerOptions)}), and read
 * back with {@link #options()}. A server starts once and stops once. Its methods are thread-safe.
 */
public final class Server implements AutoCloseable {

    private final ServerOptions options;
    private final ServerRuntime engine;

    private Server(ServerOptions options, Handler<?> handler, Protocol<?> protocol) {
        this.options = options;
        this.engine = ServerRuntime.create(options, handler, protocol);
    }

    /**
     * Starts building a server without framing ({@link RawProtocol}): {@code handler} gets the
     * bytes of each read as a {@link java.nio.ByteBuffer} view, valid until it returns.
     */
    public static Builder builder(Handler<? super ByteBuffer> handler) {
        return new Builder(RawProtocol.INSTANCE, handler);
    }

    /**
     * Starts building a server whose connections {@code protocol} frames and {@code handler}
     * serves: the handler takes what the protocol decodes, or a supertype of it
     * ({@code Server.builder(lineProtocol, (connection, context, line) -> line)}). One protocol
     * instance serves every connection and loop.
     */
    public static <M> Builder builder(Protocol<M> protocol, Handler<? super M> handler) {
        return new Builder(protocol, handler);
    }

    /** The options the server was built with. */
    public ServerOptions options() {
        return options;
    }

    /**
     * Binds the port and starts the loops; returns once connections are being accepted.
     *
     * @throws ServerStartException when the address cannot be bound (its cause tells why, a
     *         {@link java.net.BindException} when the port is in use) or the transport is missing
     * @throws IllegalStateException when called twice
     */
    public void start() {
        engine.start();
    }

    /**
     * Stops the server: stops accepting, stops reading, lets connections write what they have
     * queued for at most {@code grace}, then closes every connection (each gets exactly one
     * {@link Handler#onClose}), stops the loop threads, waits for them and releases the port.
     * Returns when all of that is done. Calling it again does nothing.
     */
    public void stop(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative: " + grace);
        }
        engine.stop(grace);
    }

    /** {@link #stop(Duration) Stops} with {@link ServerOptions#shutdownTimeout()}. */
    @Override
    public void close() {
        engine.stop(options.shutdownTimeout());
    }

    /** {@code true} between a successful {@link #start()} and {@link #stop}. */
    public boolean isRunning() {
        return engine.isRunning();
    }

    /** The bound address, whose port is the real one when port 0 was asked for. */
    public InetSocketAddress localAddress() {
        return engine.localAddress();
    }

    /** The bound port. */
    public int port() {
        return localAddress().getPort();
    }

    /** The server's name, used in thread names, logs and metrics tags. */
    public String name() {
        return options.name();
    }

    /** The transport in use ({@link Transport#AUTO} resolved). */
    public Transport transport() {
        return engine.transport();
    }

    /** The worker loops, in index order. Available after {@link #start()}. */
    public List<EventLoop> loops() {
        return engine.loops();
    }

    /** Counters since start. */
    public ServerStats stats() {
        return engine.stats();
    }

    /** Runs {@code task} once after {@code delay} on the first loop. */
    public Timer runAfter(Duration delay, Runnable task) {
        return engine.timerLoop().schedule(delay, task);
    }

    /** Runs {@code task} every {@code period} on the first loop; a run that throws is logged. */
    public Timer runEvery(Duration period, Runnable task) {
        return engine.timerLoop().scheduleAtFixedRate(period, task);
    }

    /** The engine behind this server; visible for the embedded test fixture. */
    ServerRuntime engine() {
        return engine;
    }

    @Override
    public String toString() {
        return "Server[" + engine + "]";
    }

    /**
     * Builds a {@link Server}: its handler and protocol, and the {@link ServerOptions} whose
     * setters it inherits. Each setter validates its argument and names it when it is wrong;
     * defaults are the {@code DEFAULT_*} constants of {@link ServerOptions}. Not thread-safe.
     */
    public static final class Builder extends ServerOptions.AbstractBuilder<Builder> {

        /** Paired by {@link Server#builder}: the handler takes what the protocol decodes. */
        private final Protocol<?> protocol;
        private final Handler<?> handler;

        private <M> Builder(Protocol<M> protocol, Handler<? super M> handler) {
            this.protocol = Objects.requireNonNull(protocol, "protocol");
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        /**
         * Creates the server, not started.
         *
         * @throws IllegalArgumentException when options contradict each other, such as a write
         *         buffer low water mark above the high water mark or a high water mark above the
         *         write buffer limit (the message names both)
         */
        public Server build() {
            return new Server(toOptions(), handler, protocol);
        }
    }
}
