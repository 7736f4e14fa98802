package io.gev;

import io.gev.loop.Timer;
import io.gev.loop.Transport;
import io.gev.testing.Await;
import io.gev.testing.CountingHandler;
import io.gev.testing.TestClient;
import io.gev.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class ServerTest {

    private static final Handler<ByteBuffer> ECHO = (c, ctx, payload) -> payload;

    @RegisterExtension
    final TestServers servers = new TestServers();

    static void await(String what, BooleanSupplier condition) {
        Await.await(what, condition);
    }

    private static void echoOnce(TestClient client, String text) throws IOException {
        client.write(text);
        assertEquals(text, client.readString(text.getBytes(StandardCharsets.UTF_8).length));
    }

    /** The names of live threads whose name starts with {@code prefix}. */
    static Set<String> liveThreads(String prefix) {
        Set<String> names = ConcurrentHashMap.newKeySet();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith(prefix)) {
                names.add(t.getName());
            }
        }
        return names;
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void startBindsAnyFreePortAndStopReleasesPortAndThreads(Transport transport) throws Exception {
        Server server = servers.start(TestServers.local(ECHO, transport).name("release-" + transport));
        assertTrue(server.isRunning());
        assertEquals(transport, server.transport());
        int port = server.port();
        assertNotEquals(0, port);
        assertEquals(2, server.loops().size());
        assertFalse(liveThreads("gev-release-" + transport).isEmpty());
        try (TestClient client = TestClient.connect(server)) {
            echoOnce(client, "ping");
            server.stop(Duration.ofSeconds(5));
            assertTrue(client.awaitClosed(), "stop closes open connections");
        }
        assertFalse(server.isRunning());
        assertEquals(Set.of(), liveThreads("gev-release-" + transport), "loop threads are joined by stop()");
        try (ServerSocket rebind = new ServerSocket()) {
            rebind.bind(new InetSocketAddress("127.0.0.1", port));
            assertEquals(port, rebind.getLocalPort(), "the port is free again");
        }
        server.stop(Duration.ZERO);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void portInUseFailsWithClearException(Transport transport) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Server server = TestServers.local(ECHO, transport).name("taken").port(taken.getLocalPort()).build();
            ServerStartException e = assertThrows(ServerStartException.class, server::start);
            assertTrue(e.isAddressInUse(), () -> "cause should be a BindException: " + e.getCause());
            assertEquals(taken.getLocalPort(), e.port());
            assertTrue(e.getMessage().contains("taken") && e.getMessage().contains(":" + taken.getLocalPort()),
                    e.getMessage());
            assertFalse(server.isRunning());
            assertEquals(Set.of(), liveThreads("gev-taken-"), "a failed start leaves no threads");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void anAddressNotOfThisMachineFailsWithClearExceptionThatIsNotAddressInUse(Transport transport) {
        // 192.0.2.1 (TEST-NET-1) is on no interface here: bind fails with EADDRNOTAVAIL, sending nothing.
        Server server = TestServers.local(ECHO, transport).name("elsewhere").address("192.0.2.1").build();
        ServerStartException e = assertThrows(ServerStartException.class, server::start);
        assertFalse(e.isAddressInUse(), () -> "not a port in use: " + e.getCause());
        assertTrue(e.getMessage().contains("192.0.2.1"), e.getMessage());
    }

    @Test
    void startWhileRunningFailsAndStopIsIdempotent() {
        Server server = servers.start(TestServers.local(ECHO, Transport.AUTO));
        IllegalStateException e = assertThrows(IllegalStateException.class, server::start);
        assertTrue(e.getMessage().contains("running already"), e.getMessage());
        server.stop(Duration.ZERO);
        server.stop(Duration.ZERO);
        assertFalse(server.isRunning());
        Server never = TestServers.local(ECHO, Transport.AUTO).build();
        never.stop(Duration.ZERO);
        assertThrows(IllegalStateException.class, never::localAddress);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void stopFromALoopThreadIsRefused(Transport transport) throws Exception {
        Server server = servers.start(TestServers.local(ECHO, transport));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        server.loops().get(0).execute(() -> {
            try {
                server.stop(Duration.ZERO);
            } catch (Throwable t) {
                failure.set(t);
            }
            done.countDown();
        });
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertTrue(failure.get() instanceof IllegalStateException, String.valueOf(failure.get()));
        assertTrue(server.isRunning());
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void reusePortLetsTwoServersShareAPortAndGivesEachLoopAListener(Transport transport) throws Exception {
        Set<String> threadsA = ConcurrentHashMap.newKeySet();
        Set<String> threadsB = ConcurrentHashMap.newKeySet();
        Server a = servers.start(TestServers.local(recordingThreads(threadsA), transport).name("a").reusePort(true));
        Server b = servers.start(TestServers.local(recordingThreads(threadsB), transport).name("b").reusePort(true).port(a.port()));
        assertEquals(a.port(), b.port());
        // The kernel hashes each connection to one of the four listeners.
        for (int i = 0; i < 64; i++) {
            try (TestClient client = TestClient.connect(a.port())) {
                echoOnce(client, "n" + i);
            }
        }
        await("all 64 connections to close", () -> a.stats().activeConnections() + b.stats().activeConnections() == 0);
        assertEquals(64, a.stats().acceptedConnections() + b.stats().acceptedConnections());
        assertTrue(a.stats().acceptedConnections() > 0 && b.stats().acceptedConnections() > 0,
                "both servers accept: " + a.stats().acceptedConnections() + "/" + b.stats().acceptedConnections());
        // Each loop has a listener of its own and keeps what it accepts: no accept thread exists.
        assertEquals(2, threadsA.size(), "connections of a reach both of its loops: " + threadsA);
        assertEquals(2, threadsB.size(), "connections of b reach both of its loops: " + threadsB);
        assertEquals(Set.of(), liveThreads("gev-a-accept"));
    }

    private static Handler<ByteBuffer> recordingThreads(Set<String> threads) {
        return new Handler<ByteBuffer>() {
            @Override
            public void onConnect(Connection connection) {
                threads.add(Thread.currentThread().getName());
            }

            @Override
            public Object onMessage(Connection connection, Object context, ByteBuffer payload) {
                return payload;
            }
        };
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void idleTimeoutClosesIdleConnectionsAndKeepsActiveOnes(Transport transport) throws Exception {
        Server server = servers.start(TestServers.local(ECHO, transport).idleTimeout(Duration.ofMillis(400)));
        try (TestClient idle = TestClient.connect(server); TestClient active = TestClient.connect(server)) {
            echoOnce(idle, "once");
            long start = System.nanoTime();
            // The active client talks every 100 ms, well inside the timeout, for 1.2 s.
            while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(1200)) {
                echoOnce(active, "tick");
                Thread.sleep(100);
            }
            assertTrue(idle.awaitClosed(), "the idle connection is closed");
            echoOnce(active, "still here");
            await("1 idle close(s)", () -> server.stats().closedConnections(CloseReason.IDLE) == 1);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void timersFireOnALoopAndCancel(Transport transport) throws Exception {
        Server server = servers.start(TestServers.local(ECHO, transport).name("timers"));
        CountDownLatch once = new CountDownLatch(1);
        AtomicReference<String> thread = new AtomicReference<>();
        Timer after = server.runAfter(Duration.ofMillis(30), () -> {
            thread.set(Thread.currentThread().getName());
            once.countDown();
        });
        assertTrue(once.await(10, TimeUnit.SECONDS));
        assertTrue(thread.get().startsWith("gev-timers-"), thread.get());
        assertFalse(after.cancel(), "a timer that ran cannot be cancelled");

        AtomicInteger ticks = new AtomicInteger();
        CountDownLatch three = new CountDownLatch(3);
        Timer every = server.runEvery(Duration.ofMillis(10), () -> {
            ticks.incrementAndGet();
            three.countDown();
            throw new IllegalStateException("a failing run does not stop the timer");
        });
        assertTrue(three.await(10, TimeUnit.SECONDS));
        assertTrue(every.cancel());
        assertTrue(every.isCancelled());
        // Runs are on loop 0: a task queued there after the cancel runs after any tick in flight.
        CountDownLatch barrier = new CountDownLatch(1);
        server.loops().get(0).execute(barrier::countDown);
        assertTrue(barrier.await(10, TimeUnit.SECONDS));
        int afterCancel = ticks.get();
        CountDownLatch later = new CountDownLatch(1);
        server.runAfter(Duration.ofMillis(100), later::countDown);
        assertTrue(later.await(10, TimeUnit.SECONDS));
        assertEquals(afterCancel, ticks.get(), "no run after cancel");

        Timer cancelled = server.runAfter(Duration.ofMillis(50), () -> ticks.addAndGet(1000));
        assertTrue(cancelled.cancel());
        CountDownLatch after100 = new CountDownLatch(1);
        server.runAfter(Duration.ofMillis(150), after100::countDown);
        assertTrue(after100.await(10, TimeUnit.SECONDS));
        assertTrue(ticks.get() < 1000, "a cancelled one-shot timer does not run");
    }

    @Test
    void timersNeedARunningServer() {
        Server server = TestServers.local(ECHO, Transport.AUTO).build();
        assertThrows(IllegalStateException.class, () -> server.runAfter(Duration.ofMillis(1), () -> { }));
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void maxConnectionsRejectsConnectionsOverTheLimit(Transport transport) throws Exception {
        CountingHandler handler = new CountingHandler();
        Server server = servers.start(TestServers.local(handler, transport).maxConnections(2));
        try (TestClient first = TestClient.connect(server); TestClient second = TestClient.connect(server)) {
            echoOnce(first, "1");
            echoOnce(second, "2");
            try (TestClient third = TestClient.connect(server)) {
                assertTrue(third.awaitClosed(), "the third connection is closed at once");
            }
            await("1 rejected close(s)", () -> server.stats().closedConnections(CloseReason.REJECTED) == 1);
            assertEquals(2, handler.connects.get(), "a rejected connection never reaches the handler");
            first.close();
            await("the first connection to close", () -> server.stats().activeConnections() == 1);
            try (TestClient again = TestClient.connect(server)) {
                echoOnce(again, "room again");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void stopDeliversQueuedRepliesWithinTheGracePeriod(Transport transport) throws Exception {
        byte[] big = new byte[8 * 1024 * 1024];
        new java.util.Random(7).nextBytes(big);
        CountDownLatch queued = new CountDownLatch(1);
        AtomicInteger closes = new AtomicInteger();
        Handler<ByteBuffer> handler = new Handler<ByteBuffer>() {
            @Override
            public Object onMessage(Connection connection, Object context, ByteBuffer payload) {
                queued.countDown();
                return big;
            }

            @Override
            public void onClose(Connection connection) {
                closes.incrementAndGet();
            }
        };
        Server server = servers.start(TestServers.local(handler, transport).writeBufferLimit(32 * 1024 * 1024)
                .writeBufferHighWaterMark(16 * 1024 * 1024));
        try (TestClient client = TestClient.connect(server)) {
            client.write("give");
            assertTrue(queued.await(10, TimeUnit.SECONDS));
            Thread stopper = new Thread(() -> server.stop(Duration.ofSeconds(30)));
            stopper.start();
            // Stop is in progress while the client has most of the reply still to read.
            assertArrayEquals(big, client.readExactly(big.length));
            assertTrue(client.awaitClosed());
            stopper.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(stopper.isAlive());
        }
        assertEquals(1, closes.get());
        await("1 shutdown close(s)", () -> server.stats().closedConnections(CloseReason.SHUTDOWN) == 1);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void stopClosesStuckConnectionsWhenTheGracePeriodEnds(Transport transport) throws Exception {
        AtomicInteger closes = new AtomicInteger();
        Handler<ByteBuffer> handler = new Handler<ByteBuffer>() {
            @Override
            public Object onMessage(Connection connection, Object context, ByteBuffer payload) {
                return new byte[8 * 1024 * 1024];
            }

            @Override
            public void onClose(Connection connection) {
                closes.incrementAndGet();
            }
        };
        Server server = servers.start(TestServers.local(handler, transport).writeBufferLimit(32 * 1024 * 1024)
                .writeBufferHighWaterMark(16 * 1024 * 1024));
        List<TestClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                TestClient client = TestClient.connect(server);
                clients.add(client);
                client.write("never reads");
            }
            await("replies to be queued", () -> server.stats().writeBufferBytes() > 0
                    && server.stats().messagesIn() == 4);
            long start = System.nanoTime();
            server.stop(Duration.ofMillis(300));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(tookMillis < 10_000, "stop returned after " + tookMillis + " ms");
            assertEquals(4, closes.get(), "each connection is closed exactly once");
            await("4 shutdown close(s)", () -> server.stats().closedConnections(CloseReason.SHUTDOWN) == 4);
        } finally {
            for (TestClient client : clients) {
                client.close();
            }
        }
    }
}
