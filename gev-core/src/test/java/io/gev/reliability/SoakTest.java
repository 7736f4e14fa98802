package io.gev.reliability;

import io.gev.CloseReason;
import io.gev.Server;
import io.gev.ServerStats;
import io.gev.loop.Transport;
import io.gev.testing.Await;
import io.gev.testing.EchoLoad;
import io.gev.testing.EchoProbe;
import io.gev.testing.TestServers;
import io.gev.websocket.WebSocketHandler;
import io.gev.websocket.WebSocketMessage;
import io.gev.websocket.WebSocketServer;
import io.gev.websocket.WebSocketSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.gev.testing.ProcessResources.closedByReason;
import static io.gev.testing.ProcessResources.directMemoryUsed;
import static io.gev.testing.ProcessResources.heapAfterGc;
import static io.gev.testing.ProcessResources.mib;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scenario 7, soak: ten minutes ({@code -Dgev.soak.duration=PT10M}) of mixed load on a TCP echo
 * server and a WebSocket echo server: batches of verified random-size echo connections, WebSocket
 * sessions opened, used and dropped one after another, and long-lived TCP and WebSocket
 * connections probing latency throughout. Zero errors are allowed, and the heap after full
 * collections at the end must be within 10% of the heap after the warm-up
 * ({@code -Dgev.soak.warmup=PT1M}); both are taken between load phases, with only the long-lived
 * connections open. Not in the default build: {@code mvn -Psoak -pl gev-core verify}.
 */
@Tag("soak")
class SoakTest {

    private static final Duration DURATION = Duration.parse(System.getProperty("gev.soak.duration", "PT10M"));
    private static final Duration WARM_UP = Duration.parse(System.getProperty("gev.soak.warmup", "PT1M"));
    private static final long SEED = Long.getLong("gev.test.seed", System.nanoTime());

    private static final WebSocketHandler WS_ECHO = new WebSocketHandler() {
        @Override
        public Object onMessage(WebSocketSession session, WebSocketMessage message) {
            return message;
        }
    };

    /** What the load threads did, summed over phases. */
    private static final class Tally {
        final AtomicLong echoMessages = new AtomicLong();
        final AtomicLong echoBytes = new AtomicLong();
        final AtomicLong echoConnections = new AtomicLong();
        final AtomicLong wsSessions = new AtomicLong();
        final AtomicLong wsMessages = new AtomicLong();
        final AtomicReference<String> firstError = new AtomicReference<>();

        void error(String what) {
            firstError.compareAndSet(null, what);
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.HOURS)
    void mixedEchoAndWebSocketLoadLeaksNothingAndFailsNothing() throws Exception {
        Server tcp = TestServers.local((c, ctx, p) -> p, Transport.AUTO).name("soak-tcp").build();
        Server ws = WebSocketServer.builder(WS_ECHO).name("soak-ws").address("127.0.0.1").port(0).loops(2)
                .daemonThreads(true).build();
        tcp.start();
        ws.start();
        Tally tally = new Tally();
        long t0 = System.nanoTime();
        try {
            List<EchoProbe.Exchange> longLived = new ArrayList<>(EchoProbe.many(20, tcp.port(), EchoProbe::raw));
            for (int i = 0; i < 10; i++) {
                longLived.add(EchoProbe.webSocket(ws.port(), "/soak"));
            }
            EchoProbe probe = EchoProbe.start("long-lived", Duration.ofMillis(5), longLived);

            runLoad(tcp.port(), ws.port(), WARM_UP, tally);
            long heapWarm = heapAfterGc();
            long directWarm = directMemoryUsed();
            System.out.printf("[reliability] soak: after the %d s warm-up: heap %s, direct %s, %d echo messages, "
                            + "%d WebSocket messages%n", WARM_UP.toSeconds(), mib(heapWarm), mib(directWarm),
                    tally.echoMessages.get(), tally.wsMessages.get());

            runLoad(tcp.port(), ws.port(), DURATION.minus(WARM_UP), tally);
            long heapEnd = heapAfterGc();
            long directEnd = directMemoryUsed();
            EchoProbe.Report report = probe.stop();
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            String summary = String.format("soak: %d s; %d echo connections, %d echo messages (%s verified), "
                            + "%d WebSocket sessions, %d WebSocket messages; heap after warm-up %s, at the end %s (%+.1f%%); "
                            + "direct after warm-up %s, at the end %s; tcp closes %s; ws closes %s; %s; first error: %s",
                    seconds, tally.echoConnections.get(), tally.echoMessages.get(), mib(tally.echoBytes.get()),
                    tally.wsSessions.get(), tally.wsMessages.get(), mib(heapWarm), mib(heapEnd),
                    100.0 * (heapEnd - heapWarm) / heapWarm, mib(directWarm), mib(directEnd),
                    closedByReason(tcp.stats()), closedByReason(ws.stats()), report, tally.firstError.get());
            System.out.println("[reliability] " + summary);
            assertNull(tally.firstError.get(), summary);
            assertEquals(0, report.errors(), summary);
            assertTrue(heapEnd <= heapWarm * 1.10, "heap grew more than 10%: " + summary);
            for (ServerStats stats : new ServerStats[] {tcp.stats(), ws.stats()}) {
                assertEquals(0, stats.closedConnections(CloseReason.HANDLER_ERROR), summary);
                assertEquals(0, stats.closedConnections(CloseReason.PROTOCOL_ERROR), summary);
                assertEquals(0, stats.closedConnections(CloseReason.WRITE_LIMIT), summary);
                assertEquals(0, stats.closedConnections(CloseReason.READ_LIMIT), summary);
            }
            Await.await(Duration.ofSeconds(20), () -> tcp.stats().activeConnections() == 0
                    && ws.stats().activeConnections() == 0, () -> "connections left open: " + summary);
        } finally {
            tcp.stop(Duration.ofSeconds(1));
            ws.stop(Duration.ofSeconds(1));
        }
    }

    /** Runs echo batches and WebSocket sessions side by side for {@code duration}, then returns. */
    private static void runLoad(int tcpPort, int wsPort, Duration duration, Tally tally) throws InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        Thread echo = new Thread(() -> {
            long batch = 0;
            while (System.nanoTime() < end && tally.firstError.get() == null) {
                EchoLoad.Result r = EchoLoad.to(tcpPort).connections(50).rounds(50).seed(SEED + batch++)
                        .timeout(Duration.ofSeconds(60)).run();
                if (!r.ok()) {
                    tally.error("echo batch: " + r);
                }
                tally.echoConnections.addAndGet(r.connectionsCompleted());
                tally.echoMessages.addAndGet(r.messages());
                tally.echoBytes.addAndGet(r.bytesVerified());
            }
        }, "soak-echo");
        Thread sessions = new Thread(() -> {
            int seq = 0;
            while (System.nanoTime() < end && tally.firstError.get() == null) {
                EchoProbe.Exchange session = null;
                try {
                    session = EchoProbe.webSocket(wsPort, "/session");
                    for (int i = 0; i < 50; i++) {
                        session.roundTrip(seq++);
                        tally.wsMessages.incrementAndGet();
                    }
                    tally.wsSessions.incrementAndGet();
                } catch (Exception | AssertionError e) {
                    tally.error("WebSocket session: " + e);
                } finally {
                    if (session != null) {
                        session.close();
                    }
                }
            }
        }, "soak-websocket");
        echo.start();
        sessions.start();
        echo.join();
        sessions.join();
    }
}
