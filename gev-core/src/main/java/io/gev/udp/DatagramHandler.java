package io.gev.udp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Serves the datagrams of a {@link DatagramServer}. There are no connections: each datagram comes
 * alone, with its sender.
 *
 * <pre>{@code
 * DatagramHandler echo = (out, sender, payload) -> payload;
 * }</pre>
 *
 * <p><b>Threads.</b> On the loop of the socket that received the datagram (the default), one
 * datagram at a time per socket: do not block there. With an offloading
 * {@link io.gev.HandlerExecution} it runs on that executor, still one at a time per socket, in
 * arrival order.
 *
 * <p><b>Buffers.</b> {@code payload} holds exactly the datagram, from its position to its limit.
 * On the loop it is a view of the loop's receive buffer, valid only until this method returns:
 * copy what you keep. Offloaded, it is a copy of its own.
 *
 * <p><b>Errors.</b> An exception thrown here is logged (rate-limited) and counted
 * ({@link DatagramStats#handlerFailures()}); the datagram gets no reply and the server carries on.
 */
@FunctionalInterface
public interface DatagramHandler {

    /**
     * Serves one datagram.
     *
     * @param out sends more datagrams from the same socket, to the sender or to anyone
     * @param sender where the datagram came from; immutable, may be kept
     * @param payload the datagram's bytes (see the buffer rules above)
     * @return the reply to send to {@code sender}, its bytes from position to limit (it may be
     *         {@code payload} itself, or a buffer the handler reuses: it is sent or copied before
     *         the next callback, and its position is left as it was), or {@code null} for none
     */
    ByteBuffer onDatagram(DatagramSender out, InetSocketAddress sender, ByteBuffer payload) throws Exception;
}
