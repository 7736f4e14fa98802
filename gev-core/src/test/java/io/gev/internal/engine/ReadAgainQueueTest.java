package io.gev.internal.engine;

import io.gev.Handler;
import io.gev.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The loop's queue of connections that read again without a socket event, over real connections
 * of an embedded loop; the queue runs on an executor of the test's own, so that the test sees its
 * tasks. (Its use on real sockets: {@link EdgeTriggeredReadTest} and the TLS suites.)
 */
class ReadAgainQueueTest {

    private final EmbeddedLoop loop = new EmbeddedLoop(
            Server.builder((Handler<ByteBuffer>) (c, ctx, payload) -> payload), true);
    private final EmbeddedExecutor executor = new EmbeddedExecutor(Thread.currentThread());
    private final ReadAgainQueue queue = new ReadAgainQueue(executor);

    @AfterEach
    void close() {
        executor.terminate();
        loop.close();
    }

    @Test
    void queuesEachConnectionOnceAndReadsThemAllInOneTask() {
        EmbeddedSocket a = loop.connect();
        EmbeddedSocket b = loop.connect();
        long aReads = a.readCalls();
        long bReads = b.readCalls();

        queue.add(impl(a));
        queue.add(impl(b));
        queue.add(impl(a));
        assertTrue(impl(a).readAgainQueued);

        assertEquals(1, executor.runPendingTasks(), "one task for both connections");
        assertEquals(aReads + 1, a.readCalls(), "a read once, though queued twice");
        assertEquals(bReads + 1, b.readCalls());
        assertFalse(impl(a).readAgainQueued);
        assertFalse(impl(b).readAgainQueued);

        queue.add(impl(a));
        assertEquals(1, executor.runPendingTasks(), "a new task once the last one ran");
        assertEquals(aReads + 2, a.readCalls());
    }

    @Test
    void aConnectionClosedWhileQueuedIsNotRead() {
        EmbeddedSocket a = loop.connect();
        long reads = a.readCalls();
        queue.add(impl(a));
        a.connection().close();
        loop.runPendingTasks();

        assertEquals(1, executor.runPendingTasks());
        assertEquals(reads, a.readCalls());
    }

    @Test
    void aLoopThatShutDownTakesNothingAndLeavesTheConnectionUnmarked() {
        EmbeddedSocket a = loop.connect();
        executor.terminate();

        queue.add(impl(a));

        assertFalse(impl(a).readAgainQueued, "queued into a loop that will not run it");
    }

    private static ConnectionImpl impl(EmbeddedSocket socket) {
        return (ConnectionImpl) socket.connection();
    }
}
