package io.gev;

import io.gev.loop.EventLoop;
import io.gev.loop.Transport;
import io.gev.testing.Await;
import io.gev.testing.LogCapture;
import io.gev.testing.TestClient;
import io.gev.testing.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
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
import java.util.concurrent.locks.LockSupport;

import static io.gev.ServerTest.liveThreads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Servers sharing {@link EventLoops}, and servers that stop and start again. */
@Timeout(60)
class EventLoopsTest {

    @RegisterExtension
    final TestServers servers = new TestServers();

    private final List<EventLoops> groups = new ArrayList<>();

    @AfterEach
    void closeLoops() {
        servers.stopAll();
        for (EventLoops loops : groups) {
            loops.close();
        }
    }

    private EventLoops loops(String name, Transport transport) {
        EventLoops loops = EventLoops.builder().name(name).loops(2).transport(transport).daemonThreads(true).build();
        groups.add(loops);
        return loops;
    }

    /** An echo that records the thread each message ran on. */
    private static Handler<ByteBuffer> recordingEcho(Set<String> threads) {
        return (c, ctx, payload) -> {
            threads.add(Thread.currentThread().getName());
            return payload;
        };
    }

    private static void echoOnce(Server server, String text) throws IOException {
        try (TestClient client = TestClient.connect(server)) {
            client.write(text);
            assertEquals(text, client.readString(text.getBytes(StandardCharsets.UTF_8).length));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void threeServersRunOnTheThreadsOfOneGroup(Transport transport) throws Exception {
        EventLoops loops = loops("shared-" + transport, transport);
        assertEquals(Set.of(), liveThreads("gev-shared-" + transport), "threads start with the first server");
        Set<String> threads = ConcurrentHashMap.newKeySet();
        List<Server> started = new ArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            started.add(servers.start(TestServers.local(recordingEcho(threads), Transport.AUTO)
                    .name(name + "-" + transport).eventLoops(loops)));
        }
        for (Server server : started) {
            assertEquals(transport, server.transport());
            assertEquals(2, server.loops().size());
            for (int i = 0; i < 4; i++) {
                echoOnce(server, server.name() + " " + i);
            }
        }
        String prefix = "gev-shared-" + transport + "-";
        assertEquals(Set.of(prefix + "0", prefix + "1", prefix + "accept", prefix + "watchdog"), liveThreads(prefix),
                "two loops, one acceptor and one watchdog for the three servers");
        assertEquals(Set.of(prefix + "0", prefix + "1"), threads, "every message ran on the group's two loops");
        for (Server server : started) {
            assertEquals(Set.of(), liveThreads("gev-" + server.name()), "no server has threads of its own");
        }
        assertEquals(List.of("a-" + transport, "b-" + transport, "c-" + transport), loops.servers());
    }

    @Test
    void eachServerKeepsItsOwnCountersAndLoopsOnSharedThreads() throws Exception {
        EventLoops loops = loops("counters", Transport.AUTO);
        Server a = servers.start(TestServers.local((c, ctx, p) -> p, Transport.AUTO).name("ca").eventLoops(loops));
        Server b = servers.start(TestServers.local((c, ctx, p) -> p, Transport.AUTO).name("cb").eventLoops(loops));
        echoOnce(a, "one");
        echoOnce(a, "two");
        echoOnce(b, "three");
        Await.await("both closes counted", () -> a.stats().activeConnections() == 0 && b.stats().activeConnections() == 0);
        assertEquals(2, a.stats().acceptedConnections());
        assertEquals(1, b.stats().acceptedConnections());
        assertEquals(6, a.stats().bytesIn());
        assertEquals(5, b.stats().bytesIn());
        EventLoop first = a.loops().get(0);
        assertNotEquals(first, b.loops().get(0), "each server has its own view of a shared loop");
    }

    @Test
    void stoppingOneServerLeavesTheOthersAndTheThreadsRunning() throws Exception {
        EventLoops loops = loops("stop-one", Transport.AUTO);
        Server a = servers.start(TestServers.local((c, ctx, p) -> p, Transport.AUTO).name("sa").eventLoops(loops));
        Server b = servers.start(TestServers.local((c, ctx, p) -> p, Transport.AUTO).name("sb").eventLoops(loops));
        try (TestClient onA = TestClient.connect(a); TestClient onB = TestClient.connect(b)) {
            onA.write("x");
            assertEquals("x", onA.readString(1));
            a.stop(Duration.ofSeconds(5));
            assertTrue(onA.awaitClosed(), "the stopped server closed its connection");
            onB.write("still here");
            assertEquals("still here", onB.readString(10));
        }
        assertEquals(List.of("sb"), loops.servers());
        assertEquals(4, liveThreads("gev-stop-one-").size(), "loops, acceptor and watchdog run on");
        IllegalStateException e = assertThrows(IllegalStateException.class, loops::close);
        assertTrue(e.getMessage().contains("[sb]") && e.getMessage().contains("stop them first"), e.getMessage());
        b.stop(Duration.ofSeconds(5));
        loops.close();
        assertTrue(loops.isClosed());
        assertEquals(Set.of(), liveThreads("gev-stop-one-"), "close() waits for the threads");
        loops.close(); // again: nothing
        IllegalStateException closed = assertThrows(IllegalStateException.class, b::start);
        assertTrue(closed.getMessage().contains("shut down"), closed.getMessage());
    }

    @Test
    void timersOfAStoppedServerEndAlthoughItsLoopsRunOn() throws Exception {
        EventLoops loops = loops("timers", Transport.AUTO);
        Server stopped = servers.start(TestServers.local((c, ctx, p) -> p, Transport.AUTO).name("ta").eventLoops(loops));
        AtomicInteger stoppedTicks = new AtomicInteger();
        CountDownLatch ticking = new CountDownLatch(3);
        stopped.runEvery(Duration.ofMillis(5), () -> {
            stoppedTicks.incrementAndGet();
            ticking.countDown();
        });
        AtomicInteger oneShot = new AtomicInteger();
        stopped.runAfter(Duration.ofMillis(100), oneShot::incrementAndGet);
        assertTrue(ticking.await(10, TimeUnit.SECONDS));
        stopped.stop(Duration.ZERO);
        int atStop = stoppedTicks.get();

        // The other server's timer on the same loop is the clock: 40 of its 5 ms ticks.
        Server running = servers.start(TestServers.local((c, ctx, p) -> p, Transport.AUTO).name("tb").eventLoops(loops));
        CountDownLatch clock = new CountDownLatch(40);
        running.runEvery(Duration.ofMillis(5), clock::countDown);
        assertTrue(clock.await(10, TimeUnit.SECONDS));
        assertEquals(atStop, stoppedTicks.get(), "a periodic timer of a stopped server does not run again");
        assertEquals(0, oneShot.get(), "a one-shot timer of a stopped server does not run");
    }

    @Test
    void idleTimeoutsArePerServerOnSharedLoops() throws Exception {
        EventLoops loops = loops("idle", Transport.AUTO);
        Server idle = servers.start(TestServers.local((c, ctx, p) -> p, Transport.AUTO).name("ia")
                .idleTimeout(Duration.ofMillis(100)).eventLoops(loops));
        Server patient = servers.start(TestServers.local((c, ctx, p) -> p, Transport.AUTO).name("ib").eventLoops(loops));
        try (TestClient onIdle = TestClient.connect(idle); TestClient onPatient = TestClient.connect(patient)) {
            onPatient.write("a");
            assertEquals("a", onPatient.readString(1));
            assertTrue(onIdle.awaitClosed(), "the idle server closes its silent connection");
            onPatient.write("b");
            assertEquals("b", onPatient.readString(1), "the other server has no idle timeout");
        }
        assertEquals(1, idle.stats().closedConnections(CloseReason.IDLE));
        assertEquals(0, patient.stats().closedConnections(CloseReason.IDLE));
    }

    @Test
    void aServerAskingForAnotherTransportThanItsLoopsFailsToStart() throws Exception {
        EventLoops loops = loops("mismatch", Transport.NIO);
        Server nio = servers.start(TestServers.local((c, ctx, p) -> p, Transport.NIO).name("ma").eventLoops(loops));
        Server epoll = TestServers.local((c, ctx, p) -> p, Transport.EPOLL).name("mb").eventLoops(loops).build();
        ServerStartException e = assertThrows(ServerStartException.class, epoll::start);
        assertTrue(e.getMessage().contains("asks for transport EPOLL") && e.getMessage().contains("NIO"),
                e.getMessage());
        assertFalse(epoll.isRunning());
        assertEquals(List.of("ma"), loops.servers(), "the failed server left the loops");
        echoOnce(nio, "unharmed");
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aStoppedServerStartsAgainOnItsOwnLoops(Transport transport) throws Exception {
        Server server = servers.start(TestServers.local((c, ctx, p) -> p, transport).name("restart-" + transport));
        echoOnce(server, "first run");
        server.stop(Duration.ofSeconds(5));
        assertEquals(Set.of(), liveThreads("gev-restart-" + transport));
        server.start();
        assertTrue(server.isRunning());
        assertEquals(0, server.stats().acceptedConnections(), "counters start from zero");
        echoOnce(server, "second run");
        assertEquals(1, server.stats().acceptedConnections());
        assertFalse(liveThreads("gev-restart-" + transport).isEmpty());
    }

    @Test
    void aStoppedServerStartsAgainOnTheSamePortAndSharedLoops() throws Exception {
        EventLoops loops = loops("restart-shared", Transport.AUTO);
        Server server = servers.start(TestServers.local((c, ctx, p) -> p, Transport.AUTO).name("rs").eventLoops(loops));
        int port = server.port();
        server.stop(Duration.ofSeconds(5));
        Server fixed = TestServers.local((c, ctx, p) -> p, Transport.AUTO).name("rs").port(port).eventLoops(loops)
                .build();
        servers.start(fixed);
        echoOnce(fixed, "bound");
        fixed.stop(Duration.ofSeconds(5));
        fixed.start();
        assertEquals(port, fixed.port(), "a stopped server released its port and binds it again");
        echoOnce(fixed, "bound again");
    }

    @Test
    void aServerThatFailedToStartCanStartLater() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Server server = TestServers.local((c, ctx, p) -> p, Transport.AUTO).name("later").port(taken.getLocalPort())
                    .build();
            assertThrows(ServerStartException.class, server::start);
            int port = taken.getLocalPort();
            taken.close();
            servers.start(server);
            assertEquals(port, server.port());
            echoOnce(server, "now");
        }
    }

