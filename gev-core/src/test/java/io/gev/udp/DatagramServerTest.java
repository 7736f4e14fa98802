package io.gev.udp;

import io.gev.EventLoops;
import io.gev.HandlerExecution;
import io.gev.Server;
import io.gev.ServerStartException;
import io.gev.loop.Transport;
import io.gev.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The datagram server over real sockets on 127.0.0.1, on each transport, with JDK clients. */
class DatagramServerTest {

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closing(T resource) {
        toClose.add(resource);
        return resource;
    }

    static DatagramServer.Builder localServer(Transport transport, DatagramHandler handler) {
        return DatagramServer.builder(handler).host("127.0.0.1").port(0).loops(1).transport(transport)
                .daemonThreads(true);
    }

    private DatagramServer started(DatagramServer.Builder builder) {
        DatagramServer server = closing(builder.build());
        server.start();
        return server;
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void echoesToTheSenderAndCountsBothWays(Transport transport) throws Exception {
        DatagramServer server = started(localServer(transport, (out, sender, payload) -> payload));
        UdpPeer peer = closing(new UdpPeer());
        assertEquals(transport, server.transport());
        for (String text : List.of("hello", "gev", "datagrams")) {
            peer.send(server.localAddress(), text);
            assertEquals(text, peer.receiveText());
        }
        Await.await("counters", () -> server.stats().datagramsOut() == 3);
        DatagramStats stats = server.stats();
        assertEquals(3, stats.datagramsIn());
        assertEquals(5 + 3 + 9, stats.bytesIn());
        assertEquals(5 + 3 + 9, stats.bytesOut());
        assertEquals(1, stats.sockets());
        assertEquals(0, stats.droppedOversize() + stats.sendFailures() + stats.handlerFailures());
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void echoesOverIpv6(Transport transport) throws Exception {
        InetAddress ipv6Loopback = InetAddress.getByName("::1");
        DatagramServer server = started(localServer(transport, (out, sender, payload) -> payload).host("::1"));
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(ipv6Loopback, 0))) {
            peer.setSoTimeout(10_000);
            byte[] bytes = "over ipv6".getBytes(StandardCharsets.US_ASCII);
            peer.send(new java.net.DatagramPacket(bytes, bytes.length, new InetSocketAddress(ipv6Loopback, server.port())));
            java.net.DatagramPacket reply = new java.net.DatagramPacket(new byte[100], 100);
            peer.receive(reply);
            assertEquals("over ipv6", new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII));
            assertEquals(ipv6Loopback, reply.getAddress());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void theHandlerSeesTheSenderAndAnEmptyDatagramIsOneToo(Transport transport) throws Exception {
        AtomicReference<InetSocketAddress> seen = new AtomicReference<>();
        DatagramServer server = started(localServer(transport, (out, sender, payload) -> {
            seen.set(sender);
            return ByteBuffer.wrap(("len=" + payload.remaining()).getBytes(StandardCharsets.US_ASCII));
        }));
        UdpPeer peer = closing(new UdpPeer());
        peer.send(server.localAddress(), new byte[0]);
        assertEquals("len=0", peer.receiveText());
        assertEquals(peer.address(), seen.get());
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void datagramsAtAndBelowTheLimitArriveWholeAndOneAboveIsDroppedAndCounted(Transport transport) throws Exception {
        int limit = 1000;
        DatagramServer server = started(localServer(transport, (out, sender, payload) -> payload).maxDatagramSize(limit));
        UdpPeer peer = closing(new UdpPeer());
        Random random = new Random(1836);
        for (int size : new int[] {limit - 1, limit}) {
            byte[] payload = new byte[size];
            random.nextBytes(payload);
            peer.send(server.localAddress(), payload);
            assertArrayEquals(payload, peer.receive(), "a datagram of " + size + " bytes");
        }
        for (int size : new int[] {limit + 1, 65_000}) {
            byte[] over = new byte[size];
            random.nextBytes(over);
            peer.send(server.localAddress(), over);
        }
        peer.send(server.localAddress(), "after");
        // The oversized ones came first on the same socket: had one been delivered, it would be here.
        assertEquals("after", peer.receiveText());
        Await.await("oversize count", () -> server.stats().droppedOversize() == 2);
        assertEquals(3, server.stats().datagramsIn());
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aSendOverTheLimitIsRefusedAndAReplyOverItIsCountedNotSent(Transport transport) throws Exception {
        int limit = 100;
        DatagramServer server = started(localServer(transport,
                (out, sender, payload) -> payload.remaining() == 1 ? ByteBuffer.allocate(limit + 1) : payload)
                .maxDatagramSize(limit));
        UdpPeer peer = closing(new UdpPeer());
        assertThrows(IllegalArgumentException.class, () -> server.send(peer.address(), new byte[limit + 1]));
        assertTrue(server.send(peer.address(), new byte[limit]));
        assertEquals(limit, peer.receive().length);
        peer.send(server.localAddress(), new byte[1]);
        peer.send(server.localAddress(), "next");
        assertEquals("next", peer.receiveText());
        assertEquals(1, server.stats().sendFailures());
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aHandlerThatThrowsIsCountedAndTheServerCarriesOn(Transport transport) throws Exception {
        DatagramServer server = started(localServer(transport, (out, sender, payload) -> {
            if (payload.get(payload.position()) == 'x') {
                throw new IllegalStateException("bad datagram");
            }
            return payload;
        }).faultLogLimit(1));
        UdpPeer peer = closing(new UdpPeer());
        for (int i = 0; i < 3; i++) {
            peer.send(server.localAddress(), "x" + i);
        }
        peer.send(server.localAddress(), "ok");
        assertEquals("ok", peer.receiveText());
        assertEquals(3, server.stats().handlerFailures());
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void sendsFromManyThreadsAllArriveAndTheHandlerCanSendToOthers(Transport transport) throws Exception {
        UdpPeer watcher = closing(new UdpPeer());
        DatagramServer server = started(localServer(transport, (out, sender, payload) -> {
            out.send(watcher.address(), payload); // from the loop: straight to the kernel
            return null;
        }));
        UdpPeer receiver = closing(new UdpPeer());
        int threads = 4;
        int each = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            AtomicInteger accepted = new AtomicInteger();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                pool.execute(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < each; i++) {
                        if (server.send(receiver.address(), (thread + ":" + i).getBytes(StandardCharsets.US_ASCII))) {
                            accepted.incrementAndGet();
                        }
                    }
                });
            }
            go.countDown();
            Set<String> got = new HashSet<>();
            for (int i = 0; i < threads * each; i++) {
                got.add(receiver.receiveText());
            }
            assertEquals(threads * each, got.size());
            assertEquals(threads * each, accepted.get());
        } finally {
            pool.shutdownNow();
        }
        UdpPeer peer = closing(new UdpPeer());
        peer.send(server.localAddress(), "relayed");
        assertEquals("relayed", watcher.receiveText());
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void sendsPastTheQueueBoundAreDroppedAndCountedWhileTheLoopIsBusy(Transport transport) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        DatagramServer server = started(localServer(transport, (out, sender, payload) -> {
            entered.countDown();
            release.await(); // keeps the loop from draining the queue
            return null;
        }).maxQueuedSends(3).blockedLoopWarning(Duration.ZERO));
        UdpPeer peer = closing(new UdpPeer());
        UdpPeer receiver = closing(new UdpPeer());
        peer.send(server.localAddress(), "hold");
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        int accepted = 0;
        for (int i = 0; i < 5; i++) {
            if (server.send(receiver.address(), ("q" + i).getBytes(StandardCharsets.US_ASCII))) {
                accepted++;
            }
        }
        assertEquals(3, accepted);
        assertEquals(2, server.stats().droppedSendQueueFull());
        assertEquals(3, server.stats().queuedSends());
        release.countDown();
        for (int i = 0; i < 3; i++) {
            assertEquals("q" + i, receiver.receiveText());
        }
        assertNull(receiver.poll(200), "a dropped send arrived");
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aFloodWhileASlowOffloadedHandlerRunsDropsPastTheBacklogAndHurtsNothingElse(Transport transport)
            throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        closing(executor::shutdownNow);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger handled = new AtomicInteger();
        int backlog = 16;
        DatagramServer server = started(localServer(transport, (out, sender, payload) -> {
            release.await(); // the slow handler: nothing is served until the flood is over
            handled.incrementAndGet();
            return payload;
        }).handlerExecution(HandlerExecution.builder().executor(executor).maxQueuedMessages(backlog).build())
                .receiveBufferSize(1 << 20));
        UdpPeer flooder = closing(new UdpPeer());
        int flood = 2000;
        byte[] payload = new byte[64];
        for (int i = 0; i < flood; i++) {
            flooder.send(server.localAddress(), payload);
        }
        Await.await("the backlog to overflow", () -> server.stats().droppedBacklog() > 0);
        assertEquals(backlog, server.stats().handlerBacklog()); // full, and one more in the handler
        assertEquals(0, handled.get());
        // The loop is not blocked by the handler: a send from this thread goes out at once.
        UdpPeer other = closing(new UdpPeer());
        assertTrue(server.send(other.address(), "still here".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("still here", other.receiveText());

        release.countDown();
        // Every datagram received was either handled or dropped and counted (the kernel may have
        // dropped some more before the loop read them: those are not received).
        Await.await("the backlog to drain",
                () -> handled.get() + server.stats().droppedBacklog() == server.stats().datagramsIn()
                        && server.stats().handlerBacklog() == 0);
        assertTrue(handled.get() > 0);
        // Another sender is served as before.
        other.send(server.localAddress(), "ping");
        assertEquals("ping", other.receiveText());
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aFloodWhileAHandlerBlocksTheLoopIsDroppedByTheKernelCountedOnEpollAndTheServerRecovers(Transport transport)
            throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger handled = new AtomicInteger();
        DatagramServer server = started(localServer(transport, (out, sender, payload) -> {
            if (handled.getAndIncrement() == 0) {
                entered.countDown();
                release.await(); // a handler that blocks its loop: nothing is read meanwhile
            }
            return null;
        }).receiveBufferSize(4096).blockedLoopWarning(Duration.ZERO));
        UdpPeer flooder = closing(new UdpPeer());
        flooder.send(server.localAddress(), "first");
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        int flood = 2000;
        for (int i = 0; i < flood; i++) {
            flooder.send(server.localAddress(), new byte[64]);
        }
        if (transport == Transport.EPOLL) {
            // The kernel's receive queue (a few KiB) overflowed while the loop was held.
            Await.await("kernel drops", () -> server.stats().kernelDrops() > 0);
        } else {
            assertEquals(-1, server.stats().kernelDrops());
        }
        release.countDown();
        UdpPeer other = closing(new UdpPeer());
        // The loop reads on once released; another sender is served as before.
        Await.await("the queue read", () -> server.stats().datagramsIn() == handled.get()
                && (transport != Transport.EPOLL || server.stats().datagramsIn() + server.stats().kernelDrops() == flood + 1));
        assertTrue(server.stats().datagramsIn() < flood + 1, "nothing was dropped: " + server.stats());
        assertTrue(server.send(other.address(), "after the flood".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("after the flood", other.receiveText());
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void reusePortGivesEveryLoopASocketOnOnePort(Transport transport) throws Exception {
        DatagramServer server = started(DatagramServer.builder((out, sender, payload) -> payload).host("127.0.0.1")
                .port(0).loops(2).reusePort(true).transport(transport).daemonThreads(true));
        assertEquals(2, server.stats().sockets());
        for (int i = 0; i < 16; i++) {
            try (UdpPeer peer = new UdpPeer()) {
                peer.send(server.localAddress(), "n" + i);
                assertEquals("n" + i, peer.receiveText());
            }
        }
        assertEquals(16, server.stats().datagramsIn());
        // Another server may share the port too, as reuse-port servers do.
        DatagramServer second = started(DatagramServer.builder((out, sender, payload) -> payload).host("127.0.0.1")
                .port(server.port()).loops(1).reusePort(true).transport(transport).daemonThreads(true));
        assertEquals(server.port(), second.port());
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aPortInUseFailsTheStartWithABindExceptionAndStopReleasesThePort(Transport transport) throws Exception {
        DatagramServer server = started(localServer(transport, (out, sender, payload) -> payload));
        int port = server.port();
        DatagramServer clash = closing(localServer(transport, (out, sender, payload) -> payload).port(port).build());
        ServerStartException e = assertThrows(ServerStartException.class, clash::start);
        assertInstanceOf(BindException.class, e.getCause());
        assertFalse(clash.isRunning());

        server.stop();
        assertFalse(server.isRunning());
        assertFalse(server.send(new InetSocketAddress(UdpPeer.LOCALHOST, port), new byte[1]));
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(UdpPeer.LOCALHOST, port))) {
            assertEquals(port, taken.getLocalPort());
        }
        server.start(); // again, on a new port
        UdpPeer peer = closing(new UdpPeer());
        peer.send(server.localAddress(), "again");
        assertEquals("again", peer.receiveText());
        assertEquals(1, server.stats().datagramsIn());
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void runsOnEventLoopsSharedWithATcpServer(Transport transport) throws Exception {
        EventLoops loops = closing(EventLoops.builder().name("shared").loops(2).transport(transport)
                .daemonThreads(true).build());
        Server tcp = Server.builder((connection, context, payload) -> payload).address("127.0.0.1").port(0)
                .eventLoops(loops).build();
        closing(() -> tcp.stop(Duration.ZERO));
        tcp.start();
        DatagramServer udp = closing(DatagramServer.builder((out, sender, payload) -> payload).name("udp-shared")
                .host("127.0.0.1").port(0).eventLoops(loops).build());
        udp.start();
        assertTrue(loops.servers().contains("udp-shared"), loops.servers().toString());
        UdpPeer peer = closing(new UdpPeer());
        peer.send(udp.localAddress(), "shared");
        assertEquals("shared", peer.receiveText());
        try (Socket socket = new Socket(UdpPeer.LOCALHOST, tcp.port())) {
            socket.getOutputStream().write("tcp".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals("tcp".getBytes(StandardCharsets.US_ASCII), socket.getInputStream().readNBytes(3));
        }
        udp.stop();
        assertFalse(loops.servers().contains("udp-shared"));
        assertTrue(tcp.isRunning());
        assertThrows(IllegalStateException.class, () -> udp.joinGroup(java.net.InetAddress.getByName("239.1.1.1")));
    }
}
