package io.gev;

import io.gev.loop.Transport;
import io.gev.testing.EchoLoad;
import io.gev.testing.LoopAllocations;
import io.gev.testing.PingPong;
import io.gev.testing.TestClient;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Load, leak and allocation tests of a real gev echo server over loopback, on each transport.
 * The seed of the random parts is printed; rerun one with {@code -Dgev.test.seed=N}.
 */
class ServerLoadTest {

    private static final long SEED = Long.getLong("gev.test.seed", System.nanoTime());

    // ---- a. many connections at once, random sizes, every byte verified --------------------------

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void thousandConcurrentConnectionsEchoRandomSizes(Transport transport) throws Exception {
        long seed = SEED;
        Server server = Server.builder((c, ctx, p) -> p).address("127.0.0.1").port(0).loops(2)
                .transport(transport).build();
        server.start();
        try {
            long t0 = System.nanoTime();
            EchoLoad.Result result = EchoLoad.to(server.port()).connections(1000).rounds(10).seed(seed)
                    .timeout(Duration.ofSeconds(60)).run();
            String where = transport + ", seed " + seed + " (-Dgev.test.seed=" + seed + "): " + result;
            System.out.println("thousandConcurrentConnectionsEchoRandomSizes " + where);

            assertEquals(0, result.errors(), where);
            assertTrue(result.ok(), where);
            assertEquals(10_000, result.messages(), where);
            assertEquals(result.bytesSent(), result.bytesVerified(), "every byte sent must come back verified: " + where);
            ServerStats stats = server.stats();
            assertTrue(stats.messagesIn() > 0, "messagesIn " + stats.messagesIn() + ": " + where);

            // The clients closed (EchoLoad half-closes, reads EOF, closes): the server must notice every one.
            awaitCondition(Duration.ofSeconds(10), () -> stats.activeConnections() == 0,
                    () -> stats.activeConnections() + " connections still active after the clients closed; " + where);
            assertEquals(1000, stats.acceptedConnections(), where);
            awaitCondition(Duration.ofSeconds(5), () -> closedTotal(stats) == 1000,
                    () -> "closed " + closedTotal(stats) + " of 1000 accepted; " + where);
            assertEquals(result.bytesSent(), stats.bytesIn(), "server bytesIn; " + where);
            assertEquals(result.bytesSent(), stats.bytesOut(), "server bytesOut; " + where);
            assertEquals(1000, stats.closedConnections(CloseReason.PEER), "all closes are by the peer; " + where);
            System.out.printf("  %s: %d ms, %d messages, %.1f MB each way, server frames in %d%n", transport,
                    (System.nanoTime() - t0) / 1_000_000, result.messages(), result.bytesSent() / 1e6, stats.messagesIn());
        } finally {
            server.stop(Duration.ofSeconds(1));
        }
    }

