package io.gev.internal.udp;

import io.gev.internal.watchdog.ClientFaultLog;
import io.gev.udp.DatagramOptions;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.LinuxSocket;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The raw option numbers the epoll socket sets, read back through the kernel. Loopback off cannot
 * be seen in behaviour on {@code lo} (the interface hands its own transmissions back, whatever
 * IP_MULTICAST_LOOP says; the JDK's sockets do the same), nor a TTL on one host: so these are
 * checked here, against Linux's defaults on a fresh socket (TTL 1, loop on) and after the options.
 */
class EpollMulticastOptionsTest {

    @Test
    void ttlAndLoopbackReachTheKernel() throws Exception {
        Assumptions.assumeTrue(Epoll.isAvailable(), "no native epoll");
        LinuxSocket fresh = LinuxSocket.newSocketDgram(false);
        try {
            assertEquals(1, fresh.getIntOpt(EpollDatagramSocket.IPPROTO_IP, EpollDatagramSocket.IP_MULTICAST_TTL));
            assertEquals(1, fresh.getIntOpt(EpollDatagramSocket.IPPROTO_IP, EpollDatagramSocket.IP_MULTICAST_LOOP));
        } finally {
            fresh.close();
        }
        DatagramOptions options = DatagramOptions.builder().multicastTtl(5).multicastLoopback(false).build();
        EpollDatagramSocket socket = EpollDatagramSocket.open(0, options,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, (s, sender, payload) -> { },
                new ClientFaultLog(LoggerFactory.getLogger(getClass()), Level.WARN, "test", "faults", Duration.ZERO, 1));
        try {
            LinuxSocket fd = (LinuxSocket) socket.fd();
            assertEquals(5, fd.getIntOpt(EpollDatagramSocket.IPPROTO_IP, EpollDatagramSocket.IP_MULTICAST_TTL));
            assertEquals(0, fd.getIntOpt(EpollDatagramSocket.IPPROTO_IP, EpollDatagramSocket.IP_MULTICAST_LOOP));
        } finally {
            socket.close();
        }
    }
}
