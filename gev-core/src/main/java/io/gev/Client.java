package io.gev;

import io.gev.internal.engine.ClientRuntime;
import io.gev.loop.EventLoop;
import io.gev.loop.Transport;
import io.gev.protocol.Protocol;
import io.gev.protocol.RawProtocol;

import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Opens connections of its own: outbound TCP (and TLS) connections that run on gev's loops with a
 * {@link Handler} and a {@link Protocol}, as the connections a {@link Server} accepts do. They are
 * ordinary {@link Connection}s: {@code send} from any thread, water marks, limits, idle timeout,
 * the same callbacks.
 *
 * <pre>{@code
 * Client client = Client.builder(lineProtocol, (conn, ctx, line) -> { log(line); return null; })
 *         .connectTimeout(Duration.ofSeconds(3))
 *         .build();
 * Connection conn = client.connect("gateway.local", 7000).join();
 * conn.send("HELLO");
 * ...
 * client.close();
 * }</pre>
 *
 * <p>It runs on one loop of its own by default, or on {@link EventLoops} shared with servers
 * ({@link Builder#eventLoops(EventLoops)}): a connection made from a loop thread of those (a proxy's
 * {@code onConnect}) then runs on that same loop, so both halves of a pair need no thread hop.
 * The loops start with the first {@link #connect}; {@link #stop} closes every connection and stops
 * them, after which {@link #start()} starts anew. Its methods are thread-safe.
 */
public final class Client implements AutoCloseable {

    private final ClientOptions options;
    private final Handler<?> handler;
    private final Protocol<?> protocol;
    private final EventLoops eventLoops;
    private ClientRuntime engine;

    private Client(ClientOptions options, Handler<?> handler, Protocol<?> protocol, EventLoops eventLoops) {
        this.options = options;
        this.handler = handler;
        this.protocol = protocol;
        this.eventLoops = eventLoops;
        this.engine = newEngine();
    }

    private ClientRuntime newEngine() {
        return ClientRuntime.create(options, options.connectionOptions(), handler, protocol,
                eventLoops == null ? null : eventLoops.group());
    }

    /** Starts building a client without framing: {@code handler} gets the bytes of each read. */
    public static Builder builder(Handler<? super ByteBuffer> handler) {
        return new Builder(RawProtocol.INSTANCE, handler);
    }

    /** Starts building a client whose connections {@code protocol} frames and {@code handler} serves. */
    public static <M> Builder builder(Protocol<M> protocol, Handler<? super M> handler) {
        return new Builder(protocol, handler);
    }

    /** The options the client was built with. */
    public ClientOptions options() {
        return options;
    }

    /** The shared loops the client runs on, if it was built with them. */
    public Optional<EventLoops> eventLoops() {
        return Optional.ofNullable(eventLoops);
    }

    /**
     * Starts the loops, if not running; {@link #connect} does so too. After a {@link #stop}, starts
     * the client again.
     *
     * @throws ServerStartException when the transport is missing
     * @throws IllegalStateException when its shared {@link EventLoops} were closed
     */
    public synchronized void start() {
        ClientRuntime current = engine;
        if (current.isRunning()) {
            return;
        }
        if (current.hasRun()) {
            current = engine = newEngine();
        }
        current.start();
    }

    /**
     * Connects to {@code host} ({@code host} is resolved off the loops) at {@code port}, on TLS
     * when the client has TLS options (the host name is then the one sent by SNI and checked
     * against the certificate). Never blocks.
     *
     * @return a future of the connection, completed on its loop once it is open (after the TLS
     *         handshake) and its handler's {@code onConnect} ran (offloaded: was handed over), so
     *         a stage added to it runs on the loop unless given an executor, and must not block.
     *         It fails with a {@link java.net.UnknownHostException}, a {@link java.net.ConnectException}
     *         (refused, unreachable), a {@link ConnectTimeoutException}, an
     *         {@link javax.net.ssl.SSLException} (the handshake failed, the certificate does not
     *         match the host), each naming the address; or an {@link IllegalStateException} when
     *         the client stops first. With {@link ClientOptions#reconnect() reconnect}, failed
     *         attempts are retried and the future fails only once the attempts run out.
     * @throws IllegalStateException when the client was stopped (call {@link #start()} first)
     * @throws IllegalArgumentException when the port is outside [1, 65535]
     */
    public CompletableFuture<Connection> connect(String host, int port) {
        Objects.requireNonNull(host, "host");
        return connect(InetSocketAddress.createUnresolved(host, port));
    }

    /**
     * Connects to {@code address}; an unresolved address is resolved off the loops. See
     * {@link #connect(String, int)}.
     */
    public CompletableFuture<Connection> connect(InetSocketAddress address) {
        return connect(address, Map.of());
    }

    /**
     * Connects to {@code address} as {@link #connect(InetSocketAddress)} does, the connection
     * carrying {@code attributes} from its start: its protocol's and handler's {@code onConnect}
     * see them ({@link Connection#attribute}), as does every connection made again for it when
     * the client reconnects. How a protocol learns what a connection is for (a WebSocket client's
     * request).
     */
    public CompletableFuture<Connection> connect(InetSocketAddress address, Map<String, ?> attributes) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(attributes, "attributes");
        if (address.getPort() < 1) {
            throw new IllegalArgumentException("port must be in [1, 65535]: " + address.getPort());
        }
        return running().connect(address, Map.copyOf(attributes));
    }

    /**
     * Connects to the Unix domain socket {@code address} (a local agent, a sidecar) as
     * {@link #connect(String, int)} does to a host; the connection's {@code remoteAddress()} is
     * {@code null}. Plain only: TLS needs a host name to check the certificate against, which a
     * socket file has not.
     *
     * @throws IllegalArgumentException when the client has TLS options
     * @throws IllegalStateException when the client was stopped (call {@link #start()} first)
     */
    public CompletableFuture<Connection> connect(UnixDomainSocketAddress address) {
        return connect(address, Map.of());
    }

    /** {@link #connect(UnixDomainSocketAddress)} with {@code attributes}, as {@link #connect(InetSocketAddress, Map)}. */
    public CompletableFuture<Connection> connect(UnixDomainSocketAddress address, Map<String, ?> attributes) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(attributes, "attributes");
        if (options.tls().isPresent()) {
            throw new IllegalArgumentException("gev client '" + name() + "' speaks TLS, which needs a host name to "
                    + "check the certificate against; the Unix domain socket " + address + " has none");
        }
        return running().connect(address, Map.copyOf(attributes));
    }

    private synchronized ClientRuntime running() {
        ClientRuntime current = engine;
        if (!current.hasRun()) {
            current.start();
        } else if (!current.isRunning()) {
            throw new IllegalStateException("Client '" + name() + "' was stopped; start() it again first");
        }
        return current;
    }

    /**
     * Stops the client: pending attempts fail, every connection's protocol says goodbye, what is
     * queued is written for at most {@code grace}, then each connection closes (with one
     * {@link Handler#onClose}, and no reconnecting); its own loops stop. Returns when that is
     * done. Calling it again does nothing.
     */
    public void stop(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative: " + grace);
        }
        ClientRuntime current;
        synchronized (this) {
            current = engine;
        }
        current.stop(grace);
    }

    /** {@link #stop(Duration) Stops} with {@link ClientOptions#shutdownTimeout()}. */
    @Override
    public void close() {
        stop(options.shutdownTimeout());
    }

    /** {@code true} from the first {@link #connect} (or {@link #start()}) until {@link #stop}. */
    public synchronized boolean isRunning() {
        return engine.isRunning();
    }

    /** The client's name, used in thread names, logs and metrics tags. */
    public String name() {
        return options.name();
    }

    /** The transport in use ({@link Transport#AUTO} resolved once running). */
    public synchronized Transport transport() {
        return engine.transport();
    }

    /** The loops the connections run on, in index order; empty before the first start. */
    public synchronized List<EventLoop> loops() {
        return engine.loops();
    }

    /**
     * Counters since the last start: {@link ServerStats#acceptedConnections()} counts the
     * connections that opened; the other counters mean what they mean on a server.
     */
    public synchronized ServerStats stats() {
        return engine.stats();
    }

    @Override
    public String toString() {
        return "Client[" + name() + "]";
    }

    /**
     * Builds a {@link Client}: its handler and protocol, and the {@link ClientOptions} whose setters
     * it inherits. Not thread-safe.
     */
    public static final class Builder extends ClientOptions.AbstractBuilder<Builder> {

        private final Protocol<?> protocol;
        private final Handler<?> handler;
        private EventLoops eventLoops;

        private <M> Builder(Protocol<M> protocol, Handler<? super M> handler) {
            this.protocol = Objects.requireNonNull(protocol, "protocol");
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        /**
         * Runs the client's connections on {@code loops}, shared with servers and other clients,
         * instead of a loop of its own; {@code null} goes back to its own. Stopping the client
         * leaves them running.
         */
        public Builder eventLoops(EventLoops loops) {
            this.eventLoops = loops;
            return this;
        }

        /**
         * Creates the client, not started.
         *
         * @throws IllegalArgumentException when options contradict each other
         */
        public Client build() {
            return new Client(toOptions(), handler, protocol, eventLoops);
        }
    }
}
