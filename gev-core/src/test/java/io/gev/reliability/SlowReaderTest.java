package io.gev.reliability;

import io.gev.CloseReason;
import io.gev.Connection;
import io.gev.Server;
import io.gev.ServerStats;
import io.gev.loop.Transport;
import io.gev.testing.Await;
import io.gev.testing.CountingHandler;
import io.gev.testing.EchoProbe;
import io.gev.testing.RepeatingPattern;
import io.gev.testing.TestClient;
import io.gev.testing.TestServers;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static io.gev.testing.ProcessResources.closedByReason;
import static io.gev.testing.ProcessResources.directMemoryAfterGc;
import static io.gev.testing.ProcessResources.directMemoryUsed;
import static io.gev.testing.ProcessResources.heapAfterGc;
import static io.gev.testing.ProcessResources.mib;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scenario 3, slow and stuck readers: the server pushes to clients that read slowly or not at
 * all. Polite pushers stop at the high water mark and resume on {@code onWritabilityChanged};
 * rude ones (another thread that ignores writability) are closed at the write buffer limit. No
 * connection ever buffers more than the limit plus the one message that crossed it, the
 * writability callback fires for every stuck reader, slow readers get every byte intact, and the
 * server's memory stays within a bound computed from the limits, measured with the JVM's
 * direct-buffer pool (clients in this JVM use heap buffers and a few temporary direct ones).
 */