    // ---- b. ten thousand connect/close cycles leave no file descriptor behind --------------------

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void noFileDescriptorLeakOverTenThousandCycles(Transport transport) throws Exception {
        final int cycles = 10_000;
        final int threads = 4;
        long seed = SEED;

        // A first server of this transport loads native libraries and opens jars once per JVM;
        // those descriptors are not per-server and must not count as a leak.
        Server warmUp = Server.builder((c, ctx, p) -> p).address("127.0.0.1").port(0).loops(2)
                .transport(transport).build();
        warmUp.start();
        try (TestClient client = TestClient.connect(warmUp)) {
            client.write("warm");
            assertEquals("warm", client.readString(4));
        } finally {
            warmUp.stop(Duration.ofSeconds(1));
        }
        long before = countFds();

        AtomicInteger connects = new AtomicInteger();
        AtomicInteger closes = new AtomicInteger();
        Server server = Server.builder(new Handler() {
                    @Override
                    public void onConnect(Connection connection) {
                        connects.incrementAndGet();
                    }

                    @Override
                    public Object onMessage(Connection connection, Object context, java.nio.ByteBuffer payload) {
                        return payload;
                    }

                    @Override
                    public void onClose(Connection connection) {
                        closes.incrementAndGet();
                    }
                }).address("127.0.0.1").port(0).loops(2).transport(transport).build();
        server.start();
        long during;
        String counters;
        long t0 = System.nanoTime();
        int[] modes = new int[4];
        try {
            int port = server.port();
            AtomicReference<String> firstFailure = new AtomicReference<>();
            AtomicInteger done = new AtomicInteger();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final int first = t;
                Thread worker = new Thread(() -> {
                    Random random = new Random(seed + first);
                    for (int i = first; i < cycles && firstFailure.get() == null; i += threads) {
                        try {
                            cycle(port, i, random);
                            done.incrementAndGet();
                        } catch (Exception | AssertionError e) {
                            firstFailure.compareAndSet(null, "cycle " + i + " (mode " + mode(i) + "): " + e);
                        }
                    }
                }, "fd-cycles-" + t);
                workers.add(worker);
                worker.start();
            }
            for (Thread worker : workers) {
                worker.join();
            }
            for (int i = 0; i < cycles; i++) {
                modes[mode(i)]++;
            }
            String where = transport + ", seed " + seed;
            assertNull(firstFailure.get(), where);
            assertEquals(cycles, done.get(), where);
            long clientMillis = (System.nanoTime() - t0) / 1_000_000;

            ServerStats stats = server.stats();
            awaitCondition(Duration.ofSeconds(20),
                    () -> stats.activeConnections() == 0 && closes.get() == cycles
                            && stats.acceptedConnections() == closedTotal(stats),
                    () -> "after " + cycles + " cycles: active " + stats.activeConnections() + ", accepted "
                            + stats.acceptedConnections() + ", closed " + closedTotal(stats) + ", onConnect "
                            + connects.get() + ", onClose " + closes.get() + "; " + where);
            assertEquals(cycles, connects.get(), "onConnect calls; " + where);
            assertEquals(cycles, closes.get(), "onClose calls; " + where);
            assertEquals(cycles, stats.acceptedConnections(), "accepted; " + where);
            assertEquals(cycles, closedTotal(stats), "closed; " + where);
            counters = "clean/RST after echo/RST before reading echo/half-close cycles " + Arrays.toString(modes)
                    + "; closes by reason: peer " + stats.closedConnections(CloseReason.PEER) + ", io-error "
                    + stats.closedConnections(CloseReason.IO_ERROR) + ", other "
                    + (closedTotal(stats) - stats.closedConnections(CloseReason.PEER)
                    - stats.closedConnections(CloseReason.IO_ERROR)) + "; clients took " + clientMillis + " ms";
            during = countFds();
        } finally {
            server.stop(Duration.ofSeconds(1));
        }
        long after = countFds();
        String report = transport + ": open fds before " + before + ", with the idle server " + during
                + ", after stop " + after + "; " + counters;
        System.out.println("noFileDescriptorLeakOverTenThousandCycles " + report);
        assertTrue(after <= before + 5, "file descriptors leaked: " + report + "\n" + listFds());
    }

    /** 0: clean close, 1: RST after the echo, 2: RST without reading the echo, 3: half-close. */
    private static int mode(int i) {
        int third = i % 3;
        if (third == 0) {
            return 0;
        }
        if (third == 1) {
            return (i / 3) % 2 == 0 ? 1 : 2;
        }
        return 3;
    }

    private static void cycle(int port, int i, Random random) throws IOException {
        int mode = mode(i);
        byte[] message = new byte[1 + random.nextInt(64)];
        random.nextBytes(message);
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(TestClient.TIMEOUT_MILLIS);
            socket.connect(new InetSocketAddress("127.0.0.1", port), TestClient.TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(message);
            if (mode != 2) {
                byte[] echo = readExactly(in, message.length);
                if (!Arrays.equals(message, echo)) {
                    throw new AssertionError("echo differs: sent " + Arrays.toString(message) + ", got "
                            + Arrays.toString(echo));
                }
            }
            if (mode == 1 || mode == 2) {
                socket.setSoLinger(true, 0); // close() sends RST
            } else if (mode == 3) {
                socket.shutdownOutput();
                int extra = 0;
                byte[] buf = new byte[256];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    extra += n;
                }
                if (extra > 0) {
                    throw new AssertionError(extra + " bytes after the echo, before EOF");
                }
            }
        } finally {
            socket.close();
        }
    }

    private static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] bytes = new byte[n];
        int off = 0;
        while (off < n) {
            int r = in.read(bytes, off, n - off);
            if (r < 0) {
                throw new EOFException("EOF after " + off + " of " + n + " bytes");
            }
            off += r;
        }
        return bytes;
    }

    private static long countFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static String listFds() {
        StringBuilder sb = new StringBuilder("open descriptors:");
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            fds.forEach(fd -> {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    target = "?";
                }
                sb.append("\n  ").append(fd.getFileName()).append(" -> ").append(target);
            });
        } catch (IOException e) {
            sb.append(' ').append(e);
        }
        return sb.toString();
    }

    // ---- c. the echo path allocates nothing per message ----------------------------------------

    // EPOLL only: on NIO the JDK's EPollSelectorImpl boxes each ready fd (an Integer key of its
    // fdToKey map) on every wake-up, 16 bytes per event for fds above 127. That is outside gev;
    // -XX:AutoBoxCacheMax=65536 removes it, and the README says so.
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL"})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void steadyStateEchoAllocatesNothingPerMessage(Transport transport) throws Exception {
        final int clientThreads = 5;
        final int connectionsPerThread = 10;
        final int warmUpMessages = 200_000;
        final int measuredMessages = 200_000;


        // A busy server's sockets have descriptor numbers in the hundreds or thousands. Fill the
        // descriptor table up to 256 first, so the sockets below get such numbers too, whatever ran
        // before in this JVM (the JDK selector boxes descriptors above 127: see the report).
        List<FileChannel> ballast = new ArrayList<>();
        for (long open = countFds(); open < 256; open++) {
            ballast.add(FileChannel.open(Path.of("/dev/null"), StandardOpenOption.READ));
        }
        Server server = Server.builder((c, ctx, p) -> p).address("127.0.0.1").port(0).loops(1)
                .transport(transport).build();
        server.start();
        List<Socket> sockets = new ArrayList<>();
        try {
            LoopAllocations allocations = LoopAllocations.of(server.loops().get(0));

            for (int i = 0; i < clientThreads * connectionsPerThread; i++) {
                Socket socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(TestClient.TIMEOUT_MILLIS);
                socket.connect(new InetSocketAddress("127.0.0.1", server.port()), TestClient.TIMEOUT_MILLIS);
                sockets.add(socket);
            }
            awaitCondition(Duration.ofSeconds(10), () -> server.stats().activeConnections() == sockets.size(),
                    () -> "connections registered: " + server.stats().activeConnections());

            long warmUp = pingPong(sockets, clientThreads, warmUpMessages);
            ServerStats stats = server.stats();
            long allocated0 = allocations.bytes();
            long frames0 = stats.messagesIn();
            long t0 = System.nanoTime();
            long measured = pingPong(sockets, clientThreads, measuredMessages);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            long allocated1 = allocations.bytes();
            long frames1 = stats.messagesIn();

            long allocated = allocated1 - allocated0;
            long frames = frames1 - frames0;
            double perMessage = (double) allocated / measured;
            double perFrame = frames == 0 ? Double.NaN : (double) allocated / frames;
            String report = String.format("%s: loop thread allocated %d bytes over %d echoed messages (%d frames "
                            + "decoded) in %d ms (%.0f msg/s): %.4f bytes/message, %.4f bytes/frame "
                            + "(warm-up: %d messages)",
                    transport, allocated, measured, frames, millis, measured * 1000.0 / Math.max(1, millis),
                    perMessage, perFrame, warmUp);
            System.out.println("steadyStateEchoAllocatesNothingPerMessage " + report);
            assertTrue(frames > 0, report);
            assertTrue(perMessage < 1.0, "the raw echo path allocates per message: " + report);
            assertTrue(perFrame < 1.0, "the raw echo path allocates per decoded frame: " + report);
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
            server.stop(Duration.ofSeconds(1));
            for (FileChannel channel : ballast) {
                channel.close();
            }
        }
    }

    /** Rounds of 64-byte and 4 KiB messages, alternating, echoed back. */
    private static long pingPong(List<Socket> sockets, int threadCount, int total) throws Exception {
        byte[] small = new byte[64];
        byte[] medium = new byte[4096];
        new Random(SEED).nextBytes(small);
        new Random(SEED + 1).nextBytes(medium);
        byte[][] messages = {small, medium};
        return PingPong.run(sockets, threadCount, total, messages, messages);
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static long closedTotal(ServerStats stats) {
        long sum = 0;
        for (CloseReason reason : CloseReason.values()) {
            if (reason != CloseReason.REJECTED) {
                sum += stats.closedConnections(reason);
            }
        }
        return sum;
    }

    /** Polls {@code condition} until it holds or {@code timeout} passes, then fails with {@code message}. */
    private static void awaitCondition(Duration timeout, BooleanSupplier condition, Supplier<String> message) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + timeout.toMillis() + " ms: " + message.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }
}
