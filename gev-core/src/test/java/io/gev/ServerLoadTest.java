package io.gev;

import io.gev.loop.Transport;
import io.gev.testing.Await;
import io.gev.testing.EchoLoad;
import io.gev.testing.LoopAllocations;
import io.gev.testing.PingPong;
import io.gev.testing.TestClient;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.gev.testing.ProcessResources.closedTotal;
import static io.gev.testing.ProcessResources.openFds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Load and allocation tests of a real gev echo server over loopback, on each transport.
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
            Await.await(Duration.ofSeconds(10), () -> stats.activeConnections() == 0,
                    () -> stats.activeConnections() + " connections still active after the clients closed; " + where);
            assertEquals(1000, stats.acceptedConnections(), where);
            Await.await(Duration.ofSeconds(5), () -> closedTotal(stats) == 1000,
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
        for (long open = openFds(); open < 256; open++) {
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
            Await.await(Duration.ofSeconds(10), () -> server.stats().activeConnections() == sockets.size(),
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
}
