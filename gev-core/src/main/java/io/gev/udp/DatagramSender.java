package io.gev.udp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Sends datagrams from a {@link DatagramServer}'s socket. Thread-safe: from the socket's own loop
 * a datagram goes to the kernel at once; from any other thread it is copied and queued to the
 * loop, which sends queued datagrams in batches (one wake-up per batch, not per datagram).
 */
public interface DatagramSender {

    /**
     * Sends the bytes of {@code payload} from its position to its limit to {@code target}; the
     * buffer's position is left as it was, and the caller may reuse it once this returns.
     *
     * @return {@code true} when sent or queued; {@code false} when dropped because the socket's
     *         queue is full ({@link DatagramStats#droppedSendQueueFull()} counts it) or the server
     *         is not running. A datagram the kernel refuses later (no route, say) is counted in
     *         {@link DatagramStats#sendFailures()} and logged, rate-limited; like any UDP
     *         datagram, one sent may still be lost on the way
     * @throws IllegalArgumentException when the payload is larger than
     *         {@link DatagramOptions#maxDatagramSize()}, or {@code target} is unresolved
     */
    boolean send(InetSocketAddress target, ByteBuffer payload);

    /** {@link #send(InetSocketAddress, ByteBuffer)} of the whole of {@code payload}. */
    default boolean send(InetSocketAddress target, byte[] payload) {
        return send(target, ByteBuffer.wrap(payload));
    }
}
