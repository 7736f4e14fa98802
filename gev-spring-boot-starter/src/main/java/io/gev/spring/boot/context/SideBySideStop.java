package io.gev.spring.boot.context;

import org.slf4j.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Stops servers or clients side by side, each within its own grace period on a thread of its
 * own, so that the slowest one bounds the whole stop; one with no grace stops at once on the
 * caller's thread. Not thread-safe: one per stop.
 */
final class SideBySideStop {

    private final Logger log;
    private final List<Thread> stoppers = new ArrayList<>();

    SideBySideStop(Logger log) {
        this.log = log;
    }

    /** Begins {@code stop} with {@code grace}; {@code what} names it in the log and its thread. */
    void begin(String what, String threadName, Duration grace, Consumer<Duration> stop) {
        if (grace.isZero()) {
            stop.accept(grace);
            return;
        }
        log.info("Stopping {} (at most {})", what, grace);
        Thread t = new Thread(() -> stop.accept(grace), threadName);
        stoppers.add(t);
        t.start();
    }

    /** Waits for every stop begun; an interrupt ends the wait, keeping the flag set. */
    void await() {
        for (Thread t : stoppers) {
            try {
                t.join();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
