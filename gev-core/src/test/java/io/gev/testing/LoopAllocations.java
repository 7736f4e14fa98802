package io.gev.testing;

import io.gev.loop.EventLoop;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Counts the bytes an event loop's thread allocates, for the tests that the echo path allocates nothing. */
public final class LoopAllocations {

    private final com.sun.management.ThreadMXBean threads;
    private final long threadId;

    private LoopAllocations(com.sun.management.ThreadMXBean threads, long threadId) {
        this.threads = threads;
        this.threadId = threadId;
    }

    /**
     * Starts counting for {@code loop}'s thread.
     *
     * @throws IllegalStateException when this JVM cannot count allocated bytes per thread
     */
    public static LoopAllocations of(EventLoop loop) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!threads.isThreadAllocatedMemorySupported()) {
            throw new IllegalStateException("this JVM cannot count allocated bytes per thread");
        }
        if (!threads.isThreadAllocatedMemoryEnabled()) {
            threads.setThreadAllocatedMemoryEnabled(true);
        }
        CompletableFuture<Long> id = new CompletableFuture<>();
        loop.execute(() -> id.complete(Thread.currentThread().getId()));
        return new LoopAllocations(threads, id.get(10, TimeUnit.SECONDS));
    }

    /** Bytes the loop's thread has allocated so far. */
    public long bytes() {
        long bytes = threads.getThreadAllocatedBytes(threadId);
        if (bytes < 0) {
            throw new IllegalStateException("allocated bytes of the loop thread unavailable");
        }
        return bytes;
    }
}
