package io.gev.reliability;

import io.gev.CloseReason;
import io.gev.Connection;
import io.gev.Server;
import io.gev.ServerStats;
import io.gev.buffer.Buffers;
import io.gev.loop.Transport;
import io.gev.protocol.LineProtocol;
import io.gev.testing.Await;
import io.gev.testing.CountingHandler;
import io.gev.testing.EchoProbe;
import io.gev.testing.LogCapture;
import io.gev.testing.TestClient;
import io.gev.testing.TestServers;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static io.gev.testing.ProcessResources.closedByReason;
import static io.gev.testing.ProcessResources.liveThreads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scenario 5, handler faults: handlers that throw (in {@code onConnect}, {@code onMessage},
 * {@code onClose}, or by returning what the protocol cannot pack), that block their loop, and that
 * send after closing. Only the guilty connection is closed; a blocked loop delays only its own
 * connections and is reported by the blocked-loop watchdog with its name, the time and its stack;
 * well-behaved clients on the other loop see nothing.
 */
@Tag("reliability")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HandlerFaultTest {

    private static final Duration THRESHOLD = Duration.ofMillis(200);
    private static final int BLOCK_MILLIS = 1500;

    /** Misbehaves on request: every line is a command or is echoed. */
    private static final class Chaos extends CountingHandler {
        final AtomicBoolean failNextConnect = new AtomicBoolean();
        final AtomicInteger lateSendFailures = new AtomicInteger();
        final AtomicInteger onCloseThrown = new AtomicInteger();

        @Override
        public void onConnect(Connection connection) {
            super.onConnect(connection);
            if (failNextConnect.getAndSet(false)) {
                throw new IllegalStateException("onConnect fails on purpose");
            }
        }

        @Override
        public Object onMessage(Connection connection, Object context, ByteBuffer payload) {
            String line = Buffers.utf8(payload);
            switch (line) {
                case "throw":
                    throw new IllegalStateException("onMessage fails on purpose");
                case "unpackable":
                    return new Object(); // LineProtocol packs text and bytes only
                case "block":
                    // The fault under test: a handler that blocks its loop.
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(BLOCK_MILLIS));
                    return "unblocked";
                case "close-then-send":
                    connection.close();
                    connection.send("on the loop, after close", (c, failure) -> countLate(failure));
                    CompletableFuture.runAsync(() -> connection.send("from another thread, after close",
                            (c, failure) -> countLate(failure)));
                    return "reply after close";
                case "throw-on-close":
                    connection.setContext("throw-on-close");
                    return "armed";
                default:
                    return payload;
            }
        }

        private void countLate(Throwable failure) {
            if (failure instanceof ClosedChannelException) {
                lateSendFailures.incrementAndGet();
            }
        }

        @Override
        public void onClose(Connection connection) {
            super.onClose(connection);
            if ("throw-on-close".equals(connection.context())) {
                onCloseThrown.incrementAndGet();
                throw new IllegalStateException("onClose fails on purpose");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void onlyTheGuiltyConnectionSuffers(Transport transport) throws Exception {
        Chaos handler = new Chaos();
        AtomicInteger pinned = new AtomicInteger();
        String name = "faults-" + transport.name().toLowerCase();
        Server server = TestServers.local(LineProtocol.builder().build(), handler, transport).name(name)
                .loadBalancer(loops -> loops.get(pinned.get()))
                .blockedLoopWarning(THRESHOLD).build();
        server.start();
        ServerStats stats = server.stats();
        try (LogCapture log = LogCapture.start()) {
            // Two well-behaved clients on each loop; every guilty connection goes to loop 0.
            List<EchoProbe.Exchange> onLoop0 = EchoProbe.many(2, server.port(), EchoProbe::line);
            Await.await(Duration.ofSeconds(10), () -> handler.connects.get() == 2, () -> "probes registered");
            pinned.set(1);
            List<EchoProbe.Exchange> onLoop1 = EchoProbe.many(2, server.port(), EchoProbe::line);
            Await.await(Duration.ofSeconds(10), () -> handler.connects.get() == 4, () -> "probes registered");
            pinned.set(0);
            EchoProbe sameLoop = EchoProbe.start("loop0", Duration.ofMillis(5), onLoop0);
            EchoProbe otherLoop = EchoProbe.start("loop1", Duration.ofMillis(5), onLoop1);

            try (TestClient thrower = TestClient.connect(server)) {
                thrower.write("throw\n");
                assertTrue(thrower.awaitClosed(), "a handler that throws closes its connection");
            }
            handler.failNextConnect.set(true);
            try (TestClient failsToOpen = TestClient.connect(server)) {
                assertTrue(failsToOpen.awaitClosed(), "onConnect that throws closes the connection");
            }
            try (TestClient unpackable = TestClient.connect(server)) {
                unpackable.write("unpackable\n");
                assertTrue(unpackable.awaitClosed(), "a reply the protocol cannot pack closes the connection");
            }
            try (TestClient closer = TestClient.connect(server)) {
                closer.write("close-then-send\n");
                assertTrue(closer.awaitClosed(), "close() closes");
                Await.await(Duration.ofSeconds(10), () -> handler.lateSendFailures.get() == 2,
                        () -> handler.lateSendFailures.get() + " of 2 sends after close failed with ClosedChannelException");
            }
            try (TestClient armed = TestClient.connect(server)) {
                armed.write("throw-on-close\n");
                assertEquals("armed\n", armed.readString(6));
            }
            Await.await(Duration.ofSeconds(10), () -> handler.onCloseThrown.get() == 1, () -> "onClose ran");

            // A handler blocks loop 0 for 1.5 s: the watchdog reports it; loop 1 carries on.
            int otherBefore = otherLoop.roundTrips();
            long t0 = System.nanoTime();
            try (TestClient blocker = TestClient.connect(server)) {
                blocker.write("block\n");
                assertEquals("unblocked\n", blocker.readString(10), "a blocking handler delays, it does not break");
                long blockedMillis = (System.nanoTime() - t0) / 1_000_000;
                int otherDuring = otherLoop.roundTrips() - otherBefore;
                String warning = log.awaitLine("loop gev-" + name + "-0 has been running one callback or task for");
                String stack = log.awaitLine("at " + HandlerFaultTest.class.getName() + "$Chaos.onMessage");
                String recovered = log.awaitLine("loop gev-" + name + "-0 runs again after being blocked for about");
                System.out.printf("[reliability] handler faults %s: loop 0 blocked %d ms by a handler; the other loop "
                                + "did %d round trips meanwhile; watchdog (threshold %d ms): \"%s\" / \"%s\"%n",
                        transport, blockedMillis, otherDuring, THRESHOLD.toMillis(), warning.trim(), recovered.trim());
                assertTrue(otherDuring >= 10, "the other loop must keep serving while loop 0 is blocked: "
                        + otherDuring + " round trips in " + blockedMillis + " ms");
                assertFalse(stack.isBlank());
            }

            EchoProbe.Report same = sameLoop.stop();
            EchoProbe.Report other = otherLoop.stop().assertHealthy(Duration.ofSeconds(1));
            System.out.printf("[reliability] handler faults %s: same loop %s; other loop %s; closes %s%n",
                    transport, same, other, closedByReason(stats));
            assertEquals(0, same.errors(), "clients on the blocked loop are delayed, never dropped: " + same);
            assertEquals(3, stats.closedConnections(CloseReason.HANDLER_ERROR), closedByReason(stats));
            assertEquals(1, stats.closedConnections(CloseReason.LOCAL), closedByReason(stats));
            Await.await(Duration.ofSeconds(10), () -> stats.activeConnections() == 0 && handler.open() == 0,
                    () -> stats.activeConnections() + " connections open after every client left");
            assertEquals(handler.connects.get(), handler.closes.get(), "one onClose per onConnect");
        } finally {
            server.stop(Duration.ofSeconds(1));
        }
        assertEquals(List.of(), List.copyOf(liveThreads("gev-" + name)), "the watchdog stops with the server");
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aBlockingTaskIsReportedAndAnIdleLoopIsNot(Transport transport) {
        String name = "tasks-" + transport.name().toLowerCase();
        Server server = TestServers.local((c, ctx, p) -> p, transport).name(name)
                .blockedLoopWarning(Duration.ofMillis(100)).build();
        server.start();
        try (LogCapture log = LogCapture.start()) {
            assertEquals(List.of("gev-" + name + "-watchdog"), List.copyOf(liveThreads("gev-" + name + "-watchdog")));
            // Idle loops wait in epoll/select, however long: that is not blocked.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            assertFalse(log.text().contains("has been running one callback"), log.text());
            server.loops().get(1).execute(() -> LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(600)));
            log.awaitLine("gev server '" + name + "': loop gev-" + name + "-1 has been running one callback or task for");
            log.awaitLine("gev server '" + name + "': loop gev-" + name + "-1 runs again after being blocked for about");
        } finally {
            server.stop(Duration.ofSeconds(1));
        }
        Server quiet = TestServers.local((c, ctx, p) -> p, transport).name(name + "-off")
                .blockedLoopWarning(Duration.ZERO).build();
        quiet.start();
        try {
            assertEquals(List.of(), List.copyOf(liveThreads("gev-" + name + "-off-watchdog")), "ZERO turns it off");
        } finally {
            quiet.stop(Duration.ofSeconds(1));
        }
    }
}
