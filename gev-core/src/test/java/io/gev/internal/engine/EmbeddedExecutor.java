package io.gev.internal.engine;

import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.OrderedEventExecutor;
import io.netty.util.concurrent.Ticker;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The Netty executor under an embedded loop: tasks and timers run when the test asks, on the
 * test's thread, and time moves only when the test moves it. Other threads may queue tasks (a
 * send from elsewhere, the end of a TLS handshake's delegated task); they wait for the next
 * {@link #runPendingTasks()}, as they would wait for the next turn of a real loop.
 */
final class EmbeddedExecutor extends AbstractScheduledEventExecutor implements OrderedEventExecutor {

    private final Thread owner;
    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final MockTicker ticker = Ticker.newMockTicker();
    private final DefaultPromise<Void> termination = new DefaultPromise<>(this);
    private volatile boolean shutdown;

    EmbeddedExecutor(Thread owner) {
        this.owner = owner;
    }

    @Override
    public Ticker ticker() {
        return ticker;
    }

    void advance(Duration time) {
        ticker.advance(time.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean inEventLoop(Thread thread) {
        return thread == owner;
    }

    @Override
    public void execute(Runnable task) {
        if (shutdown) {
            throw new java.util.concurrent.RejectedExecutionException("the embedded loop is closed");
        }
        tasks.add(task);
    }

    /** Runs queued tasks and due timers, and what they queue in turn, until none is left. */
    int runPendingTasks() {
        int ran = 0;
        while (true) {
            Runnable task = tasks.poll();
            if (task == null) {
                task = pollScheduledTask();
            }
            if (task == null) {
                return ran;
            }
            safeExecute(task);
            ran++;
        }
    }

    /** Waits up to {@code timeout} for a task from another thread; {@code true} if one came. */
    boolean awaitTask(Duration timeout) throws InterruptedException {
        Runnable task = tasks.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (task == null) {
            return false;
        }
        safeExecute(task);
        return true;
    }

    /** Time until the next timer is due, or {@code null} when none is scheduled. */
    Duration untilNextTimer() {
        long deadline = nextScheduledTaskDeadlineNanos();
        return deadline == -1 ? null : Duration.ofNanos(Math.max(0, deadline - ticker().nanoTime()));
    }

    @Override
    public boolean isShuttingDown() {
        return shutdown;
    }

    @Override
    public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
        terminate();
        return termination;
    }

    @Override
    public Future<?> terminationFuture() {
        return termination;
    }

    @Override
    @Deprecated
    public void shutdown() {
        terminate();
    }

    /** Drops every task and timer at once: nothing runs on an embedded loop unless a test runs it. */
    void terminate() {
        if (!shutdown) {
            shutdown = true;
            cancelScheduledTasks();
            tasks.clear();
            termination.trySuccess(null);
        }
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return shutdown;
    }
}