    @Test
    void aBlockedSharedLoopIsReportedUnderTheGroupsName() {
        EventLoops loops = EventLoops.builder().name("watched").loops(1).daemonThreads(true)
                .blockedLoopWarning(Duration.ofMillis(100)).build();
        groups.add(loops);
        Server server = servers.start(TestServers.local((c, ctx, p) -> p, Transport.AUTO).name("user")
                .eventLoops(loops).build());
        try (LogCapture log = LogCapture.start()) {
            // Blocking a loop on purpose is what this test is about.
            server.loops().get(0).execute(() -> LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(400)));
            log.awaitLine("gev event loops 'watched': loop gev-watched-0 has been running one callback or task for");
            log.awaitLine("gev event loops 'watched': loop gev-watched-0 runs again after being blocked");
        }
        assertEquals(1, server.stats().blockedLoopStalls());
    }

    @Test
    void theBuilderNamesTheBadArgument() {
        EventLoops.Builder builder = EventLoops.builder();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> builder.loops(-1)).getMessage().contains("loops"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> builder.name(" ")).getMessage().contains("name"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> builder.blockedLoopWarning(Duration.ofMillis(-1))).getMessage().contains("blockedLoopWarning"));
        assertTrue(assertThrows(NullPointerException.class, () -> builder.transport(null)).getMessage()
                .contains("transport"));
        EventLoops built = builder.loops(0).blockedLoopWarning(Duration.ZERO).build();
        groups.add(built);
        assertEquals(Runtime.getRuntime().availableProcessors(), built.size(), "0 loops: one per processor");
        assertEquals(EventLoops.DEFAULT_NAME, built.name());
        assertEquals(Transport.AUTO, built.transport(), "AUTO until a server starts");
    }
}
