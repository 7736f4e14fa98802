package io.gev.loop;

import io.gev.CloseReason;
import io.gev.Connection;
import io.gev.Handler;
import io.gev.Server;
import io.gev.ServerOptions;
import io.gev.testing.LogCapture;
import io.gev.testing.TestClient;
import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static io.gev.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LoadBalancerTest {

    /** An {@link EventLoop} with an index and a settable connection count; nothing else works. */
    private static final class FakeLoop implements EventLoop {
        private final int index;
        private int connections;

        FakeLoop(int index, int connections) {
            this.index = index;
            this.connections = connections;
        }

        @Override
        public int index() {
            return index;
        }

        @Override
        public boolean inEventLoop() {
            return false;
        }

        @Override
        public void execute(Runnable task) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Timer schedule(Duration delay, Runnable task) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Timer scheduleAtFixedRate(Duration period, Runnable task) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int connectionCount() {
            return connections;
        }

        @Override
        public String toString() {
            return "loop-" + index + "(" + connections + ")";
        }
    }

    private static List<FakeLoop> loops(int... counts) {
        List<FakeLoop> loops = new ArrayList<>();
        for (int i = 0; i < counts.length; i++) {
            loops.add(new FakeLoop(i, counts[i]));
        }
        return loops;
    }

    private static int pick(LoadBalancer lb, int... counts) {
        return lb.select(loops(counts)).index();
    }

    // ---- unit: roundRobin -------------------------------------------------------------------

    @Test
    void roundRobinCyclesInOrderAndWraps() {
        List<FakeLoop> loops = loops(0, 0, 0);
        LoadBalancer lb = LoadBalancer.roundRobin();
        int[] picked = new int[10];
        for (int i = 0; i < picked.length; i++) {
            EventLoop loop = lb.select(loops);
            assertSame(loops.get(loop.index()), loop, "must return an element of the list");
            picked[i] = loop.index();
        }
        assertEquals(List.of(0, 1, 2, 0, 1, 2, 0, 1, 2, 0), toList(picked));
    }

    @Test
    void roundRobinIgnoresConnectionCounts() {
        List<FakeLoop> loops = loops(100, 0, 5);
        LoadBalancer lb = LoadBalancer.roundRobin();
        assertEquals(0, lb.select(loops).index());
        assertEquals(1, lb.select(loops).index());
        assertEquals(2, lb.select(loops).index());
    }

    @Test
    void roundRobinInstancesAreIndependent() {
        List<FakeLoop> loops = loops(0, 0, 0);
        LoadBalancer a = LoadBalancer.roundRobin();
        LoadBalancer b = LoadBalancer.roundRobin();
        assertEquals(0, a.select(loops).index());
        assertEquals(1, a.select(loops).index());
        assertEquals(0, b.select(loops).index(), "a new round robin starts at the first loop");
        assertEquals(2, a.select(loops).index());
    }

    @Test
    void roundRobinOverASingleLoopAlwaysPicksIt() {
        List<FakeLoop> loops = loops(3);
        LoadBalancer lb = LoadBalancer.roundRobin();
        for (int i = 0; i < 5; i++) {
            assertSame(loops.get(0), lb.select(loops));
        }
    }

    // ---- unit: leastConnections -------------------------------------------------------------

    @Test
    void leastConnectionsPicksTheLowestCount() {
        LoadBalancer lb = LoadBalancer.leastConnections();
        assertEquals(1, pick(lb, 3, 1, 2));
        assertEquals(2, pick(lb, 4, 2, 0));
        assertEquals(0, pick(lb, 0, 7, 7));
        assertEquals(2, pick(lb, 9, 8, 7));
        assertEquals(3, pick(lb, 5, 5, 5, 4));
    }

    @Test
    void leastConnectionsBreaksTiesByLowestIndex() {
        LoadBalancer lb = LoadBalancer.leastConnections();
        assertEquals(0, pick(lb, 0, 0, 0));
        assertEquals(0, pick(lb, 5, 5, 5));
        assertEquals(1, pick(lb, 2, 1, 1));
        assertEquals(1, pick(lb, 1, 0, 0));
        assertEquals(2, pick(lb, 3, 2, 1, 1));
        assertEquals(0, pick(lb, 7));
    }

    @Test
    void leastConnectionsFollowsChangingCounts() {
        List<FakeLoop> loops = loops(0, 0, 0);
        LoadBalancer lb = LoadBalancer.leastConnections();
        // Simulate the loops accepting what the balancer hands them.
        List<Integer> picked = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            FakeLoop loop = (FakeLoop) lb.select(loops);
            loop.connections++;
            picked.add(loop.index());
        }
        assertEquals(List.of(0, 1, 2, 0, 1, 2), picked);
        loops.get(1).connections = 0;
        assertEquals(1, lb.select(loops).index());
    }

    // ---- integration ------------------------------------------------------------------------

    /** Records the loop index of every onConnect and onClose. */
    private static final class Recorder implements Handler<ByteBuffer> {
        final BlockingQueue<Integer> connected = new LinkedBlockingQueue<>();
        final BlockingQueue<Integer> closed = new LinkedBlockingQueue<>();

        @Override
        public void onConnect(Connection connection) {
            connected.add(connection.loop().index());
        }

        @Override
        public Object onMessage(Connection connection, Object context, ByteBuffer payload) {
            return payload;
        }

        @Override
        public void onClose(Connection connection) {
            closed.add(connection.loop().index());
        }
    }

    private static int next(BlockingQueue<Integer> queue, String what) throws InterruptedException {
        Integer index = queue.poll(TestClient.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        assertNotNull(index, what + " did not happen within " + TestClient.TIMEOUT_MILLIS + " ms");
        return index;
    }

    private static Server start(Transport transport, LoadBalancer lb, Recorder recorder) {
        Assumptions.assumeTrue(transport != Transport.EPOLL || Epoll.isAvailable(),
                "native epoll unavailable: " + Epoll.unavailabilityCause());
        Server server = Server.builder(recorder).name("lb-test").address("127.0.0.1").port(0).loops(3)
                .transport(transport).loadBalancer(lb).build();
        server.start();
        assertEquals(transport, server.transport());
        assertEquals(3, server.loops().size());
        return server;
    }

    private static void closeAll(List<TestClient> clients) {
        for (TestClient c : clients) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void roundRobinSpreadsConnectionsEvenly(Transport transport) throws Exception {
        Recorder recorder = new Recorder();
        Server server = start(transport, LoadBalancer.roundRobin(), recorder);
        List<TestClient> clients = new ArrayList<>();
        try {
            List<Integer> order = new ArrayList<>();
            int[] perLoop = new int[3];
            for (int i = 0; i < 9; i++) {
                clients.add(TestClient.connect(server));
                int index = next(recorder.connected, "onConnect of connection " + i);
                order.add(index);
                perLoop[index]++;
            }
            assertEquals(List.of(3, 3, 3), toList(perLoop), "connections per loop, in order " + order);
            assertEquals(List.of(0, 1, 2, 0, 1, 2, 0, 1, 2), order);
            for (EventLoop loop : server.loops()) {
                assertEquals(3, loop.connectionCount(), "connectionCount of loop " + loop.index());
            }
            // Every connection works on the loop it was given.
            for (TestClient c : clients) {
                c.write("ping");
                assertEquals("ping", c.readString(4));
            }
        } finally {
            closeAll(clients);
            server.stop(Duration.ofSeconds(1));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void leastConnectionsRefillsTheLoopThatLostAConnection(Transport transport) throws Exception {
        Recorder recorder = new Recorder();
        Server server = start(transport, LoadBalancer.leastConnections(), recorder);
        List<TestClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                clients.add(TestClient.connect(server));
                assertEquals(i, next(recorder.connected, "onConnect of connection " + i),
                        "with equal counts the lowest index wins, so connection " + i + " goes to loop " + i);
            }
            TestClient onLoop1 = clients.remove(1);
            onLoop1.close();
            assertEquals(1, next(recorder.closed, "onClose of the connection on loop 1"));
            assertEquals(0, server.loops().get(1).connectionCount());

            clients.add(TestClient.connect(server));
            assertEquals(1, next(recorder.connected, "onConnect of the fourth connection"),
                    "the fourth connection must go to the loop with no connections");
            for (EventLoop loop : server.loops()) {
                assertEquals(1, loop.connectionCount(), "connectionCount of loop " + loop.index());
            }
        } finally {
            closeAll(clients);
            server.stop(Duration.ofSeconds(1));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void customBalancerSeesTheServersLoops(Transport transport) throws Exception {
        Recorder recorder = new Recorder();
        BlockingQueue<Integer> sizes = new LinkedBlockingQueue<>();
        LoadBalancer last = loops -> {
            sizes.add(loops.size());
            return loops.get(loops.size() - 1);
        };
        Server server = start(transport, last, recorder);
        List<TestClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                clients.add(TestClient.connect(server));
                assertEquals(2, next(recorder.connected, "onConnect of connection " + i));
                assertEquals(3, next(sizes, "select() call " + i));
            }
            assertEquals(3, server.loops().get(2).connectionCount());
            assertEquals(0, server.loops().get(0).connectionCount());
        } finally {
            closeAll(clients);
            server.stop(Duration.ofSeconds(1));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void serversBuiltFromOneOptionsEachGetTheirOwnRoundRobin(Transport transport) throws Exception {
        Assumptions.assumeTrue(transport != Transport.EPOLL || Epoll.isAvailable(),
                "native epoll unavailable: " + Epoll.unavailabilityCause());
        ServerOptions shared = ServerOptions.builder().address("127.0.0.1").port(0).loops(2).transport(transport)
                .daemonThreads(true).build();
        Recorder recorderA = new Recorder();
        Recorder recorderB = new Recorder();
        Server a = Server.builder(recorderA).options(shared).name("a").build();
        Server b = Server.builder(recorderB).options(shared).name("b").build();
        List<TestClient> clients = new ArrayList<>();
        try {
            a.start();
            b.start();
            List<Integer> orderA = new ArrayList<>();
            List<Integer> orderB = new ArrayList<>();
            // Alternating: a round robin shared by both would send all of a's to one loop, all of b's to the other.
            for (int i = 0; i < 4; i++) {
                clients.add(TestClient.connect(a));
                orderA.add(next(recorderA.connected, "onConnect of connection " + i + " to a"));
                clients.add(TestClient.connect(b));
                orderB.add(next(recorderB.connected, "onConnect of connection " + i + " to b"));
            }
            assertEquals(List.of(0, 1, 0, 1), orderA, "loops of server a");
            assertEquals(List.of(0, 1, 0, 1), orderB, "loops of server b");
        } finally {
            closeAll(clients);
            a.stop(Duration.ofSeconds(1));
            b.stop(Duration.ofSeconds(1));
        }
    }

    /** What a broken balancer answers. */
    enum Broken {
        /** An EventLoop of its own making. */
        FOREIGN_LOOP,
        /** A loop of another gev server. */
        OTHER_SERVERS_LOOP,
        NULL,
        THROWS
    }

    /** Answers wrongly for the first {@code broken} calls, then picks the first loop. */
    private static final class BrokenBalancer implements LoadBalancer {
        private final int broken;
        private final Function<List<? extends EventLoop>, EventLoop> answer;
        private int calls;

        BrokenBalancer(int broken, Function<List<? extends EventLoop>, EventLoop> answer) {
            this.broken = broken;
            this.answer = answer;
        }

        @Override
        public EventLoop select(List<? extends EventLoop> loops) {
            return calls++ < broken ? answer.apply(loops) : loops.get(0);
        }

        @Override
        public String toString() {
            return "broken-balancer";
        }
    }

    @ParameterizedTest
    @EnumSource(Broken.class)
    void aBalancerThatPicksNoLoopOfTheServerCostsTheConnectionNotTheServer(Broken broken) throws Exception {
        Server other = Server.builder((c, ctx, p) -> p).name("other").address("127.0.0.1").port(0).loops(1)
                .daemonThreads(true).build();
        other.start();
        EventLoop foreign = new FakeLoop(7, 0);
        Function<List<? extends EventLoop>, EventLoop> answer;
        String said;
        switch (broken) {
            case FOREIGN_LOOP:
                answer = loops -> foreign;
                said = "returned loop-7(0)";
                break;
            case OTHER_SERVERS_LOOP:
                answer = loops -> other.loops().get(0);
                said = "returned other-loop-0";
                break;
            case NULL:
                answer = loops -> null;
                said = "returned null";
                break;
            default:
                answer = loops -> {
                    throw new IllegalStateException("balancer bug");
                };
                said = "threw java.lang.IllegalStateException: balancer bug";
        }
        int refused = 20;
        Recorder recorder = new Recorder();
        // Fewer slots than refusals: a refused connection must give its slot back.
        Server server = Server.builder(recorder).name("lb-test").address("127.0.0.1").port(0).loops(2)
                .maxConnections(5).loadBalancer(new BrokenBalancer(refused, answer)).daemonThreads(true).build();
        try (LogCapture log = LogCapture.start()) {
            server.start();
            long start = System.nanoTime();
            for (int i = 0; i < refused; i++) {
                try (TestClient client = TestClient.connect(server)) {
                    assertTrue(client.awaitClosed(), "connection " + i + " must be closed at once");
                }
            }
            await(refused + " rejected closes",
                    () -> server.stats().closedConnections(CloseReason.REJECTED) == refused);
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(0, recorder.connected.size(), "a refused connection never reaches the handler");
            assertEquals(0, server.stats().acceptedConnections());
            assertEquals(0, other.stats().activeConnections(), "nothing lands on the other server's loop");

            // The accept thread lives on: the next connection is served.
            try (TestClient client = TestClient.connect(server)) {
                assertEquals(0, next(recorder.connected, "onConnect after the refusals"));
                client.write("still here");
                assertEquals("still here", client.readString(10));
            }

            String line = log.awaitLine("ERROR", "lb-test", "load balancer broken-balancer", said);
            assertTrue(line.contains("refusing the connection"), line);
            long lines = log.text().lines().filter(l -> l.contains("load balancer broken-balancer")).count();
            assertTrue(lines >= 1 && lines <= 1 + elapsedMillis / 1000,
                    lines + " error lines for " + refused + " refusals in " + elapsedMillis + " ms: at most one a second");
        } finally {
            server.stop(Duration.ofSeconds(1));
            other.stop(Duration.ofSeconds(1));
        }
    }

    private static List<Integer> toList(int[] values) {
        List<Integer> list = new ArrayList<>();
        for (int v : values) {
            list.add(v);
        }
        return list;
    }
}
