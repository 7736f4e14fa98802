package io.gev.udp;

import io.gev.loop.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the loop thread allocates per echoed datagram. NIO allocates nothing: the JDK reuses the
 * sender's address object while the sender stays the same. Netty's native {@code recvfrom}
 * makes a new address object per datagram and its {@code sendto} copies the address bytes, which
 * no public call avoids: the bound here is that cost, measured, and fails if more appears.
 */
class DatagramAllocationTest {

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    @ParameterizedTest(name = "{0}: at most {1} bytes per datagram")
    @CsvSource({"NIO, 8", "EPOLL, 192"})
    void theEchoPathAllocatesAtMostTheSenderAddress(Transport transport, int maxBytesPerDatagram) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        AtomicLong loopThread = new AtomicLong();
        DatagramServer server = DatagramServerTest.localServer(transport, (out, sender, payload) -> {
            loopThread.set(Thread.currentThread().getId());
            return payload;
        }).build();
        toClose.add(server);
        server.start();
        UdpPeer peer = new UdpPeer();
        toClose.add(peer);
        byte[] payload = new byte[64];
        for (int i = 0; i < 20_000; i++) { // warm-up: JIT, the JDK's caches
            peer.send(server.localAddress(), payload);
            peer.receive();
        }
        int n = 20_000;
        long before = threads.getThreadAllocatedBytes(loopThread.get());
        for (int i = 0; i < n; i++) {
            payload[0] = (byte) i;
            peer.send(server.localAddress(), payload);
            assertArrayEquals(payload, peer.receive());
        }
        long perDatagram = (threads.getThreadAllocatedBytes(loopThread.get()) - before) / n;
        System.out.println(transport + ": " + perDatagram + " bytes allocated on the loop per echoed datagram");
        assertTrue(perDatagram <= maxBytesPerDatagram, transport + ": " + perDatagram + " bytes per datagram");
    }
}
