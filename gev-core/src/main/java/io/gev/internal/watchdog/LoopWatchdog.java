package io.gev.internal.watchdog;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One daemon thread per loop group that warns when a loop stays in one callback or task longer than
 * a threshold. Every quarter of the threshold it reads each loop's {@link LoopProgress}: a loop
 * whose counter is odd (running code) and has not moved since an earlier look is blocked, and
 * once that lasted the threshold the watchdog logs, once per stall, the loop's name, how long it
 * has been blocked and its thread's stack; when the loop moves again it logs how long the stall
 * lasted. The loops themselves only bump a counter.
 *
 * <p>The watchdog does not blame a loop for a pause of the whole JVM (a long garbage collection,
 * a starved machine): when its own wake-up comes more than half a threshold late it forgets what
 * it saw and starts measuring again.
 */
public final class LoopWatchdog implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(LoopWatchdog.class);
    private static final long MIN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final String owner;
    private final List<LoopProgress> loops;
    private final long thresholdNanos;
    private final long periodNanos;
    private final long[] lastCount;
    private final long[] since;
    private final boolean[] warned;
    private final Runnable onStall;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param name the group's name, for the thread's name
     * @param owner whose loops these are, as log lines name it: {@code gev server 'echo'}, or
     *        {@code gev event loops 'loops'} when several servers share them
     * @param onStall run on the watchdog's thread for every stall it reports, to count them
     */
    public LoopWatchdog(String name, String owner, List<LoopProgress> loops, long thresholdNanos, Runnable onStall) {
        this.owner = owner;
        this.loops = loops;
        this.thresholdNanos = thresholdNanos;
        this.periodNanos = Math.max(MIN_PERIOD_NANOS, thresholdNanos / 4);
        this.lastCount = new long[loops.size()];
        this.since = new long[loops.size()];
        this.warned = new boolean[loops.size()];
        this.onStall = onStall;
        this.thread = new Thread(this, "gev-" + name + "-watchdog");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Stops the thread and waits for it. */
    public void stop() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        long last = System.nanoTime();
        forget(last);
        while (running) {
            LockSupport.parkNanos(this, periodNanos);
            long now = System.nanoTime();
            if (now - last > periodNanos + thresholdNanos / 2) {
                // The watchdog itself did not run for a while: so, probably, did nobody.
                forget(now);
            } else {
                check(now);
            }
            last = now;
        }
    }

    /** Starts measuring anew, except for stalls already reported, which keep their start. */
    private void forget(long now) {
        for (int i = 0; i < lastCount.length; i++) {
            if (!warned[i]) {
                lastCount[i] = loops.get(i).count();
                since[i] = now;
            }
        }
    }

    private void check(long now) {
        for (int i = 0; i < lastCount.length; i++) {
            LoopProgress loop = loops.get(i);
            long count = loop.count();
            if (count != lastCount[i] || (count & 1) == 0) {
                if (warned[i]) {
                    warned[i] = false;
                    log.warn("{}: loop {} runs again after being blocked for about {} ms", owner,
                            name(loop), TimeUnit.NANOSECONDS.toMillis(now - since[i]));
                }
                lastCount[i] = count;
                since[i] = now;
            } else if (!warned[i] && now - since[i] >= thresholdNanos) {
                warned[i] = true;
                onStall.run();
                warn(loop, now - since[i]);
            }
        }
    }

    private void warn(LoopProgress loop, long blockedNanos) {
        Thread t = loop.thread();
        BlockedLoop stack = new BlockedLoop("loop " + name(loop) + " blocked for "
                + TimeUnit.NANOSECONDS.toMillis(blockedNanos) + " ms");
        if (t != null) {
            stack.setStackTrace(t.getStackTrace());
        }
        log.warn("{}: loop {} has been running one callback or task for {} ms, more than the "
                        + "blocked-loop warning threshold of {} ms; every connection of that loop waits meanwhile. "
                        + "Handlers must not block: offload one that does (handlerExecution, gev.server.handler-execution). "
                        + "The loop thread is here:",
                owner, name(loop), TimeUnit.NANOSECONDS.toMillis(blockedNanos),
                TimeUnit.NANOSECONDS.toMillis(thresholdNanos), stack);
    }

    private static String name(LoopProgress loop) {
        Thread t = loop.thread();
        return t == null ? "?" : t.getName();
    }

    /** Carries the stack of a blocked loop thread into the log. */
    static final class BlockedLoop extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BlockedLoop(String message) {
            super(message, null, false, true);
        }
    }
}
