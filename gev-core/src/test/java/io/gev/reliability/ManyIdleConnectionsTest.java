package io.gev.reliability;

import io.gev.CloseReason;
import io.gev.Connection;
import io.gev.Server;
import io.gev.ServerStats;
import io.gev.loop.Transport;
import io.gev.testing.Await;
import io.gev.testing.CountingHandler;
import io.gev.testing.EchoProbe;
import io.gev.testing.HeldConnections;
import io.gev.testing.TestServers;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.gev.testing.ProcessResources.closedByReason;
import static io.gev.testing.ProcessResources.describeFds;
import static io.gev.testing.ProcessResources.directMemoryAfterGc;
import static io.gev.testing.ProcessResources.heapAfterGc;
import static io.gev.testing.ProcessResources.mib;
import static io.gev.testing.ProcessResources.openFds;
import static io.gev.testing.ProcessResources.openFilesLimit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scenario 2, many idle connections: 10,000 connections that never send (15,000 with
 * {@code -Preliability}), held by a child JVM, while 100 busy connections echo. The busy ones keep
 * working throughout and are never reaped; the idle timeout closes every idle one, none before
 * its time and none much after it.
 */
@Tag("reliability")
class ManyIdleConnectionsTest {

    private static final int IDLE = Boolean.getBoolean("gev.reliability.full") ? 15_000 : 10_000;
    private static final int BUSY = 100;
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(6);
    /** How late an idle close may come; the sweep runs every tenth of the timeout. */
    private static final Duration LATENESS_BOUND = Duration.ofSeconds(5);

    /** Records, for connections that never sent a byte, how long they lived. */
    private static final class Lifetimes extends CountingHandler {
        final AtomicLong shortestIdle = new AtomicLong(Long.MAX_VALUE);
        final AtomicLong longestIdle = new AtomicLong();
        final AtomicInteger idleClosed = new AtomicInteger();

        @Override
        public void onConnect(Connection connection) {
            super.onConnect(connection);
            connection.setContext(System.nanoTime());
        }

        @Override
        public Object onMessage(Connection connection, Object context, ByteBuffer payload) {
            if (connection.context() != null) {
                connection.setContext(null); // it spoke: not an idle one
            }
            return payload;
        }

        @Override
        public void onClose(Connection connection) {
            Object born = connection.context();
            if (born != null) {
                long lived = System.nanoTime() - (Long) born;
                shortestIdle.accumulateAndGet(lived, Math::min);
                longestIdle.accumulateAndGet(lived, Math::max);
                idleClosed.incrementAndGet();
            }
            super.onClose(connection);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void busyConnectionsKeepWorkingAndIdleOnesAreReapedOnTime(Transport transport) throws Exception {
        long limit = openFilesLimit();
        Assumptions.assumeTrue(limit >= IDLE + BUSY * 2 + 1000, "this test holds " + (IDLE + BUSY * 2)
                + " sockets in this JVM, but its open-files limit is " + limit + " (ulimit -n)");
        TestServers.warmUp(transport);
        long fdsBefore = openFds();
        long heapBefore = heapAfterGc();
        long directBefore = directMemoryAfterGc();
        Lifetimes handler = new Lifetimes();
        Server server = TestServers.local(handler, transport).name("idle").idleTimeout(IDLE_TIMEOUT).build();
        server.start();
        ServerStats stats = server.stats();
        String where = transport + ", " + IDLE + " idle + " + BUSY + " busy connections";
        try (EchoProbe busy = EchoProbe.start("busy", Duration.ofMillis(20), EchoProbe.many(BUSY, server.port(), EchoProbe::raw))) {
            long t0 = System.nanoTime();
            try (HeldConnections idle = HeldConnections.open(Duration.ofMinutes(3),
                    HeldConnections.group(server.port(), IDLE, "idle", null))) {
                long connectMillis = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(IDLE, idle.connected(), "idle connections established; " + where);
                Await.await(Duration.ofSeconds(30), () -> stats.activeConnections() == IDLE + BUSY
                                || stats.closedConnections(CloseReason.IDLE) > 0,
                        () -> stats.activeConnections() + " connections registered; " + where);
                int peak = stats.activeConnections();
                long heapHeld = heapAfterGc() - heapBefore;
                long directHeld = directMemoryAfterGc() - directBefore;

                Await.await(IDLE_TIMEOUT.plus(LATENESS_BOUND).plus(Duration.ofSeconds(30)),
                        () -> handler.idleClosed.get() == IDLE,
                        () -> handler.idleClosed.get() + " of " + IDLE + " idle connections reaped; " + where);
                idle.awaitAllClosed(Duration.ofSeconds(20),
                        () -> "the clients still see connections the server reaped; " + where);
                long reapedMillis = (System.nanoTime() - t0) / 1_000_000;
                long shortest = TimeUnit.NANOSECONDS.toMillis(handler.shortestIdle.get());
                long longest = TimeUnit.NANOSECONDS.toMillis(handler.longestIdle.get());
                int openAfterReaping = stats.activeConnections();
                EchoProbe.Report report = busy.stop();
                System.out.printf("[reliability] idle %s: %d idle connections opened in %d ms (peak %d open), all "
                                + "reaped %d ms after the start; idle lifetimes %d..%d ms for a timeout of %d ms; "
                                + "server heap %s (%d bytes/connection), direct %s while held; busy %s%n",
                        transport, IDLE, connectMillis, peak, reapedMillis, shortest, longest, IDLE_TIMEOUT.toMillis(),
                        mib(heapHeld), heapHeld / peak, mib(directHeld), report);
                assertEquals(IDLE + BUSY, peak, "every idle connection was open before the first was reaped; " + where);
                assertTrue(shortest >= IDLE_TIMEOUT.toMillis() - 10, "an idle connection was closed early, after "
                        + shortest + " ms; " + where);
                assertTrue(longest <= IDLE_TIMEOUT.plus(LATENESS_BOUND).toMillis(), "an idle connection was closed "
                        + (longest - IDLE_TIMEOUT.toMillis()) + " ms late; " + where);
                report.assertHealthy(Duration.ofSeconds(1));
                assertEquals(BUSY, openAfterReaping, "the busy connections are never reaped; " + where);
                assertEquals(IDLE, stats.closedConnections(CloseReason.IDLE), closedByReason(stats));
            }
        } finally {
            Await.await(Duration.ofSeconds(20), () -> stats.activeConnections() == 0,
                    () -> stats.activeConnections() + " connections open after the clients left; " + where);
            server.stop(Duration.ofSeconds(1));
        }
        assertEquals(IDLE + BUSY, handler.connects.get(), "onConnect calls; " + where);
        assertEquals(IDLE + BUSY, handler.closes.get(), "onClose calls; " + where);
        Await.await(Duration.ofSeconds(10), () -> openFds() <= fdsBefore,
                () -> "descriptors: " + fdsBefore + " before, " + openFds() + " after; " + where + "\n" + describeFds());
    }
}
