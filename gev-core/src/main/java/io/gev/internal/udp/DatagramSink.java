package io.gev.internal.udp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** Takes the datagrams a socket receives: runs the handler on the loop, or queues a copy for it. */
public interface DatagramSink {

    /**
     * One datagram, on the socket's loop; {@code payload} is the socket's receive buffer, valid
     * until this returns. Never throws.
     */
    void received(DatagramSocketHandle socket, InetSocketAddress sender, ByteBuffer payload);

}
