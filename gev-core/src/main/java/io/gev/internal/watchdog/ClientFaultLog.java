package io.gev.internal.watchdog;

import org.slf4j.Logger;
import org.slf4j.event.Level;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The log of one kind of client fault on one server, such as protocol errors or failed TLS
 * handshakes. Each bad client causes one, so a scanner hitting the port would fill the log with
 * them: per interval the first {@code limit} faults are logged at the site's level, the rest only
 * at DEBUG, counted, and summarised in one line at the end of the interval ("gev server 'echo':
 * ... and 1,532 more protocol errors in the last minute"). An interval of zero logs every fault
 * at the site's level.
 *
 * <p>Thread-safe: the loops of a server share one. Only the fault path calls it; the summary runs
 * as a task of the loop that held the first fault back, and {@link #flush()} logs what is left when
 * the server stops.
 */
public final class ClientFaultLog {

    private final Logger log;
    private final Level level;
    private final String server;
    private final String kind;
    private final String interval;
    /** {@code null} when every fault is logged. */
    private final LogThrottle throttle;
    private final Runnable summaryTask = this::flush;
    /** Guarded by this. */
    private boolean summaryScheduled;

    /**
     * @param log the logger of the code that meets the fault, so its category stays the same
     * @param level the level of the faults logged in full and of the summaries
     * @param kind the faults in the plural, for the summary: "protocol errors"
     * @param interval how long faults are counted before the next ones log again; zero logs every one
     * @param limit faults logged in full per interval; 0 logs only summaries
     */
    public ClientFaultLog(Logger log, Level level, String server, String kind, Duration interval, int limit) {
        this.log = log;
        this.level = level;
        this.server = server;
        this.kind = kind;
        this.interval = describe(interval);
        this.throttle = interval.isZero() ? null : new LogThrottle(interval.toNanos(), limit);
    }

    /**
     * Logs a fault, formatted as SLF4J does: at the level of this log, or past the interval's
     * limit at DEBUG, counted for the summary, which {@code loop} is then asked to log when the
     * interval ends.
     */
    public void report(ScheduledExecutorService loop, String format, Object... args) {
        if (throttle == null) {
            log.atLevel(level).log(format, args);
            return;
        }
        long now = System.nanoTime();
        long held;
        long summaryDelay = -1;
        synchronized (this) {
            held = throttle.tryReport(now);
            if (held < 0 && !summaryScheduled) {
                summaryScheduled = true;
                summaryDelay = throttle.nanosLeft(now);
            }
        }
        if (held > 0) {
            summarise(held); // The summary task of the last interval has not run yet.
        }
        if (held >= 0) {
            log.atLevel(level).log(format, args);
        } else if (log.isDebugEnabled()) {
            log.debug(format, args);
        }
        if (summaryDelay >= 0) {
            try {
                loop.schedule(summaryTask, summaryDelay, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // The loop is shutting down; the server's stop flushes.
                synchronized (this) {
                    summaryScheduled = false;
                }
            }
        }
    }

    /** Logs the summary of the faults held back so far, if any. */
    public void flush() {
        long held;
        synchronized (this) {
            summaryScheduled = false;
            held = throttle == null ? 0 : throttle.takeHeld();
        }
        if (held > 0) {
            summarise(held);
        }
    }

    private void summarise(long held) {
        log.atLevel(level).log("gev server '{}': ... and {} more {} in the last {} (each logged at DEBUG)", server,
                String.format(Locale.ROOT, "%,d", held), kind, interval);
    }

    /** "minute", "5 minutes", "30 seconds", "250 ms". */
    static String describe(Duration interval) {
        long millis = interval.toMillis();
        if (millis >= 60_000 && millis % 60_000 == 0) {
            return plural(millis / 60_000, "minute");
        }
        if (millis >= 1000 && millis % 1000 == 0) {
            return plural(millis / 1000, "second");
        }
        return millis > 0 ? millis + " ms" : interval.toNanos() + " ns";
    }

    private static String plural(long n, String unit) {
        return n == 1 ? unit : n + " " + unit + "s";
    }
}
