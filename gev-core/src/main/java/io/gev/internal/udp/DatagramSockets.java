package io.gev.internal.udp;

import io.gev.internal.watchdog.ClientFaultLog;
import io.gev.loop.Transport;
import io.gev.udp.DatagramOptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;

/** Opens the datagram socket of a transport; epoll's classes load only when it is the one. */
public final class DatagramSockets {

    private DatagramSockets() {
    }

    /**
     * A socket bound to {@code address} with {@code options}, not registered; {@code iface} is
     * the multicast interface or {@code null}.
     *
     * @param transport {@link Transport#EPOLL} or {@link Transport#NIO}, resolved
     */
    public static DatagramSocketHandle open(Transport transport, int index, DatagramOptions options,
            InetSocketAddress address, NetworkInterface iface, DatagramSink sink, ClientFaultLog faults)
            throws IOException {
        return transport == Transport.EPOLL
                ? EpollDatagramSocket.open(index, options, address, iface, sink, faults)
                : NioDatagramSocket.open(index, options, address, iface, sink, faults);
    }
}
