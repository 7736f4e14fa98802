package io.gev.loop;

import java.time.Duration;

/**
 * One of a server's event loops: a single thread that runs the callbacks of the connections it
 * owns. Tasks given to it run on that thread, after the current I/O batch.
 */
public interface EventLoop {

    /** The loop's position among its server's loops, from 0. */
    int index();

    /** The loop's name, as in logs and the blocked-loop warning: its thread's name once it runs. */
    default String name() {
        return "loop-" + index();
    }

    /** {@code true} when called from this loop's thread. */
    boolean inEventLoop();

    /** Runs {@code task} on this loop's thread. A task that throws is logged and the loop goes on. */
    void execute(Runnable task);

    /** Runs {@code task} once on this loop's thread after {@code delay}. */
    Timer schedule(Duration delay, Runnable task);

    /**
     * Runs {@code task} on this loop's thread every {@code period}, first after {@code period}.
     * A run that throws is logged and does not stop later runs.
     */
    Timer scheduleAtFixedRate(Duration period, Runnable task);

    /** Connections this loop owns now. */
    int connectionCount();
}