@Tag("reliability")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SlowReaderTest {

    private static final int HIGH_WATER = 64 * 1024;
    private static final int LOW_WATER = 32 * 1024;
    private static final int LIMIT = 1024 * 1024;
    private static final int CHUNK = 16 * 1024;
    private static final int STUCK_POLITE = 50;
    private static final int STUCK_RUDE = 50;
    private static final int SLOW = 20;
    /** What a polite pusher sends each connection in all. */
    private static final int POLITE_TOTAL = 2 * 1024 * 1024;
    private static final RepeatingPattern PATTERN = new RepeatingPattern(CHUNK);
    private static final ByteBuffer RUDE = ByteBuffer.allocate(64 * 1024).asReadOnlyBuffer();

    /**
     * Pushes on request: "p" while writable, "r" 4 MiB at once ignoring writability, "x" hands the
     * connection to a thread that pushes ignoring writability; echoes anything else.
     */
    private static final class Pusher extends CountingHandler {
        final AtomicLong maxQueuedPolite = new AtomicLong();
        final AtomicLong maxQueuedRude = new AtomicLong();
        final AtomicInteger unwritable = new AtomicInteger();
        final AtomicInteger writableAgain = new AtomicInteger();
        final Queue<Connection> rude = new ConcurrentLinkedQueue<>();

        @Override
        public Object onMessage(Connection connection, Object context, ByteBuffer payload) {
            // Commands are one byte; the probe's 64-byte requests are echoed.
            byte first = payload.remaining() == 1 ? payload.get(payload.position()) : 0;
            if (first == 'p' && connection.context() == null) {
                connection.setContext(new int[1]);
                push(connection);
                return null;
            }
            if (first == 'r') {
                for (int i = 0; i < 64 && connection.isConnected(); i++) {
                    connection.send(RUDE.duplicate());
                    maxQueuedRude.accumulateAndGet(connection.writeBufferLength(), Math::max);
                }
                return null;
            }
            if (first == 'x') {
                rude.add(connection);
                return null;
            }
            return payload;
        }

        /** Sends chunks while the connection is writable, up to its total. */
        private void push(Connection connection) {
            int[] sent = (int[]) connection.context();
            while (connection.isWritable() && sent[0] < POLITE_TOTAL) {
                connection.send(PATTERN.chunk());
                sent[0] += CHUNK;
                maxQueuedPolite.accumulateAndGet(connection.writeBufferLength(), Math::max);
            }
        }

        @Override
        public void onWritabilityChanged(Connection connection) {
            if (connection.isWritable()) {
                writableAgain.incrementAndGet();
                if (connection.context() != null) {
                    push(connection);
                }
            } else {
                unwritable.incrementAndGet();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void buffersStayWithinTheLimitsAndStuckReadersAreCutOff(Transport transport) throws Exception {
        TestServers.warmUp(transport);
        long heapBefore = heapAfterGc();
        long directBefore = directMemoryAfterGc();
        Pusher handler = new Pusher();
        Server server = TestServers.local(handler, transport).name("slow")
                .writeBufferHighWaterMark(HIGH_WATER).writeBufferLowWaterMark(LOW_WATER).writeBufferLimit(LIMIT)
                .sendBufferSize(32 * 1024).build();
        server.start();
        ServerStats stats = server.stats();
        String where = transport.toString();
        List<SocketChannel> clients = new ArrayList<>();
        AtomicLong directPeak = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                directPeak.accumulateAndGet(directMemoryUsed(), Math::max);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
        }, "direct-memory-sampler");
        sampler.setDaemon(true);
        sampler.start();
        try (EchoProbe probe = EchoProbe.start("echo", Duration.ofMillis(10), EchoProbe.raw(server.port()))) {
            for (int i = 0; i < STUCK_POLITE + SLOW; i++) {
                clients.add(connect(server.port(), "p"));
            }
            for (int i = 0; i < STUCK_RUDE; i++) {
                clients.add(connect(server.port(), i % 2 == 0 ? "r" : "x"));
            }
            // Another thread pushes to the rude ones as fast as it can and never asks isWritable().
            Thread rudePusher = new Thread(() -> pushRudely(handler), "rude-pusher");
            rudePusher.start();

            long received = readSlowly(clients.subList(STUCK_POLITE, STUCK_POLITE + SLOW), where);
            Await.await(Duration.ofSeconds(30), () -> stats.closedConnections(CloseReason.WRITE_LIMIT) == STUCK_RUDE,
                    () -> stats.closedConnections(CloseReason.WRITE_LIMIT) + " of " + STUCK_RUDE
                            + " rude pushes cut off at the limit; closes " + closedByReason(stats) + ", "
                            + handler.rude.size() + " rude left unpushed; " + where);
            rudePusher.join(TimeUnit.SECONDS.toMillis(30));
            Await.await(Duration.ofSeconds(10), () -> handler.unwritable.get() >= STUCK_POLITE + SLOW,
                    () -> handler.unwritable.get() + " writability changes to false; " + where);
            long queued = stats.writeBufferBytes();
            long peak = directPeak.get() - directBefore;
            EchoProbe.Report report = probe.stop(); // before the full collections below, which pause it
            long heapHeld = heapAfterGc() - heapBefore;
            // Polite stuck connections hold up to the high water mark plus a chunk, in a ring of at
            // most twice that; rude ones reach the limit plus a message, in a ring that doubled up to
            // 2 MiB, leaving the smaller rings it outgrew (2 MiB more) to the garbage collector;
            // each loop keeps a 64 KiB read buffer and up to 4 MiB of pooled rings.
            long bound = (STUCK_POLITE + SLOW) * 2L * (HIGH_WATER + CHUNK) + STUCK_RUDE * 4L * LIMIT
                    + 2 * (64 * 1024 + 4L * LIMIT) + LIMIT;
            System.out.printf("[reliability] slow readers %s: %d stuck polite (max queued %d bytes, high water %d), "
                            + "%d stuck rude (max queued %d bytes by the rude handler, limit %d; closes %s), %d slow readers got %s intact; "
                            + "writability false %d / true %d times; %s still queued; direct memory peak +%s (bound %s), "
                            + "heap held after GC +%s; %s%n",
                    transport, STUCK_POLITE, handler.maxQueuedPolite.get(), HIGH_WATER, STUCK_RUDE, handler.maxQueuedRude.get(),
                    LIMIT, closedByReason(stats), SLOW, mib(received), handler.unwritable.get(),
                    handler.writableAgain.get(), mib(queued), mib(peak), mib(bound), mib(heapHeld), report);
            assertTrue(handler.maxQueuedPolite.get() <= HIGH_WATER + CHUNK, "a polite pusher queued "
                    + handler.maxQueuedPolite.get() + " bytes; " + where);
            assertTrue(handler.maxQueuedRude.get() <= LIMIT, "an open connection queued " + handler.maxQueuedRude.get()
                    + " bytes, more than the limit; " + where);
            assertEquals((long) SLOW * POLITE_TOTAL, received, "every byte reached the slow readers; " + where);
            assertTrue(handler.writableAgain.get() >= SLOW, "slow readers became writable again; " + where);
            assertTrue(peak <= bound, "direct memory grew by " + mib(peak) + ", over the bound of " + mib(bound)
                    + "; " + where);
            assertTrue(heapHeld < 64L * 1024 * 1024, "heap grew by " + mib(heapHeld) + "; " + where);
            report.assertHealthy(Duration.ofSeconds(1));
        } finally {
            sampler.interrupt();
            for (SocketChannel c : clients) {
                c.close();
            }
            Await.await(Duration.ofSeconds(20), () -> stats.activeConnections() == 0,
                    () -> stats.activeConnections() + " connections open after the clients left; " + where);
            server.stop(Duration.ofSeconds(1));
        }
        assertEquals(0, stats.writeBufferBytes(), "nothing stays queued; " + where);
        assertEquals(handler.connects.get(), handler.closes.get(), "one onClose per onConnect; " + where);
        long directAfter = directMemoryUsed() - directBefore;
        long directAfterGc = directMemoryAfterGc() - directBefore;
        System.out.printf("[reliability] slow readers %s: direct memory after the server stopped +%s, after a GC +%s%n",
                transport, mib(directAfter), mib(directAfterGc));
        assertTrue(directAfterGc <= LIMIT, "direct memory not given back: +" + mib(directAfterGc) + "; " + where);
    }

    /**
     * A thread that floods a loop with sends must not keep the loop from polling for I/O: the
     * loop runs them in batches, and tasks queued behind the flood run after the first batch.
     */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void sendsFromAnotherThreadRunInBatchesBetweenPolls(Transport transport) throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        CountingHandler handler = new CountingHandler() {
            @Override
            public void onConnect(Connection connection) {
                connected.add(connection);
            }
        };
        Server server = TestServers.local(handler, transport).name("flood").build();
        server.start();
        try (TestClient client = TestClient.connect(server)) {
            Connection c = connected.poll(10, TimeUnit.SECONDS);
            assertTrue(c != null, "no connection");
            int flood = 1000;
            CountDownLatch release = new CountDownLatch(1);
            c.loop().execute(() -> {
                try {
                    release.await(); // holds the loop while the flood is queued
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            long before = server.stats().messagesOut();
            for (int i = 0; i < flood; i++) {
                c.send(new byte[] {(byte) i});
            }
            CompletableFuture<Long> packedBeforeMarker = new CompletableFuture<>();
            c.loop().execute(() -> packedBeforeMarker.complete(server.stats().messagesOut() - before));
            release.countDown();
            long packed = packedBeforeMarker.get(10, TimeUnit.SECONDS);
            byte[] received = client.readExactly(flood);
            for (int i = 0; i < flood; i++) {
                assertEquals((byte) i, received[i], "send " + i + " out of order");
            }
            System.out.printf("[reliability] send flood %s: %d sends from another thread; a task queued behind them "
                    + "ran after %d of them%n", transport, flood, packed);
            assertTrue(packed > 0 && packed < flood, "a task queued behind " + flood + " sends ran after " + packed
                    + " of them: the flood ran in one go");
        } finally {
            server.stop(Duration.ofSeconds(1));
        }
    }

    /** A client with a small receive buffer that sends its one request and then does not read. */
    private static SocketChannel connect(int port, String request) throws IOException {
        SocketChannel channel = SocketChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 16 * 1024);
        channel.connect(new InetSocketAddress("127.0.0.1", port));
        channel.write(ByteBuffer.wrap(request.getBytes()));
        channel.configureBlocking(false);
        return channel;
    }

    private static void pushRudely(Pusher handler) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int done = 0;
        while (done < STUCK_RUDE / 2 && System.nanoTime() < deadline) {
            Connection c = handler.rude.poll();
            if (c == null) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                continue;
            }
            // Bounded: 64 MiB is far past the limit; the server must have closed it long before.
            for (int i = 0; i < 1024 && c.isConnected(); i++) {
                c.send(RUDE.duplicate());
            }
            done++;
        }
    }

    /** Reads the slow readers' pushes at about 3 MB/s each, checking every byte; returns the bytes read. */
    private static long readSlowly(List<SocketChannel> readers, String where) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        long[] got = new long[readers.size()];
        long total = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (total < (long) readers.size() * POLITE_TOTAL && System.nanoTime() < deadline) {
            for (int i = 0; i < readers.size(); i++) {
                buffer.clear();
                int n = readers.get(i).read(buffer);
                if (n < 0) {
                    throw new AssertionError("slow reader " + i + " was closed after " + got[i] + " bytes; " + where);
                }
                for (int k = 0; k < n; k++) {
                    long offset = got[i] + k;
                    if (!PATTERN.matches(offset, buffer.get(k))) {
                        throw new AssertionError("slow reader " + i + ": byte " + offset + " differs; " + where);
                    }
                }
                got[i] += n;
                total += n;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // a deliberately slow client
        }
        return total;
    }
}
