package io.gev.internal.engine;

import io.gev.CloseReason;
import io.gev.Connection;
import io.gev.Handler;
import io.gev.HandlerExecution;
import io.gev.Server;
import io.gev.embedded.EmbeddedConnection;
import io.gev.embedded.EmbeddedServer;
import io.gev.embedded.EmbeddedServer.Polling;
import io.gev.buffer.RingBuffer;
import io.gev.protocol.Frame;
import io.gev.protocol.LineProtocol;
import io.gev.protocol.Protocol;
import io.gev.testing.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A handler offloaded to an executor ({@link HandlerExecution}) on the real read path, over
 * in-memory sockets: its callbacks run off the loop one at a time and in order, replies come back
 * through the loop in order, the backlog bound pauses and resumes reading at and below it, a drain
 * waits for callbacks in flight, and failures close only their connection.
 */
class OffloadedHandlerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    static Stream<Arguments> cuts() {
        return PollingCuts.of(4);
    }

    @ParameterizedTest(name = "{0}, {1} {2}")
    @MethodSource("cuts")
    void callbacksRunOffTheLoopOneAtATimeAndRepliesComeBackInOrder(Polling polling, String cut, long seed) {
        int lines = 40;
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        Thread test = Thread.currentThread();
        Handler<ByteBuffer> handler = new Handler<>() {
            @Override
            public void onConnect(Connection connection) {
                events.add("connect");
            }

            @Override
            public Object onMessage(Connection connection, Object context, ByteBuffer line) {
                if (running.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                }
                try {
                    assertNotEquals(test, Thread.currentThread(), "onMessage ran on the loop");
                    String text = StandardCharsets.UTF_8.decode(line).toString();
                    events.add(text);
                    return text;
                } finally {
                    running.decrementAndGet();
                }
            }

            @Override
            public void onClose(Connection connection) {
                events.add("close");
            }
        };
        try (EmbeddedServer server = EmbeddedServer.start(offloaded(handler, 8), polling)) {
            EmbeddedConnection c = server.connect();
            byte[] input = lines(0, lines);
            Random random = new Random(seed);
            int off = 0;
            StringBuilder sent = new StringBuilder();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (sent.length() < input.length) {
                assertTrue(System.nanoTime() < deadline, "replies so far: " + sent);
                if (off < input.length && c.isReading()) {
                    int n = cut.equals("whole") ? input.length - off
                            : cut.equals("byte by byte") ? 1 : 1 + random.nextInt(Math.min(12, input.length - off));
                    c.receive(input, off, Math.min(n, input.length - off));
                    off += Math.min(n, input.length - off);
                } else {
                    server.awaitTask(Duration.ofMillis(100));
                }
                c.runPendingTasks();
                sent.append(new String(c.takeSent(), StandardCharsets.UTF_8));
            }
            assertEquals(new String(input, StandardCharsets.UTF_8), sent.toString(), "every reply, in order");
            assertEquals(0, overlaps.get(), "callbacks of one connection overlapped");
            c.connection().close();
            awaitEvents(server, events, lines + 2);
            assertEquals("connect", events.get(0));
            for (int i = 0; i < lines; i++) {
                assertEquals("line " + i, events.get(i + 1));
            }
            assertEquals("close", events.get(lines + 1));
        }
    }

    @Test
    void readingPausesAtTheBoundAndResumesAtHalfOfIt() {
        int bound = 4;
        Semaphore permits = new Semaphore(0);
        List<String> handled = Collections.synchronizedList(new ArrayList<>());
        Handler<ByteBuffer> gated = (connection, context, line) -> {
            permits.acquireUninterruptibly();
            String text = StandardCharsets.UTF_8.decode(line).toString();
            handled.add(text);
            return text;
        };
        try (EmbeddedServer server = EmbeddedServer.start(offloaded(gated, bound))) {
            EmbeddedConnection c = server.connect();
            c.receive(lines(0, 10));

            // At the bound: four messages handed off, none handled, the fifth not even decoded.
            assertEquals(bound, server.stats().messagesIn());
            assertEquals(bound, server.stats().handlerBacklog());
            assertTrue(c.connection().isReadingPaused());
            assertFalse(c.isReading());

            // One handled, three in flight: above half, still paused.
            permits.release();
            awaitSent(server, c, "line 0\n");
            assertEquals(bound, server.stats().messagesIn());
            assertTrue(c.connection().isReadingPaused());

            // Two in flight: half of the bound, so reading resumes and the waiting lines are decoded
            // up to the bound again.
            permits.release();
            awaitSent(server, c, "line 1\n");
            c.runPendingTasks();
            assertEquals(bound + 2, server.stats().messagesIn());
            assertTrue(c.connection().isReadingPaused(), "back at the bound");

            permits.release(8);
            awaitSent(server, c, "line 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\n");
            assertEquals(10, server.stats().messagesIn());
            assertFalse(c.connection().isReadingPaused());
            assertEquals(0, server.stats().handlerBacklog());
            assertTrue(c.isReading());
            assertEquals(10, handled.size());
        }
    }

    @Test
    void aBoundOfOneHandsOffOneMessageAtATime() {
        Semaphore permits = new Semaphore(0);
        Handler<ByteBuffer> gated = gated(permits);
        try (EmbeddedServer server = EmbeddedServer.start(offloaded(gated, 1))) {
            EmbeddedConnection c = server.connect();
            c.receive(lines(0, 3));
            assertEquals(1, server.stats().messagesIn());
            assertTrue(c.connection().isReadingPaused());
            for (int i = 0; i < 3; i++) {
                permits.release();
                awaitSent(server, c, "line " + i + "\n");
                c.runPendingTasks();
                assertEquals(Math.min(3, i + 2), server.stats().messagesIn());
            }
            assertFalse(c.connection().isReadingPaused());
        }
    }

    @Test
    void aUserPauseOutlastsTheBacklogsResume() {
        Semaphore permits = new Semaphore(0);
        Handler<ByteBuffer> gated = gated(permits);
        try (EmbeddedServer server = EmbeddedServer.start(offloaded(gated, 2))) {
            EmbeddedConnection c = server.connect();
            c.receive(lines(0, 4));
            assertEquals(2, server.stats().messagesIn());
            c.connection().pauseReading();
            permits.release(2);
            awaitSent(server, c, "line 0\nline 1\n");
            c.runPendingTasks();
            assertEquals(2, server.stats().messagesIn(), "the user's pause holds after the backlog cleared");
            assertTrue(c.connection().isReadingPaused());
            c.connection().resumeReading();
            permits.release(2);
            awaitSent(server, c, "line 2\nline 3\n");
        }
    }

    @Test
    void theHandlerKeepsItsOwnCopyOfEachPayload() {
        List<ByteBuffer> kept = Collections.synchronizedList(new ArrayList<>());
        Handler<ByteBuffer> keeper = (connection, context, line) -> {
            kept.add(line);
            return null;
        };
        try (EmbeddedServer server = EmbeddedServer.start(offloaded(keeper, 64))) {
            EmbeddedConnection c = server.connect();
            for (int i = 0; i < 50; i++) {
                c.receive(lines(i, 1)); // the loop's read buffer is reused for every segment
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (kept.size() < 50 && System.nanoTime() < deadline) {
                server.awaitTask(Duration.ofMillis(100));
            }
            assertEquals(50, kept.size());
            for (int i = 0; i < 50; i++) {
                assertEquals("line " + i, StandardCharsets.UTF_8.decode(kept.get(i).duplicate()).toString());
            }
        }
    }

    @Test
    void aMessageTheHandlerKeepsOnTheLoopIsAnsweredThereAtOnce() {
        Thread test = Thread.currentThread();
        Semaphore permits = new Semaphore(0);
        Handler<ByteBuffer> handler = new Handler<>() {
            @Override
            public boolean offload(Object context, ByteBuffer message) {
                return !StandardCharsets.UTF_8.decode(message.duplicate()).toString().equals("ping");
            }

            @Override
            public Object onMessage(Connection connection, Object context, ByteBuffer line) {
                String text = StandardCharsets.UTF_8.decode(line).toString();
                if (text.equals("ping")) {
                    assertEquals(test, Thread.currentThread());
                    return "pong";
                }
                permits.acquireUninterruptibly();
                return text;
            }
        };
        try (EmbeddedServer server = EmbeddedServer.start(offloaded(handler, 8))) {
            EmbeddedConnection c = server.connect();
            c.receive("slow\nping\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("pong\n", new String(c.takeSent(), StandardCharsets.UTF_8), "answered on the loop");
            permits.release();
            awaitSent(server, c, "slow\n");
        }
    }

    @Test
    void repliesHandedBackTogetherAreWrittenWithOneCall() {
        Semaphore permits = new Semaphore(0);
        AtomicInteger handled = new AtomicInteger();
        Handler<ByteBuffer> gated = (connection, context, line) -> {
            permits.acquireUninterruptibly();
            handled.incrementAndGet();
            return StandardCharsets.UTF_8.decode(line).toString();
        };
        try (EmbeddedServer server = EmbeddedServer.start(offloaded(gated, 16))) {
            EmbeddedConnection c = server.connect();
            c.receive(lines(0, 10));
            long before = c.writeCalls();
            permits.release(10);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (handled.get() < 10 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(10, handled.get());
            // The ten hand-backs wait in the loop's queue; its one batch writes them together. The
            // worker may hand back the last ones a moment after its handler returned.
            StringBuilder sent = new StringBuilder();
            while (sent.length() < lines(0, 10).length && System.nanoTime() < deadline) {
                server.awaitTask(Duration.ofMillis(100));
                c.runPendingTasks();
                sent.append(new String(c.takeSent(), StandardCharsets.UTF_8));
            }
            assertEquals(new String(lines(0, 10), StandardCharsets.UTF_8), sent.toString());
            // One batch, or two when the last hand-back came after the loop had taken the others.
            assertTrue(c.writeCalls() - before <= 2, "writes for ten replies: " + (c.writeCalls() - before));
        }
    }

    @Test
    void thePeersEndOfStreamWaitsForTheRepliesOfCallbacksInFlight() {
        Semaphore permits = new Semaphore(0);
        Handler<ByteBuffer> gated = gated(permits);
        try (EmbeddedServer server = EmbeddedServer.start(offloaded(gated, 8))) {
            EmbeddedConnection c = server.connect();
            c.receive(lines(0, 3));
            c.receiveEnd();
            c.runPendingTasks();
            assertTrue(c.isOpen(), "closed before the replies in flight were sent");
            permits.release(3);
            awaitSent(server, c, "line 0\nline 1\nline 2\n");
            assertFalse(c.isOpen());
            assertEquals(CloseReason.PEER, c.closeReason());
        }
    }

    @Test
    void aThrowingCallbackClosesOnlyItsConnection() {
        Handler<ByteBuffer> handler = (connection, context, line) -> {
            String text = StandardCharsets.UTF_8.decode(line).toString();
            if (text.equals("boom")) {
                throw new IllegalStateException("boom");
            }
            return text;
        };
        try (EmbeddedServer server = EmbeddedServer.start(offloaded(handler, 8))) {
            EmbeddedConnection bad = server.connect();
            EmbeddedConnection good = server.connect();
            bad.receive("boom\n".getBytes(StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (bad.isOpen() && System.nanoTime() < deadline) {
                server.awaitTask(Duration.ofMillis(100));
                bad.runPendingTasks();
            }
            assertEquals(CloseReason.HANDLER_ERROR, bad.closeReason());
            assertEquals("boom", bad.closeCause().getMessage());
            good.receive("fine\n".getBytes(StandardCharsets.UTF_8));
            awaitSent(server, good, "fine\n");
            assertTrue(good.isOpen());
        }
    }

    @Test
    void aConnectionItsProtocolClosesWhileOpeningNeverReachesTheOffloadedHandler() throws Exception {
        Protocol<ByteBuffer> lines = LineProtocol.builder().build();
        Protocol<ByteBuffer> refusing = new Protocol<>() {
            @Override
            public void onConnect(Connection connection) {
                connection.close(); // before the handler hears of the connection
            }

            @Override
            public boolean unpack(Connection connection, RingBuffer in, Frame<ByteBuffer> frame) {
                return lines.unpack(connection, in, frame);
            }

            @Override
            public void pack(Connection connection, Object message, RingBuffer out) {
                lines.pack(connection, message, out);
            }
        };
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        Handler<ByteBuffer> handler = new Handler<>() {
            @Override
            public Object onMessage(Connection connection, Object context, ByteBuffer message) {
                return null;
            }

            @Override
            public void onConnect(Connection connection) {
                events.add("connect");
            }

            @Override
            public void onClose(Connection connection) {
                events.add("close");
            }
        };
        try (LogCapture log = LogCapture.start();
                EmbeddedServer server = EmbeddedServer.start(Server.builder(refusing, handler)
                        .handlerExecution(HandlerExecution.executor(pool)))) {
            EmbeddedConnection c = server.connect();
            assertFalse(c.isOpen());
            assertEquals(CloseReason.LOCAL, c.closeReason());
            assertFalse(log.text().contains("failed"), "logged: " + log.text());
        }
        // Whatever the close handed to the pool has run once it terminates.
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(List.of(), events, "the handler hears of a refused connection neither open nor closed");
    }

    @Test
    void anExecutorThatRefusesClosesTheConnection() {
        Handler<ByteBuffer> echo = (connection, context, line) -> line;
        HandlerExecution refusing = HandlerExecution.executor(task -> {
            throw new RejectedExecutionException("full");
        });
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(LineProtocol.builder().build(), echo)
                .handlerExecution(refusing))) {
            EmbeddedConnection c = server.connect();
            assertFalse(c.isOpen(), "onConnect could not be handed off");
            assertEquals(CloseReason.HANDLER_ERROR, c.closeReason());
            assertEquals("full", c.closeCause().getMessage());
            assertEquals(0, server.stats().handlerBacklog());
        }
    }

    /** A line echo that waits for a permit per line: the test decides when each callback ends. */
    private static Handler<ByteBuffer> gated(Semaphore permits) {
        return (connection, context, line) -> {
            permits.acquireUninterruptibly();
            return StandardCharsets.UTF_8.decode(line).toString();
        };
    }

    private Server.Builder offloaded(Handler<ByteBuffer> handler, int maxQueued) {
        return Server.builder(LineProtocol.builder().build(), handler)
                .handlerExecution(HandlerExecution.builder().executor(pool).maxQueuedMessages(maxQueued).build());
    }

    private static byte[] lines(int from, int count) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < from + count; i++) {
            b.append("line ").append(i).append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Runs the loop's tasks until {@code c} sent exactly {@code expected}, or fails after {@link #WAIT}. */
    private static void awaitSent(EmbeddedServer server, EmbeddedConnection c, String expected) {
        StringBuilder sent = new StringBuilder();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (sent.length() < expected.length() && System.nanoTime() < deadline) {
            server.awaitTask(Duration.ofMillis(100));
            c.runPendingTasks();
            sent.append(new String(c.takeSent(), StandardCharsets.UTF_8));
        }
        assertEquals(expected, sent.toString());
    }

    private static void awaitEvents(EmbeddedServer server, List<String> events, int count) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (events.size() < count && System.nanoTime() < deadline) {
            server.awaitTask(Duration.ofMillis(100));
        }
        assertEquals(count, events.size(), "events: " + events);
    }
}
