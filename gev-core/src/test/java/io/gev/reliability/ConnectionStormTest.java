package io.gev.reliability;

import io.gev.CloseReason;
import io.gev.Server;
import io.gev.ServerStats;
import io.gev.loop.Transport;
import io.gev.testing.Await;
import io.gev.testing.CountingHandler;
import io.gev.testing.TestClient;
import io.gev.testing.TestServers;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.gev.testing.ProcessResources.closedByReason;
import static io.gev.testing.ProcessResources.closedTotal;
import static io.gev.testing.ProcessResources.describeFds;
import static io.gev.testing.ProcessResources.openFds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scenario 1, connection storm: {@value #DEFAULT_CYCLES} connect/close cycles from
 * {@value #THREADS} client threads, a quarter each closing cleanly, resetting after the echo,
 * resetting before reading it and half-closing. Afterwards the server's descriptors and
 * connection gauge are back where they were and it saw exactly one {@code onConnect} and one
 * {@code onClose} per cycle. {@code -Preliability} runs 300,000 cycles;
 * {@code -Dgev.reliability.storm.cycles=N} sets the count.
 */
@Tag("reliability")
class ConnectionStormTest {

    static final int DEFAULT_CYCLES = 100_000;
    static final int THREADS = 4;
    private static final int CYCLES = Integer.getInteger("gev.reliability.storm.cycles",
            Boolean.getBoolean("gev.reliability.full") ? 3 * DEFAULT_CYCLES : DEFAULT_CYCLES);
    private static final long SEED = Long.getLong("gev.test.seed", System.nanoTime());

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void everyCycleIsOpenedAndClosedOnceAndNothingLeaks(Transport transport) throws Exception {
        TestServers.warmUp(transport);
        long fdsBefore = openFds();
        CountingHandler handler = new CountingHandler();
        Server server = TestServers.local(handler, transport).name("storm").build();
        server.start();
        ServerStats stats = server.stats();
        String where = transport + ", seed " + SEED + " (-Dgev.test.seed=" + SEED + ")";
        long fdsIdle = openFds();
        long fdsAfter;
        long millis;
        try {
            long t0 = System.nanoTime();
            int[] modes = storm(server.port(), where);
            millis = (System.nanoTime() - t0) / 1_000_000;

            Await.await(Duration.ofSeconds(30),
                    () -> stats.activeConnections() == 0 && handler.closes.get() == CYCLES
                            && closedTotal(stats) == CYCLES,
                    () -> "after " + CYCLES + " cycles: active " + stats.activeConnections() + ", accepted "
                            + stats.acceptedConnections() + ", closed " + closedTotal(stats) + ", onConnect "
                            + handler.connects.get() + ", onClose " + handler.closes.get() + "; " + where);
            assertEquals(CYCLES, handler.connects.get(), "onConnect calls; " + where);
            assertEquals(CYCLES, handler.closes.get(), "onClose calls; " + where);
            assertEquals(CYCLES, stats.acceptedConnections(), "accepted; " + where);
            assertEquals(0, stats.closedConnections(CloseReason.HANDLER_ERROR), where);
            assertEquals(0, stats.activeConnections(), "connection gauge; " + where);
            Await.await(Duration.ofSeconds(10), () -> openFds() <= fdsIdle,
                    () -> "descriptors with the idle server: " + fdsIdle + " before the storm, " + openFds()
                            + " after it; " + where + "\n" + describeFds());
            fdsAfter = openFds();
            System.out.printf("[reliability] storm %s: %d cycles (clean/RST after echo/RST before echo/half-close %s) "
                            + "by %d threads in %d ms (%.0f cycles/s); closes %s; server fds idle %d, after storm %d%n",
                    transport, CYCLES, Arrays.toString(modes), THREADS, millis, CYCLES * 1000.0 / Math.max(1, millis),
                    closedByReason(stats), fdsIdle, fdsAfter);
        } finally {
            server.stop(Duration.ofSeconds(1));
        }
        Await.await(Duration.ofSeconds(10), () -> openFds() <= fdsBefore,
                () -> "descriptors leaked by a stopped server: " + fdsBefore + " before, " + openFds() + " after; "
                        + where + "\n" + describeFds());
    }

    private static int[] storm(int port, String where) throws InterruptedException {
        AtomicReference<String> firstFailure = new AtomicReference<>();
        AtomicInteger done = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            final int first = t;
            Thread worker = new Thread(() -> {
                Random random = new Random(SEED + first);
                for (int i = first; i < CYCLES && firstFailure.get() == null; i += THREADS) {
                    try {
                        cycle(port, i, random);
                        done.incrementAndGet();
                    } catch (Exception | AssertionError e) {
                        firstFailure.compareAndSet(null, "cycle " + i + " (mode " + mode(i) + "): " + e);
                    }
                }
            }, "storm-" + t);
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        assertNull(firstFailure.get(), where);
        assertEquals(CYCLES, done.get(), where);
        int[] modes = new int[4];
        for (int i = 0; i < CYCLES; i++) {
            modes[mode(i)]++;
        }
        return modes;
    }

    /** 0: clean close, 1: RST after the echo, 2: RST without reading the echo, 3: half-close. */
    private static int mode(int i) {
        return i % 4;
    }

    private static void cycle(int port, int i, Random random) throws IOException {
        int mode = mode(i);
        byte[] message = new byte[1 + random.nextInt(64)];
        random.nextBytes(message);
        try (TestClient client = TestClient.connect(port)) {
            client.write(message);
            if (mode != 2) {
                byte[] echo = client.readExactly(message.length);
                if (!Arrays.equals(message, echo)) {
                    throw new AssertionError("echo differs: sent " + Arrays.toString(message) + ", got "
                            + Arrays.toString(echo));
                }
            }
            if (mode == 1 || mode == 2) {
                client.socket().setSoLinger(true, 0); // close() sends RST
            } else if (mode == 3) {
                client.shutdownOutput();
                byte[] extra = client.readToEnd();
                if (extra.length > 0) {
                    throw new AssertionError(extra.length + " bytes after the echo, before EOF");
                }
            }
        }
    }
}
