package io.gev.udp;

import io.gev.EventLoops;
import io.gev.ServerStartException;
import io.gev.internal.engine.DatagramRuntime;
import io.gev.internal.engine.SharedLoops;
import io.gev.internal.udp.Multicast;
import io.gev.loop.Transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A UDP server on gev's event loops: one socket on one loop, or with
 * {@link DatagramOptions.AbstractBuilder#reusePort reusePort} one socket per loop on a shared port.
 * No connections: each datagram goes to the {@link DatagramHandler} with its sender, and the
 * handler's return value is the reply.
 *
 * <pre>{@code
 * DatagramServer echo = DatagramServer.builder((out, sender, payload) -> payload)
 *         .port(1836)
 *         .build();
 * echo.start();
 * echo.send(new InetSocketAddress("127.0.0.1", 9999), "hello".getBytes(StandardCharsets.US_ASCII));
 * echo.stop();
 * }</pre>
 *
 * <p>Each readiness event reads up to {@link DatagramOptions#maxDatagramsPerRead()} datagrams into
 * the socket's one receive buffer, and queued sends go out a batch per loop pass. A datagram larger
 * than {@link DatagramOptions#maxDatagramSize()} is dropped and counted, never delivered cut
 * short. It runs on loops of its own, or on {@link EventLoops} shared with TCP servers
 * ({@link Builder#eventLoops(EventLoops)}). A stopped server can start again. Thread-safe.
 */
public final class DatagramServer implements DatagramSender, AutoCloseable {

    private final DatagramOptions options;
    private final DatagramHandler handler;
    private final EventLoops eventLoops;
    private volatile DatagramRuntime engine;

    private DatagramServer(DatagramOptions options, DatagramHandler handler, EventLoops eventLoops) {
        this.options = options;
        this.handler = handler;
        this.eventLoops = eventLoops;
        this.engine = newEngine();
    }

    private DatagramRuntime newEngine() {
        return DatagramRuntime.create(options, handler, eventLoops == null ? null : SharedLoops.of(eventLoops));
    }

    /** Starts building a server whose datagrams {@code handler} serves. */
    public static Builder builder(DatagramHandler handler) {
        return new Builder(handler);
    }

    public DatagramOptions options() {
        return options;
    }

    public DatagramHandler handler() {
        return handler;
    }

    /** The shared loops the server runs on, if it was built with them. */
    public Optional<EventLoops> eventLoops() {
        return Optional.ofNullable(eventLoops);
    }

    /**
     * Binds and starts reading, and joins {@link DatagramOptions#multicastGroups()}; returns once
     * datagrams are read. After a {@link #stop()}, starts again on a fresh engine.
     *
     * @throws ServerStartException when the address cannot be bound (a {@link java.net.BindException}
     *         cause when the port is in use), a group cannot be joined, the multicast interface does
     *         not exist or the transport is missing
     * @throws IllegalStateException when running already, or the shared loops were closed
     */
    public synchronized void start() {
        DatagramRuntime current = engine;
        if (current.isRunning()) {
            throw new IllegalStateException("Datagram server '" + name() + "' is running already");
        }
        if (current.hasRun()) {
            current = engine = newEngine();
        }
        current.start();
    }

    /**
     * Stops: sends what is queued as far as the kernel takes it at once, closes the sockets,
     * stops the loops unless they are shared, and waits for them. Datagrams waiting for an
     * offloaded handler are dropped. Calling it again does nothing.
     */
    public void stop() {
        engine.stop();
    }

    /** {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    public boolean isRunning() {
        return engine.isRunning();
    }

    /**
     * Sends {@code payload} (position to limit, left as it was) to {@code target} from the
     * server's socket, or from one of them: the calling loop's own, else each in turn. From any
     * thread; off the loop the bytes are copied and queued.
     *
     * @return {@code false} when dropped: the socket's send queue is full, or the server is not running
     * @throws IllegalArgumentException when larger than {@link DatagramOptions#maxDatagramSize()}
     */
    @Override
    public boolean send(InetSocketAddress target, ByteBuffer payload) {
        return engine.send(target, payload);
    }

    /**
     * Joins multicast {@code group} on {@link DatagramOptions#multicastInterface()} (or the system's
     * choice).
     *
     * @throws IllegalStateException when not running, or with a socket per loop (reusePort)
     * @throws IOException when the system refuses
     */
    public void joinGroup(InetAddress group) throws IOException {
        engine.join(group, null);
    }

    /** Joins multicast {@code group} on the interface called {@code interfaceName}; see {@link #joinGroup(InetAddress)}. */
    public void joinGroup(InetAddress group, String interfaceName) throws IOException {
        engine.join(group, Multicast.byName(interfaceName));
    }

    /** Joins multicast {@code group} on {@code iface}; see {@link #joinGroup(InetAddress)}. */
    public void joinGroup(InetAddress group, NetworkInterface iface) throws IOException {
        engine.join(group, Objects.requireNonNull(iface, "iface"));
    }

    /** Leaves multicast {@code group}, on the interface it was joined on. */
    public void leaveGroup(InetAddress group) throws IOException {
        engine.leave(group, null);
    }

    /** The multicast groups joined now. */
    public List<InetAddress> groups() {
        return engine.groups();
    }

    /** The bound address (of the first socket), with the real port when port 0 was asked for. */
    public InetSocketAddress localAddress() {
        return engine.localAddress();
    }

    public int port() {
        return localAddress().getPort();
    }

    public String name() {
        return options.name();
    }

    /** The transport in use ({@link Transport#AUTO} resolved once started). */
    public Transport transport() {
        return engine.transport();
    }

    /** Counters since the last start. */
    public DatagramStats stats() {
        return engine.stats();
    }

    @Override
    public String toString() {
        return "DatagramServer[" + engine + "]";
    }

    /**
     * Builds a {@link DatagramServer}: its handler, its loops, and the {@link DatagramOptions}
     * whose setters it inherits. Not thread-safe.
     */
    public static final class Builder extends DatagramOptions.AbstractBuilder<Builder> {

        private final DatagramHandler handler;
        private EventLoops eventLoops;

        private Builder(DatagramHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        /**
         * Runs on {@code loops}, shared with other servers, instead of loops of its own;
         * {@code null} goes back to loops of its own. Their size, transport, daemon flag and
         * blocked-loop warning apply then; a {@code transport} other than {@link Transport#AUTO}
         * must match theirs, or {@link DatagramServer#start()} fails.
         */
        public Builder eventLoops(EventLoops loops) {
            this.eventLoops = loops;
            return this;
        }

        /**
         * The server, not started.
         *
         * @throws IllegalArgumentException when multicast groups are set with reusePort
         */
        public DatagramServer build() {
            return new DatagramServer(toOptions(), handler, eventLoops);
        }
    }
}
