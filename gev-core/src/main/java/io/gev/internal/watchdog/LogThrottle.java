package io.gev.internal.watchdog;

/**
 * Lets one report of a repeating error through per period and counts the ones it holds back, so
 * that an error that comes with every event (every accept, say) logs a line a second, not a line
 * an event. Thread-safe; only the error path calls it.
 */
public final class LogThrottle {

    private final long periodNanos;
    private boolean reported;
    private long lastReport;
    private long held;

    public LogThrottle(long periodNanos) {
        if (periodNanos <= 0) {
            throw new IllegalArgumentException("periodNanos must be > 0: " + periodNanos);
        }
        this.periodNanos = periodNanos;
    }

    /**
     * Whether an error at {@code nowNanos} (a {@link System#nanoTime()} reading) is to be
     * reported: {@code -1} when it is held back, otherwise how many were held back since the
     * last report.
     */
    public synchronized long tryReport(long nowNanos) {
        if (reported && nowNanos - lastReport < periodNanos) {
            held++;
            return -1;
        }
        reported = true;
        lastReport = nowNanos;
        long count = held;
        held = 0;
        return count;
    }
}
