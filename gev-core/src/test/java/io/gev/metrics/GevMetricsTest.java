package io.gev.metrics;

import io.gev.Client;
import io.gev.CloseReason;
import io.gev.Connection;
import io.gev.Handler;
import io.gev.HandlerExecution;
import io.gev.Server;
import io.gev.protocol.LineProtocol;
import io.gev.testing.EchoProbe;
import io.gev.testing.TestCertificates;
import io.gev.testing.TestClient;
import io.gev.websocket.WebSocketHandler;
import io.gev.websocket.WebSocketMessage;
import io.gev.websocket.WebSocketServer;
import io.gev.websocket.WebSocketSession;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GevMetricsTest {

    private static final String NAME = "metrics-test";
    private static final int CONNECTIONS = 3;
    private static final int ROUND_TRIPS = 5;
    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.UTF_8);

    private static Server startEcho(String name) {
        Server server = Server.builder((c, ctx, p) -> p).name(name).address("127.0.0.1").port(0).loops(2).build();
        server.start();
        return server;
    }

    @Test
    void theHandlerBacklogCountsMessagesWaitingForAnOffloadedHandler() throws Exception {
        CountDownLatch open = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Handler<ByteBuffer> stalled = (c, ctx, line) -> {
            try {
                open.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return line;
        };
        Server server = Server.builder(LineProtocol.builder().build(), stalled).name("backlog-test")
                .address("127.0.0.1").port(0).loops(1).handlerExecution(HandlerExecution.executor(pool)).build();
        server.start();
        try (TestClient client = TestClient.connect(server)) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new GevMetrics(server).bindTo(registry);
            Gauge backlog = registry.find("gev.handler.backlog").tag("server", "backlog-test").gauge();
            assertEquals(0, backlog.value());
            client.write("a\nb\nc\n");
            awaitEquals(3.0, backlog::value, "gev.handler.backlog");
            open.countDown();
            assertEquals("a\nb\nc\n", client.readString(6));
            awaitEquals(0.0, backlog::value, "gev.handler.backlog");
        } finally {
            open.countDown();
            server.stop(Duration.ofSeconds(5));
            pool.shutdownNow();
        }
    }

    @Test
    void metersReflectTraffic() throws Exception {
        Server server = startEcho(NAME);
        List<TestClient> clients = new ArrayList<>();
        try {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new GevMetrics(server).bindTo(registry);

            // Idle server: everything zero.
            assertEquals(0, gauge(registry, "gev.connections"));
            assertEquals(0, counter(registry, "gev.connections.accepted"));
            assertEquals(0, counter(registry, "gev.bytes.in"));

            long bytes = 0;
            long roundTrips = 0;
            for (int i = 0; i < CONNECTIONS; i++) {
                clients.add(TestClient.connect(server));
            }
            for (TestClient client : clients) {
                // One write, then read the echo back before the next write: each round trip is one
                // server read, so one message each way.
                for (int r = 0; r < ROUND_TRIPS; r++) {
                    client.write(HELLO);
                    assertEquals("hello", client.readString(HELLO.length));
                    bytes += HELLO.length;
                    roundTrips++;
                }
            }
            long totalBytes = bytes;
            long totalRoundTrips = roundTrips;
            awaitEquals(3.0, () -> gauge(registry, "gev.connections"), "gev.connections with 3 open");

            clients.remove(0).close();

            awaitEquals(2.0, () -> gauge(registry, "gev.connections"), "gev.connections");
            awaitEquals(1.0, () -> closed(registry, CloseReason.PEER), "gev.connections.closed{reason=peer}");
            awaitEquals(3.0, () -> counter(registry, "gev.connections.accepted"), "gev.connections.accepted");
            awaitEquals(totalBytes, () -> counter(registry, "gev.bytes.in"), "gev.bytes.in");
            awaitEquals(totalBytes, () -> counter(registry, "gev.bytes.out"), "gev.bytes.out");
            awaitEquals(totalRoundTrips, () -> counter(registry, "gev.messages.in"), "gev.messages.in");
            awaitEquals(totalRoundTrips, () -> counter(registry, "gev.messages.out"), "gev.messages.out");
            awaitEquals(0.0, () -> gauge(registry, "gev.write.buffer"), "gev.write.buffer");

            // Exactly one close, for the right reason.
            for (CloseReason reason : CloseReason.values()) {
                if (reason != CloseReason.PEER) {
                    assertEquals(0, closed(registry, reason), "gev.connections.closed{reason=" + reason.tag() + "}");
                }
            }
            assertEquals(CloseReason.values().length,
                    registry.find("gev.connections.closed").tag("server", NAME).functionCounters().size(),
                    "one closed counter per reason");

            // One pending-tasks gauge per loop, tagged with the loop index.
            Set<String> loopTags = new TreeSet<>();
            for (Gauge g : registry.find("gev.loop.tasks.pending").tag("server", NAME).gauges()) {
                loopTags.add(g.getId().getTag("loop"));
                assertTrue(g.value() >= 0, "pending tasks of loop " + g.getId().getTag("loop") + ": " + g.value());
            }
            assertEquals(Set.of("0", "1"), loopTags);
            assertNotNull(registry.find("gev.loop.tasks.pending").tags("server", NAME, "loop", "0").gauge());
            assertNotNull(registry.find("gev.loop.tasks.pending").tags("server", NAME, "loop", "1").gauge());

            // The meters agree with ServerStats.
            assertEquals(server.stats().bytesIn(), (long) counter(registry, "gev.bytes.in"));
            assertEquals(server.stats().acceptedConnections(), (long) counter(registry, "gev.connections.accepted"));
            assertEquals(server.stats().activeConnections(), (int) gauge(registry, "gev.connections"));
        } finally {
            for (TestClient c : clients) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            server.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void metersBoundOnceFollowTheServerThroughARestart() throws Exception {
        Server server = Server.builder((c, ctx, p) -> p).name(NAME).address("127.0.0.1").port(0)
                .loops(1).build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new GevMetrics(server).bindTo(registry); // before the first start, as the starter binds
        try {
            for (int run = 1; run <= 2; run++) {
                server.start();
                try (TestClient client = TestClient.connect(server)) {
                    client.write(HELLO);
                    assertEquals("hello", client.readString(HELLO.length));
                    awaitEquals(1.0, () -> gauge(registry, "gev.connections"), "gev.connections, run " + run);
                    // A restarted server counts from zero: what this run read, not the sum of both.
                    awaitEquals(HELLO.length, () -> counter(registry, "gev.bytes.in"), "gev.bytes.in, run " + run);
                }
                server.stop(Duration.ofSeconds(1));
            }
        } finally {
            server.stop(Duration.ZERO);
        }
    }

    @Test
    void extraTagsAppearOnEveryMeter() throws Exception {
        Server server = startEcho("metrics-tags");
        try {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new GevMetrics(server, Tags.of("env", "test", "region", "eu")).bindTo(registry);

            List<Meter> meters = registry.getMeters();
            // connections, accepted, closed x reasons, bytes in/out, messages in/out, write buffer,
            // handshake timers and sessions (tls, upgrade), blocked loops, handler backlog, 2 loops
            assertEquals(1 + 1 + CloseReason.values().length + 2 + 2 + 1 + 2 + 2 + 1 + 1 + 2, meters.size(),
                    String.valueOf(ids(meters)));
            for (Meter m : meters) {
                assertTrue(m.getId().getName().startsWith("gev."), m.getId().toString());
                assertEquals("metrics-tags", m.getId().getTag("server"), m.getId().toString());
                assertEquals("server", m.getId().getTag("side"), m.getId().toString());
                assertEquals("test", m.getId().getTag("env"), m.getId().toString());
                assertEquals("eu", m.getId().getTag("region"), m.getId().toString());
            }
            assertNotNull(registry.find("gev.connections").tags("server", "metrics-tags", "env", "test").gauge());
            assertNotNull(registry.find("gev.connections.closed")
                    .tags("env", "test", "reason", CloseReason.IDLE.tag()).functionCounter());

            // The tagged meters are live, not copies taken at bind time.
            try (TestClient client = TestClient.connect(server)) {
                client.write(HELLO);
                assertEquals("hello", client.readString(HELLO.length));
                awaitEquals(1.0, () -> registry.find("gev.connections").tag("env", "test").gauge().value(),
                        "gev.connections{env=test}");
                awaitEquals(HELLO.length, () -> registry.find("gev.bytes.out").tag("region", "eu")
                        .functionCounter().count(), "gev.bytes.out{region=eu}");
            }
        } finally {
            server.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void handshakeTimersSessionGaugesAndTheBlockedLoopCounterMove() throws Exception {
        String name = "metrics-wss";
        TestCertificates certificates = TestCertificates.get();
        WebSocketHandler echo = new WebSocketHandler() {
            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                return message;
            }
        };
        Server server = WebSocketServer.builder(echo).name(name).address("127.0.0.1").port(0).loops(2)
                .daemonThreads(true).blockedLoopWarning(Duration.ofMillis(100))
                .tls(certificates.serverOptions().build()).build();
        server.start();
        try {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new GevMetrics(server).bindTo(registry);
            FunctionTimer tls = registry.find("gev.handshake.duration").tags("server", name, "kind", "tls")
                    .functionTimer();
            FunctionTimer upgrade = registry.find("gev.handshake.duration").tags("server", name, "kind", "upgrade")
                    .functionTimer();
            Gauge tlsSessions = registry.find("gev.sessions").tags("server", name, "kind", "tls").gauge();
            Gauge webSocketSessions = registry.find("gev.sessions").tags("server", name, "kind", "upgrade").gauge();
            FunctionCounter blocked = registry.find("gev.loop.blocked").tag("server", name).functionCounter();
            assertNotNull(tls);
            assertNotNull(upgrade);
            assertNotNull(tlsSessions);
            assertNotNull(webSocketSessions);
            assertNotNull(blocked);
            assertEquals(0, tls.count());
            assertEquals(0, blocked.count());
            assertEquals(BaseUnits.SESSIONS, tlsSessions.getId().getBaseUnit());
            assertEquals(BaseUnits.EVENTS, blocked.getId().getBaseUnit());
            assertEquals(BaseUnits.CONNECTIONS, registry.find("gev.connections").tag("server", name).gauge().getId()
                    .getBaseUnit());
            assertEquals(BaseUnits.TASKS, registry.find("gev.loop.tasks.pending").tag("server", name).gauge().getId()
                    .getBaseUnit());

            EchoProbe.Exchange ws = EchoProbe.webSocket(HttpClient.newBuilder()
                    .sslContext(certificates.clientContext()).build(), URI.create("wss://127.0.0.1:" + server.port() + "/"));
            ws.roundTrip(1);
            awaitEquals(1.0, tls::count, "TLS handshakes timed");
            awaitEquals(1.0, upgrade::count, "upgrades timed");
            assertTrue(tls.totalTime(TimeUnit.NANOSECONDS) > 0, "TLS handshake time");
            assertTrue(upgrade.totalTime(TimeUnit.NANOSECONDS) > 0, "upgrade time");
            // The timer keeps the total in its registry's base unit (seconds) as a double: the
            // nanoseconds come back within rounding, so round rather than truncate.
            assertEquals(server.stats().tlsHandshakeNanos(), Math.round(tls.totalTime(TimeUnit.NANOSECONDS)));
            assertEquals(1.0, tlsSessions.value());
            assertEquals(1.0, webSocketSessions.value());

            server.loops().get(0).execute(() -> LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(400)));
            awaitEquals(1.0, blocked::count, "gev.loop.blocked");

            ws.close();
            awaitEquals(0.0, webSocketSessions::value, "WebSocket sessions after the close");
            awaitEquals(0.0, tlsSessions::value, "TLS sessions after the close");
            assertEquals(1.0, tls.count(), "a timer does not go back");
        } finally {
            server.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void aClientsMetersCountWhatItsConnectionsDoTaggedSideClient() throws Exception {
        String serverName = "metrics-upstream";
        String clientName = "metrics-client";
        Server server = startEcho(serverName);
        BlockingQueue<String> echoes = new LinkedBlockingQueue<>();
        Client client = Client.builder((Handler<ByteBuffer>) (c, ctx, bytes) -> {
            echoes.add(StandardCharsets.UTF_8.decode(bytes).toString());
            return null;
        }).name(clientName).shutdownTimeout(Duration.ofSeconds(1)).build();
        try {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new GevMetrics(server).bindTo(registry);
            new GevMetrics(client).bindTo(registry); // before its first connect, as the starter binds
            Gauge open = registry.find("gev.connections").tags("server", clientName, "side", "client").gauge();
            FunctionCounter opened = registry.find("gev.connections.accepted")
                    .tags("server", clientName, "side", "client").functionCounter();
            assertNotNull(open);
            assertNotNull(opened);
            assertEquals(0, open.value());
            assertEquals(0, opened.count());
            assertEquals(Set.of("0"), loopTags(registry, clientName), "the client's one loop");

            Connection connection = client.connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS);
            for (int r = 0; r < ROUND_TRIPS; r++) {
                connection.send(ByteBuffer.wrap(HELLO));
                assertEquals("hello", echoes.poll(10, TimeUnit.SECONDS), "echo " + r);
            }
            long bytes = (long) ROUND_TRIPS * HELLO.length;
            awaitEquals(1.0, open::value, "gev.connections{side=client}");
            assertEquals(1.0, opened.count(), "gev.connections.accepted{side=client}: connections opened");
            awaitEquals(bytes, () -> clientCounter(registry, clientName, "gev.bytes.out"), "client bytes out");
            awaitEquals(bytes, () -> clientCounter(registry, clientName, "gev.bytes.in"), "client bytes in");
            awaitEquals(ROUND_TRIPS, () -> clientCounter(registry, clientName, "gev.messages.out"),
                    "client messages out");
            // The server's meters stay apart: its own name, side=server.
            Gauge serverOpen = registry.find("gev.connections").tags("server", serverName, "side", "server").gauge();
            assertNotNull(serverOpen);
            awaitEquals(1.0, serverOpen::value, "gev.connections{side=server}");
            assertEquals(bytes, server.stats().bytesIn());

            connection.close();
            awaitEquals(0.0, open::value, "gev.connections{side=client} after the close");
            awaitEquals(1.0, () -> registry.find("gev.connections.closed")
                    .tags("server", clientName, "side", "client", "reason", CloseReason.LOCAL.tag())
                    .functionCounter().count(), "gev.connections.closed{side=client,reason=local}");
            awaitEquals(1.0, () -> registry.find("gev.connections.closed")
                    .tags("server", serverName, "side", "server", "reason", CloseReason.PEER.tag())
                    .functionCounter().count(), "gev.connections.closed{side=server,reason=peer}");
            assertEquals(client.stats().bytesOut(), (long) clientCounter(registry, clientName, "gev.bytes.out"));

            // One set of tag keys per meter name, whichever side: what Prometheus insists on.
            Map<String, Set<Set<String>>> keysByName = new HashMap<>();
            for (Meter m : registry.getMeters()) {
                Set<String> keys = new TreeSet<>();
                m.getId().getTags().forEach((tag) -> keys.add(tag.getKey()));
                keysByName.computeIfAbsent(m.getId().getName(), (n) -> new HashSet<>()).add(keys);
            }
            keysByName.forEach((name, keySets) -> assertEquals(1, keySets.size(), name + ": " + keySets));
            assertEquals(2, registry.find("gev.connections").gauges().size(), "one gauge per side");
        } finally {
            client.stop(Duration.ofSeconds(1));
            server.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void aClientsMetersFollowItThroughARestartWithExtraTags() throws Exception {
        Server server = startEcho("metrics-restart-upstream");
        Client client = Client.builder((Handler<ByteBuffer>) (c, ctx, bytes) -> null).name("metrics-restart")
                .build();
        try {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new GevMetrics(client, Tags.of("peer", "upstream")).bindTo(registry);
            for (Meter m : registry.getMeters()) {
                assertEquals("metrics-restart", m.getId().getTag("server"), m.getId().toString());
                assertEquals("client", m.getId().getTag("side"), m.getId().toString());
                assertEquals("upstream", m.getId().getTag("peer"), m.getId().toString());
            }
            Gauge open = registry.find("gev.connections").tag("peer", "upstream").gauge();
            for (int run = 1; run <= 2; run++) {
                client.start();
                client.connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS);
                awaitEquals(1.0, open::value, "gev.connections, run " + run);
                // A restarted client counts from zero, as a server does.
                assertEquals(1.0, registry.find("gev.connections.accepted").tag("peer", "upstream")
                        .functionCounter().count(), "opened, run " + run);
                client.stop(Duration.ofSeconds(1));
                assertEquals(0.0, open.value(), "gev.connections after the stop, run " + run);
            }
        } finally {
            client.stop(Duration.ZERO);
            server.stop(Duration.ofSeconds(1));
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static double gauge(SimpleMeterRegistry registry, String name) {
        Gauge g = registry.find(name).tag("server", NAME).gauge();
        assertNotNull(g, "no gauge " + name + "{server=" + NAME + "}");
        return g.value();
    }

    private static double counter(SimpleMeterRegistry registry, String name) {
        FunctionCounter c = registry.find(name).tag("server", NAME).functionCounter();
        assertNotNull(c, "no counter " + name + "{server=" + NAME + "}");
        return c.count();
    }

    private static double clientCounter(SimpleMeterRegistry registry, String client, String name) {
        FunctionCounter c = registry.find(name).tags("server", client, "side", "client").functionCounter();
        assertNotNull(c, "no counter " + name + "{server=" + client + ",side=client}");
        return c.count();
    }

    private static Set<String> loopTags(SimpleMeterRegistry registry, String name) {
        Set<String> loops = new TreeSet<>();
        for (Gauge g : registry.find("gev.loop.tasks.pending").tag("server", name).gauges()) {
            loops.add(g.getId().getTag("loop"));
        }
        return loops;
    }

    private static double closed(SimpleMeterRegistry registry, CloseReason reason) {
        FunctionCounter c = registry.find("gev.connections.closed").tags("server", NAME, "reason", reason.tag())
                .functionCounter();
        assertNotNull(c, "no counter gev.connections.closed{reason=" + reason.tag() + "}");
        return c.count();
    }

    /**
     * Polls until {@code actual} equals {@code expected} or 10 s pass: the loops count in plain
     * fields, so another thread sees their values a little late.
     */
    private static void awaitEquals(double expected, Supplier<Double> actual, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        double value;
        while ((value = actual.get()) != expected) {
            if (System.nanoTime() > deadline) {
                fail(what + ": expected " + expected + " but was " + value);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    private static List<String> ids(List<Meter> meters) {
        List<String> ids = new ArrayList<>();
        for (Meter m : meters) {
            ids.add(m.getId().toString());
        }
        return ids;
    }
}
