package io.gev.reliability;

import io.gev.CloseReason;
import io.gev.Server;
import io.gev.ServerStats;
import io.gev.TlsOptions;
import io.gev.internal.tls.TlsContext;
import io.gev.loop.Transport;
import io.gev.testing.Await;
import io.gev.testing.CountingHandler;
import io.gev.testing.LogCapture;
import io.gev.testing.TestCertificates;
import io.gev.testing.TestClient;
import io.gev.testing.TestServers;
import io.gev.testing.TlsTestClient;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.gev.testing.ProcessResources.closedByReason;
import static io.gev.testing.ProcessResources.closedTotal;
import static io.gev.testing.ProcessResources.describeFds;
import static io.gev.testing.ProcessResources.directMemoryAfterGc;
import static io.gev.testing.ProcessResources.mib;
import static io.gev.testing.ProcessResources.openFds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS connection storm on both engines: {@value #DEFAULT_CYCLES} TLS connect/close cycles by
 * {@value #THREADS} JDK clients, a third each closing with close_notify after an echo, resetting
 * after the echo, and resetting in the middle of the handshake. With Netty's leak detector at
 * {@code PARANOID} (every OpenSSL engine tracked), no engine is left unreleased: gev's count of
 * live native engines (made minus freed, freed meaning Netty's reference count reached zero) is
 * back where it was, and so are descriptors and direct memory. {@code -Preliability} runs 10,000 cycles,
 * {@code -Dgev.reliability.tls-storm.cycles=N} sets the count.
 */
@Tag("reliability")
class TlsConnectionStormTest {

    static final int DEFAULT_CYCLES = 2_000;
    static final int THREADS = 4;
    private static final int CYCLES = Integer.getInteger("gev.reliability.tls-storm.cycles",
            Boolean.getBoolean("gev.reliability.full") ? 10_000 : DEFAULT_CYCLES);
    /** Room for the JDK's temporary direct buffers of the client threads; a leaked engine set holds far more. */
    private static final long DIRECT_SLACK = 8L << 20;

    @ParameterizedTest
    @EnumSource(value = TlsOptions.Provider.class, names = {"JDK", "OPENSSL"})
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void everyEngineIsReleasedAndNothingLeaks(TlsOptions.Provider provider) throws Exception {
        TestServers.warmUp(Transport.EPOLL);
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        SSLContext client = TestCertificates.get().clientContext();
        byte[] hello = TlsTestClient.clientHello(client);
        try (LogCapture log = LogCapture.start()) {
            long fdsBefore = openFds();
            long directBefore = directMemoryAfterGc();
            long enginesBefore = TlsContext.liveOpenSslEngines();
            CountingHandler handler = new CountingHandler();
            Server server = TestServers.local(handler, Transport.EPOLL).name("tls-storm")
                    .tls(TestCertificates.get().serverOptions().provider(provider).build()).build();
            server.start();
            ServerStats stats = server.stats();
            long millis;
            try {
                long t0 = System.nanoTime();
                storm(server.port(), client, hello);
                millis = (System.nanoTime() - t0) / 1_000_000;
                Await.await(Duration.ofSeconds(30), () -> stats.activeConnections() == 0 && closedTotal(stats) == CYCLES,
                        () -> "after " + CYCLES + " cycles on " + provider + ": active " + stats.activeConnections()
                                + ", closed " + closedTotal(stats));
                assertEquals(CYCLES, stats.acceptedConnections(), "accepted on " + provider);
                int handshakes = CYCLES - CYCLES / 3;
                assertEquals(handshakes, handler.connects.get(), "completed handshakes on " + provider);
                assertEquals(handshakes, handler.closes.get(), "onClose calls on " + provider);
                assertEquals(0, stats.closedConnections(CloseReason.HANDLER_ERROR));
                // The server's probe engine is freed too; every connection's went with it.
                assertEquals(enginesBefore, TlsContext.liveOpenSslEngines(), "OpenSSL engines of closed connections");
            } finally {
                server.stop(Duration.ofSeconds(1));
            }
            Await.await(Duration.ofSeconds(10), () -> openFds() <= fdsBefore,
                    () -> "descriptors on " + provider + ": " + fdsBefore + " before, " + openFds() + " after\n"
                            + describeFds());
            long directAfter = directMemoryAfterGc();
            assertTrue(directAfter - directBefore < DIRECT_SLACK, "direct memory on " + provider + ": "
                    + mib(directBefore) + " before, " + mib(directAfter) + " after");
            assertEquals(enginesBefore, TlsContext.liveOpenSslEngines(), "OpenSSL engines not freed on " + provider);
            // Netty tracks every engine at PARANOID: one collected without release is reported.
            System.gc();
            assertFalse(log.text().contains("LEAK:"), "Netty reports a leak on " + provider + ":\n" + log.text());
            System.out.printf("[reliability] tls storm %s: %d cycles by %d threads in %d ms (%.0f cycles/s); "
                            + "closes %s; fds %d before, %d after; direct %s before, %s after%n", provider, CYCLES,
                    THREADS, millis, CYCLES * 1000.0 / Math.max(1, millis), closedByReason(stats), fdsBefore,
                    openFds(), mib(directBefore), mib(directAfter));
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }

    private static void storm(int port, SSLContext context, byte[] hello) throws InterruptedException {
        AtomicReference<String> firstFailure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            final int first = t;
            Thread worker = new Thread(() -> {
                for (int i = first; i < CYCLES && firstFailure.get() == null; i += THREADS) {
                    try {
                        cycle(port, context, hello, i);
                    } catch (Exception | AssertionError e) {
                        firstFailure.compareAndSet(null, "cycle " + i + " (mode " + i % 3 + "): " + e);
                    }
                }
            }, "tls-storm-" + t);
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        assertNull(firstFailure.get());
    }

    /** 0: echo and close_notify, 1: echo and RST, 2: RST in the middle of the handshake. */
    private static void cycle(int port, SSLContext context, byte[] hello, int i) throws Exception {
        int mode = i % 3;
        if (mode == 2) {
            try (TestClient tcp = TestClient.connect(port)) {
                tcp.write(Arrays.copyOf(hello, hello.length / 2));
                tcp.socket().setSoLinger(true, 0);
            }
            return;
        }
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(TestClient.TIMEOUT_MILLIS);
            byte[] message = ("cycle " + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            OutputStream out = socket.getOutputStream();
            out.write(message);
            out.flush();
            byte[] echo = socket.getInputStream().readNBytes(message.length);
            if (!Arrays.equals(message, echo)) {
                throw new AssertionError("echo differs: " + new String(echo, java.nio.charset.StandardCharsets.US_ASCII));
            }
            if (mode == 1) {
                socket.setSoLinger(true, 0);
            }
        }
    }
}
