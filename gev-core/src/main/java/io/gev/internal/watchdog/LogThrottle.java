package io.gev.internal.watchdog;

/**
 * Lets the first reports of a repeating error through per period and counts the ones it holds
 * back, so that an error that comes with every event (every accept, say) logs a few lines a
 * period, not a line an event. A period starts with the first error after the last one ended.
 * Thread-safe; only the error path calls it.
 */
public final class LogThrottle {

    private final long periodNanos;
    private final int burst;
    private boolean started;
    private long periodStart;
    private int reportedInPeriod;
    private long held;

    /** One report per period. */
    public LogThrottle(long periodNanos) {
        this(periodNanos, 1);
    }

    /**
     * @param burst reports let through per period; 0 holds back every one (for summaries only)
     */
    public LogThrottle(long periodNanos, int burst) {
        if (periodNanos <= 0) {
            throw new IllegalArgumentException("periodNanos must be > 0: " + periodNanos);
        }
        if (burst < 0) {
            throw new IllegalArgumentException("burst must be >= 0: " + burst);
        }
        this.periodNanos = periodNanos;
        this.burst = burst;
    }

    /**
     * Whether an error at {@code nowNanos} (a {@link System#nanoTime()} reading) is to be
     * reported: {@code -1} when it is held back, otherwise how many were held back since the
     * last report (or {@link #takeHeld()}).
     */
    public synchronized long tryReport(long nowNanos) {
        if (!started || nowNanos - periodStart >= periodNanos) {
            started = true;
            periodStart = nowNanos;
            reportedInPeriod = 0;
        }
        if (reportedInPeriod < burst) {
            reportedInPeriod++;
            long count = held;
            held = 0;
            return count;
        }
        held++;
        return -1;
    }

    /** How many were held back since the last report or call of this; counts start again from 0. */
    public synchronized long takeHeld() {
        long count = held;
        held = 0;
        return count;
    }

    /** Nanoseconds from {@code nowNanos} to the end of the current period; at most one period. */
    public synchronized long nanosLeft(long nowNanos) {
        return started ? Math.max(0, periodNanos - (nowNanos - periodStart)) : periodNanos;
    }
}
