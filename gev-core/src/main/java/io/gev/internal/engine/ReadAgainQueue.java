package io.gev.internal.engine;

import io.netty.util.concurrent.EventExecutor;

import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;

/**
 * The connections of one loop that read again in a task of it, for input that no socket event
 * will report: bytes left in an edge-triggered socket when the reads of one event ran out, or
 * plaintext the TLS layer holds. One task runs them all, each connection at most once per task;
 * a connection holds no task object of its own (a reference less in each, 4 bytes by JOL).
 * Loop thread only.
 */
final class ReadAgainQueue implements Runnable {

    private final EventExecutor loop;
    private final ArrayDeque<ConnectionImpl> queue = new ArrayDeque<>();
    private boolean scheduled;

    ReadAgainQueue(EventExecutor loop) {
        this.loop = loop;
    }

    /** Queues {@code c} unless it is queued already. */
    void add(ConnectionImpl c) {
        if (c.readAgainQueued) {
            return;
        }
        if (!scheduled) {
            try {
                loop.execute(this);
            } catch (RejectedExecutionException e) {
                return; // The loop is shutting down and closes its sockets.
            }
            scheduled = true;
        }
        c.readAgainQueued = true;
        queue.add(c);
    }

    @Override
    public void run() {
        scheduled = false;
        // Only those queued before this run: a connection that queues itself again reads in the
        // next task, which Netty may run after polling for I/O, as it did with a task per connection.
        for (int n = queue.size(); n > 0; n--) {
            ConnectionImpl c = queue.poll();
            c.readAgainQueued = false;
            c.onIoEvent(true, false, false); // reads only while it reads: not closed, not paused
        }
    }
}
