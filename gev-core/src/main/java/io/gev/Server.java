package io.gev;

import io.gev.internal.ServerEngine;
import io.gev.loop.EventLoop;
import io.gev.loop.LoadBalancer;
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
 * <p>A server starts once and stops once. Its methods are thread-safe.
 */
public final class Server implements AutoCloseable {

    /** The port when none is set: the original gev's example port. */
    public static final int DEFAULT_PORT = 1833;
    /** Listen backlog when none is set. */
    public static final int DEFAULT_BACKLOG = 1024;
    /** Queued outbound bytes above which a connection turns unwritable. */
    public static final int DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK = 64 * 1024;
    /** Queued outbound bytes below which an unwritable connection turns writable again. */
    public static final int DEFAULT_WRITE_BUFFER_LOW_WATER_MARK = 32 * 1024;
    /** Queued outbound bytes above which a connection is closed ({@link CloseReason#WRITE_LIMIT}). */
    public static final int DEFAULT_WRITE_BUFFER_LIMIT = 16 * 1024 * 1024;
    /** Inbound bytes waiting for a frame above which a connection is closed ({@link CloseReason#READ_LIMIT}). */
    public static final int DEFAULT_READ_BUFFER_LIMIT = 16 * 1024 * 1024;
    /** Size of each loop's socket read buffer. */
    public static final int DEFAULT_READ_BUFFER_SIZE = 64 * 1024;
    /** Grace period of {@link #close()}. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    /** Time a loop may spend in one callback or task before a warning is logged. */
    public static final Duration DEFAULT_BLOCKED_LOOP_WARNING = Duration.ofSeconds(1);

    private final ServerEngine engine;

    private Server(Builder builder) {
        this.engine = new ServerEngine(builder, builder.handler, builder.protocol);
    }

