package io.gev;

import io.gev.loop.Transport;
import io.gev.protocol.LineProtocol;
import io.gev.testing.Stall;
import io.gev.testing.TestCertificates;
import io.gev.testing.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;


import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Offloaded handlers ({@link HandlerExecution}) over real sockets: a handler that blocks for 50 ms
 * per message (as a JDBC call would) serves 1,000 connections in per-connection order while the
 * loops go on answering a probe; a flood at a stalled handler is held back by TCP flow control
 * with a bounded number of messages in the server, with and without TLS; a graceful stop lets callbacks in flight
 * finish and their replies go out.
 */
@Timeout(120)
class OffloadTest {

    private static final String PING = "ping";

    @RegisterExtension
    final TestServers servers = new TestServers();

    private final ExecutorService pool = Executors.newCachedThreadPool();
    /**
     * Threads started before the test: a pool that starts a thread for a task does so on the loop
     * that hands the task over (about 0.1 ms each here), which a probe would measure too.
     */
    private final ThreadPoolExecutor blockingPool = new ThreadPoolExecutor(256, 256, 1, TimeUnit.MINUTES,
            new LinkedBlockingQueue<>());

    @AfterEach
    void stopPools() {
        pool.shutdownNow();
        blockingPool.shutdownNow();
    }

    /** Virtual threads where the JVM has them, else a pool of 256 threads. */
    private HandlerExecution.Builder blockingFriendly() {
        if (HandlerExecution.virtualThreadsAvailable()) {
            return HandlerExecution.builder().virtualThreads();
        }
        blockingPool.prestartAllCoreThreads();
        return HandlerExecution.builder().executor(blockingPool);
    }

    /** Sleeps 50 ms per message off the loop; answers {@value #PING} on the loop at once. */
    private static final class SlowEcho implements Handler<ByteBuffer> {
        final AtomicInteger onLoop = new AtomicInteger();

        @Override
        public boolean offload(Object context, ByteBuffer message) {
            return !StandardCharsets.UTF_8.decode(message.duplicate()).toString().equals(PING);
        }

