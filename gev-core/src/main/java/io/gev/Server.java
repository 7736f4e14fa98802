package io.gev;

import io.gev.internal.engine.ServerRuntime;
import io.gev.loop.EventLoop;
import io.gev.loop.Timer;
import io.gev.loop.Transport;
import io.gev.protocol.Protocol;
import io.gev.protocol.RawProtocol;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
 * back with {@link #options()}. It runs on loops of its own, or on {@link EventLoops} shared with
 * other servers ({@link Builder#eventLoops(EventLoops)}). A stopped server can start again: it
 * binds anew, and its counters start from zero. Its methods are thread-safe.
 */
public final class Server implements AutoCloseable {

    private final ServerOptions options;
    private final Handler<?> handler;
    private final Protocol<?> protocol;
    /** Shared loops, or {@code null}: the server makes its own at each start. */
    private final EventLoops eventLoops;
    /** The engine of the current or last run; a new one for each start after a stop. */
    private volatile ServerRuntime engine;

    private Server(ServerOptions options, Handler<?> handler, Protocol<?> protocol, EventLoops eventLoops) {
        this.options = options;
        this.handler = handler;
        this.protocol = protocol;
        this.eventLoops = eventLoops;
        this.engine = newEngine();
    }

    private ServerRuntime newEngine() {
        return ServerRuntime.create(options, handler, protocol, eventLoops == null ? null : eventLoops.group());
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

    /** The shared loops the server runs on, if it was built with them. */
    public Optional<EventLoops> eventLoops() {
        return Optional.ofNullable(eventLoops);
    }

    /**
     * Binds the port and starts the loops; returns once connections are being accepted. After a
     * {@link #stop}, starts the server again on a fresh engine (port 0 binds a new port).
     *
     * @throws ServerStartException when the address cannot be bound (its cause tells why, a
     *         {@link java.net.BindException} when the port is in use) or the transport is missing;
     *         the server can be started again afterwards
     * @throws IllegalStateException when the server is running already, or its shared
     *         {@link EventLoops} were closed
     */
    public synchronized void start() {
        ServerRuntime current = engine;
        if (current.isRunning()) {
            throw new IllegalStateException("Server '" + name() + "' is running already");
        }
        if (current.hasRun()) {
            current = engine = newEngine();
        }
        current.start();
    }

    /**
     * Stops the server: stops accepting, stops reading, lets connections write what they have
     * queued for at most {@code grace}, then closes every connection (each gets exactly one
     * {@link Handler#onClose}), stops the loop threads (unless they are shared {@link EventLoops},
     * which run on), waits for them and releases the port. Returns when all of that is done.
     * Calling it again does nothing.
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

    /**
     * The bound address, whose port is the real one when port 0 was asked for.
     *
     * @throws IllegalStateException before {@link #start()}, or for a server on a
     *         {@link #unixSocket() Unix domain socket}
     */
    public InetSocketAddress localAddress() {
        return engine.localAddress();
    }

    /** The bound port; -1 for a server on a {@link #unixSocket() Unix domain socket}. */
    public int port() {
        return options.unixSocket().isPresent() ? -1 : localAddress().getPort();
    }

    /** The file of the Unix domain socket the server listens on; empty on TCP. */
    public Optional<Path> unixSocket() {
        return options.unixSocket();
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

    /** The protocol that frames every connection of the server. */
    public Protocol<?> protocol() {
        return engine.protocol();
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
        private EventLoops eventLoops;

        private <M> Builder(Protocol<M> protocol, Handler<? super M> handler) {
            this.protocol = Objects.requireNonNull(protocol, "protocol");
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        /**
         * Runs the server on {@code loops}, threads shared with other servers (and clients),
         * instead of loops of its own; {@code null} goes back to loops of its own. The server
         * still has its own listener, limits, counters and stop: stopping it leaves the loops
         * running. The loops' size, transport, daemon flag and blocked-loop warning then apply,
         * not this builder's {@code loops}, {@code daemonThreads} and {@code blockedLoopWarning};
         * a {@code transport} other than {@link Transport#AUTO} must match theirs, or
         * {@link Server#start()} fails.
         */
        public Builder eventLoops(EventLoops loops) {
            this.eventLoops = loops;
            return this;
        }

        /**
         * Creates the server, not started.
         *
         * @throws IllegalArgumentException when options contradict each other, such as a write
         *         buffer low water mark above the high water mark or a high water mark above the
         *         write buffer limit (the message names both)
         */
        public Server build() {
            return new Server(toOptions(), handler, protocol, eventLoops);
        }
    }
}
