package io.gev.internal.engine;

import io.gev.ServerStartException;
import io.gev.loop.Transport;
import io.gev.udp.DatagramHandler;
import io.gev.udp.DatagramOptions;
import io.gev.udp.DatagramStats;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The running side of an {@link io.gev.udp.DatagramServer}: what it asks of the engine behind it.
 * {@link #create} is the one way into this package from that API. Thread-safe.
 */
public interface DatagramRuntime {

    /**
     * An engine, not started, for a server with {@code options} whose datagrams {@code handler}
     * serves, on the threads of {@code loops} (shared) or of its own when {@code null}.
     */
    static DatagramRuntime create(DatagramOptions options, DatagramHandler handler, LoopGroup loops) {
        return new DatagramEngine(options, handler, loops);
    }

    /**
     * Binds and starts reading.
     *
     * @throws ServerStartException when binding or starting fails
     * @throws IllegalStateException when called twice or the shared loops were closed
     */
    void start();

    /** Sends what is queued as far as the kernel takes it, closes the sockets; idempotent. */
    void stop();

    boolean isRunning();

    boolean hasRun();

    /** The address of the first socket; {@link IllegalStateException} before binding. */
    InetSocketAddress localAddress();

    /** The transport in use, {@link Transport#AUTO} resolved once started. */
    Transport transport();

    DatagramStats stats();

    /** See {@link io.gev.udp.DatagramSender#send(InetSocketAddress, ByteBuffer)}. */
    boolean send(InetSocketAddress target, ByteBuffer payload);

    void join(InetAddress group, NetworkInterface iface) throws IOException;

    void leave(InetAddress group, NetworkInterface iface) throws IOException;

    /** The groups joined now. */
    List<InetAddress> groups();
}