        @Override
        public Object onMessage(Connection connection, Object context, ByteBuffer line) {
            String text = StandardCharsets.UTF_8.decode(line).toString();
            if (text.equals(PING)) {
                return PING;
            }
            if (connection.loop().inEventLoop()) {
                onLoop.incrementAndGet();
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return text;
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aHandlerThatBlocksServesAThousandConnectionsInOrderWhileTheLoopsAnswerAProbe(Transport transport)
            throws Exception {
        int connections = 1_000;
        int perConnection = 3;
        SlowEcho handler = new SlowEcho();
        Server server = servers.start(TestServers.local(LineProtocol.builder().build(), handler, transport)
                .handlerExecution(blockingFriendly().build()));

        AtomicBoolean done = new AtomicBoolean();
        List<Long> probeMillis = new ArrayList<>();
        CompletableFuture<Void> probe = CompletableFuture.runAsync(() -> {
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setTcpNoDelay(true);
                BufferedReader in = reader(socket);
                OutputStream out = socket.getOutputStream();
                while (!done.get()) {
                    long start = System.nanoTime();
                    out.write((PING + "\n").getBytes(StandardCharsets.UTF_8));
                    assertEquals(PING, in.readLine());
                    probeMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                    TimeUnit.MILLISECONDS.sleep(10);
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });

        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                Socket socket = new Socket("127.0.0.1", server.port());
                sockets.add(socket);
                StringBuilder lines = new StringBuilder();
                for (int m = 0; m < perConnection; m++) {
                    lines.append(i).append('-').append(m).append('\n');
                }
                socket.getOutputStream().write(lines.toString().getBytes(StandardCharsets.UTF_8));
            }
            for (int i = 0; i < connections; i++) {
                BufferedReader in = reader(sockets.get(i));
                for (int m = 0; m < perConnection; m++) {
                    assertEquals(i + "-" + m, in.readLine(), "reply " + m + " of connection " + i);
                }
            }
        } finally {
            done.set(true);
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        probe.get(10, TimeUnit.SECONDS);
        assertEquals(0, handler.onLoop.get(), "the blocking handler ran on a loop");
        long max = probeMillis.stream().mapToLong(Long::longValue).max().orElseThrow();
        long[] sorted = probeMillis.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("probe over %s during 1,000 x %d blocking messages on %s: %d answers, median %d ms, max %d ms%n",
                transport, perConnection, HandlerExecution.virtualThreadsAvailable() ? "virtual threads" : "256 threads", sorted.length, sorted[sorted.length / 2], max);
        assertTrue(sorted.length >= 2, "the probe was answered while the handler blocked");
        // On a loop, the handler's 3,000 sleeps of 50 ms would hold the probe for 75 s per loop.
        assertTrue(max < 1_000, "a probe waited " + max + " ms: a loop was blocked");
    }

    @ParameterizedTest(name = "TLS {0}")
    @ValueSource(booleans = {false, true})
    void aFloodAtAStalledHandlerIsHeldBackWithBoundedMessagesInTheServerAndNothingLost(boolean tls) throws Exception {
        int messages = 1_000_000;
        int bound = 128;
        CountDownLatch open = new CountDownLatch(1);
        AtomicReference<Connection> connection = new AtomicReference<>();
        Handler<ByteBuffer> stalled = (c, ctx, line) -> {
            connection.set(c);
            try {
                open.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return line;
        };
        Server.Builder builder = TestServers.local(LineProtocol.builder().build(), stalled, Transport.AUTO)
                .handlerExecution(HandlerExecution.builder().executor(pool).maxQueuedMessages(bound).build());
        if (tls) {
            builder.tls(TestCertificates.get().serverOptions().build());
        }
        Server server = servers.start(builder);
        byte[] flood = numberedLines(messages);
        long heapBefore = usedHeapAfterGc();

        try (Socket socket = tls ? TestCertificates.get().connect(server.port())
                : new Socket("127.0.0.1", server.port())) {
            AtomicLong written = new AtomicLong();
            CompletableFuture<Void> writer = Stall.writeAll(socket, flood, written);
            Stall.await(written, writer);
            assertFalse(writer.isDone(), "the writer finished: the server read everything into memory");
            assertTrue(connection.get().isReadingPaused(), "reading paused at the bound");
            long held = server.stats().messagesIn();
            long heapStalled = usedHeapAfterGc();
            System.out.printf("flood (TLS %s) stalled after %,d of %,d bytes: %d messages in the server, heap %+,d bytes%n",
                    tls, written.get(), flood.length, held, heapStalled - heapBefore);
            assertEquals(bound, held, "messages taken from the socket while the handler stalls");

            open.countDown();
            InputStream in = socket.getInputStream();
            byte[] echoed = in.readNBytes(flood.length);
            writer.get(30, TimeUnit.SECONDS);
            assertEquals(flood.length, echoed.length);
            assertTrue(Arrays.equals(flood, echoed), "every message came back, in order");
            assertEquals(messages, server.stats().messagesIn());
        }
    }

    @Test
    void aGracefulStopLetsCallbacksInFlightFinishAndTheirRepliesGoOut() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean closedSeen = new AtomicBoolean();
        AtomicReference<Throwable> onLoopClose = new AtomicReference<>();
        Handler<ByteBuffer> slow = new Handler<>() {
            @Override
            public Object onMessage(Connection c, Object context, ByteBuffer line) {
                started.countDown();
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "done " + StandardCharsets.UTF_8.decode(line);
            }

            @Override
            public void onClose(Connection c) {
                if (c.loop().inEventLoop()) {
                    onLoopClose.set(new AssertionError("onClose ran on the loop"));
                }
                try {
                    Thread.sleep(100); // a callback that is slow to clean up, too
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                closedSeen.set(true);
            }
        };
        Server server = servers.start(TestServers.local(LineProtocol.builder().build(), slow, Transport.AUTO)
                .handlerExecution(blockingFriendly().build()));
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write("order\n".getBytes(StandardCharsets.UTF_8));
            assertTrue(started.await(10, TimeUnit.SECONDS));
            server.stop(Duration.ofSeconds(10));
            assertTrue(closedSeen.get(), "stop() returned before the offloaded onClose ran");
            assertNull(onLoopClose.get());
            BufferedReader in = reader(socket);
            assertEquals("done order", in.readLine(), "the reply of the callback in flight");
            assertNull(in.readLine(), "then the server closed");
        }
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    private static byte[] numberedLines(int count) {
        StringBuilder b = new StringBuilder(count * 8);
        for (int i = 0; i < count; i++) {
            b.append(i).append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