    /**
     * Starts building a server without framing ({@link RawProtocol}): {@code handler} gets the
     * bytes of each read as a {@link java.nio.ByteBuffer} view, valid until it returns.
     */
    public static Builder builder(Handler<ByteBuffer> handler) {
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

    /** {@link #stop(Duration) Stops} with {@link Builder#shutdownTimeout(Duration)}. */
    @Override
    public void close() {
        engine.stop(engine.shutdownTimeout());
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
        return engine.name();
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
    ServerEngine engine() {
        return engine;
    }

    @Override
    public String toString() {
        return "Server[" + engine + "]";
    }

    /**
     * Options of a {@link Server}. Each setter validates its argument and names it when it is
     * wrong; defaults are the {@code DEFAULT_*} constants of {@link Server}.
     */
    public static final class Builder {

        /** Paired by {@link Server#builder}: the handler takes what the protocol decodes. */
        private final Protocol<?> protocol;
        private final Handler<?> handler;
        private String name = "gev";
        private String address;
        private int port = DEFAULT_PORT;
        private int loops;
        private boolean reusePort;
        private Duration idleTimeout = Duration.ZERO;
        private LoadBalancer loadBalancer;
        private Transport transport = Transport.AUTO;
        private boolean tcpNoDelay = true;
        private boolean keepAlive;
        private int sendBufferSize;
        private int receiveBufferSize;
        private int backlog = DEFAULT_BACKLOG;
        private int maxConnections;
        private int writeBufferHighWaterMark = DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK;
        private int writeBufferLowWaterMark = DEFAULT_WRITE_BUFFER_LOW_WATER_MARK;
        private int writeBufferLimit = DEFAULT_WRITE_BUFFER_LIMIT;
        private int readBufferLimit = DEFAULT_READ_BUFFER_LIMIT;
        private int readBufferSize = DEFAULT_READ_BUFFER_SIZE;
        private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
        private Duration blockedLoopWarning = DEFAULT_BLOCKED_LOOP_WARNING;
        private boolean daemonThreads;
        private TlsOptions tls;

        private <M> Builder(Protocol<M> protocol, Handler<? super M> handler) {
            this.protocol = Objects.requireNonNull(protocol, "protocol");
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        /** Name used in thread names, logs and metrics tags; default {@code gev}. */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name;
            return this;
        }

        /** Host name or IP literal to bind; {@code null} (default) binds every address. */
        public Builder address(String address) {
            this.address = address == null || address.isBlank() ? null : address;
            return this;
        }

        /** Port to bind, 0 for any free port (read it back with {@link Server#port()}). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in [0, 65535]: " + port);
            }
            this.port = port;
            return this;
        }

        /** Worker loops; 0 (default) means one per available processor. */
        public Builder loops(int loops) {
            if (loops < 0) {
                throw new IllegalArgumentException("loops must be >= 0: " + loops);
            }
            this.loops = loops;
            return this;
        }

        /**
         * Sets SO_REUSEPORT and gives every loop a listener of its own on the shared port, so the
         * kernel spreads connections and no thread hands them over; another server may bind the
         * same port too. The load balancer is not used then.
         */
        public Builder reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return this;
        }

        /** Closes connections that received no bytes for this long; {@link Duration#ZERO} (default) never. */
        public Builder idleTimeout(Duration idleTimeout) {
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            if (idleTimeout.isNegative()) {
                throw new IllegalArgumentException("idleTimeout must not be negative: " + idleTimeout);
            }
            this.idleTimeout = idleTimeout;
            return this;
        }

        /** Picks the loop for each accepted connection; default {@link LoadBalancer#roundRobin()}. */
        public Builder loadBalancer(LoadBalancer loadBalancer) {
            this.loadBalancer = Objects.requireNonNull(loadBalancer, "loadBalancer");
            return this;
        }

        /** The I/O layer; default {@link Transport#AUTO}. */
        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /** TCP_NODELAY on accepted sockets; default {@code true}. */
        public Builder tcpNoDelay(boolean tcpNoDelay) {
            this.tcpNoDelay = tcpNoDelay;
            return this;
        }

        /** SO_KEEPALIVE on accepted sockets; default {@code false}. */
        public Builder keepAlive(boolean keepAlive) {
            this.keepAlive = keepAlive;
            return this;
        }

        /** SO_SNDBUF of accepted sockets in bytes; 0 (default) keeps the system's. */
        public Builder sendBufferSize(int bytes) {
            this.sendBufferSize = requireNonNegative(bytes, "sendBufferSize");
            return this;
        }

        /** SO_RCVBUF of accepted sockets in bytes; 0 (default) keeps the system's. */
        public Builder receiveBufferSize(int bytes) {
            this.receiveBufferSize = requireNonNegative(bytes, "receiveBufferSize");
            return this;
        }

        /** Listen backlog; default {@value Server#DEFAULT_BACKLOG}. */
        public Builder backlog(int backlog) {
            if (backlog < 1) {
                throw new IllegalArgumentException("backlog must be >= 1: " + backlog);
            }
            this.backlog = backlog;
            return this;
        }

        /**
         * Connections open at once; a connection over the limit is accepted and closed at once
         * ({@link CloseReason#REJECTED}). 0 (default) means no limit.
         */
        public Builder maxConnections(int maxConnections) {
            this.maxConnections = requireNonNegative(maxConnections, "maxConnections");
            return this;
        }

        /** See {@link Connection#isWritable()}; default {@value Server#DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK}. */
        public Builder writeBufferHighWaterMark(int bytes) {
            this.writeBufferHighWaterMark = requirePositive(bytes, "writeBufferHighWaterMark");
            return this;
        }

        /** See {@link Connection#isWritable()}; default {@value Server#DEFAULT_WRITE_BUFFER_LOW_WATER_MARK}. */
        public Builder writeBufferLowWaterMark(int bytes) {
            this.writeBufferLowWaterMark = requireNonNegative(bytes, "writeBufferLowWaterMark");
            return this;
        }

        /**
         * Queued outbound bytes above which a connection that stopped reading is closed, so slow
         * clients cannot exhaust memory; default {@value Server#DEFAULT_WRITE_BUFFER_LIMIT}.
         */
        public Builder writeBufferLimit(int bytes) {
            this.writeBufferLimit = requirePositive(bytes, "writeBufferLimit");
            return this;
        }

        /**
         * Inbound bytes a connection may hold while the protocol waits for a complete frame;
         * above it the connection is closed. Default {@value Server#DEFAULT_READ_BUFFER_LIMIT}.
         */
        public Builder readBufferLimit(int bytes) {
            this.readBufferLimit = requirePositive(bytes, "readBufferLimit");
            return this;
        }

        /** Size of each loop's socket read buffer (one per loop, not per connection). */
        public Builder readBufferSize(int bytes) {
            if (bytes < 256) {
                throw new IllegalArgumentException("readBufferSize must be >= 256: " + bytes);
            }
            this.readBufferSize = bytes;
            return this;
        }

        /** Grace period of {@link Server#close()}; default 30 seconds. */
        public Builder shutdownTimeout(Duration shutdownTimeout) {
            Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
            if (shutdownTimeout.isNegative()) {
                throw new IllegalArgumentException("shutdownTimeout must not be negative: " + shutdownTimeout);
            }
            this.shutdownTimeout = shutdownTimeout;
            return this;
        }

        /**
         * Logs a warning, with the loop thread's stack, when a loop spends longer than this in one
         * handler callback, timer or task (a handler that blocks stalls every connection of its
         * loop); once per stall, and again when the loop runs again. A watchdog thread per server
         * checks every quarter of it, so the warning comes between 1 and 1.5 times this late.
         * Default {@link Server#DEFAULT_BLOCKED_LOOP_WARNING 1 second}; {@link Duration#ZERO}
         * turns the watchdog off.
         */
        public Builder blockedLoopWarning(Duration threshold) {
            Objects.requireNonNull(threshold, "blockedLoopWarning");
            if (threshold.isNegative()) {
                throw new IllegalArgumentException("blockedLoopWarning must not be negative: " + threshold);
            }
            this.blockedLoopWarning = threshold;
            return this;
        }

        /**
         * Whether loop threads are daemons; default {@code false}, so a running server keeps a
         * plain {@code main()} program alive.
         */
        public Builder daemonThreads(boolean daemonThreads) {
            this.daemonThreads = daemonThreads;
            return this;
        }

        /**
         * Serves every connection over TLS with these options; default none (plain TCP).
         *
         * @param tls the options, or {@code null} for plain TCP
         */
        public Builder tls(TlsOptions tls) {
            this.tls = tls;
            return this;
        }

        /**
         * Creates the server, not started.
         *
         * @throws IllegalArgumentException when options contradict each other
         */
        public Server build() {
            return new Server(this); // the engine checks the options together
        }

        private static int requireNonNegative(int value, String name) {
            if (value < 0) {
                throw new IllegalArgumentException(name + " must be >= 0: " + value);
            }
            return value;
        }

        private static int requirePositive(int value, String name) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be >= 1: " + value);
            }
            return value;
        }

        public String name() {
            return name;
        }

        public String address() {
            return address;
        }

        public int port() {
            return port;
        }

        /** Loops as configured; 0 means one per processor. */
        public int loops() {
            return loops;
        }

        public boolean reusePort() {
            return reusePort;
        }

        public Duration idleTimeout() {
            return idleTimeout;
        }

        /** The configured balancer, or {@code null} for round robin. */
        public LoadBalancer loadBalancer() {
            return loadBalancer;
        }

        public Transport transport() {
            return transport;
        }

        public boolean tcpNoDelay() {
            return tcpNoDelay;
        }

        public boolean keepAlive() {
            return keepAlive;
        }

        public int sendBufferSize() {
            return sendBufferSize;
        }

        public int receiveBufferSize() {
            return receiveBufferSize;
        }

        public int backlog() {
            return backlog;
        }

        public int maxConnections() {
            return maxConnections;
        }

        public int writeBufferHighWaterMark() {
            return writeBufferHighWaterMark;
        }

        public int writeBufferLowWaterMark() {
            return writeBufferLowWaterMark;
        }

        public int writeBufferLimit() {
            return writeBufferLimit;
        }

        public int readBufferLimit() {
            return readBufferLimit;
        }

        public int readBufferSize() {
            return readBufferSize;
        }

        public Duration shutdownTimeout() {
            return shutdownTimeout;
        }

        public Duration blockedLoopWarning() {
            return blockedLoopWarning;
        }

        public boolean daemonThreads() {
            return daemonThreads;
        }

        /** The TLS options, or {@code null} for plain TCP. */
        public TlsOptions tls() {
            return tls;
        }
    }
}
