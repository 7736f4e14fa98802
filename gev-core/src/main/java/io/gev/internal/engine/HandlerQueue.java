package io.gev.internal.engine;

import io.gev.CloseReason;
import io.gev.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One connection's callbacks on an offloaded handler, run one at a time and in order on the
 * handler's executor, and handed back to the loop when done: a reply to send, a failure to close
 * for. The loop counts what is in flight (its backlog): at {@link OffloadedHandler#pauseAt} it
 * pauses the connection's reading, at {@link OffloadedHandler#resumeAt} it resumes it, and a drain
 * (the peer's end of stream, a server stop) waits until nothing is in flight, so the replies of
 * callbacks still running go out before the connection closes.
 *
 * <p>The executor runs this queue as one task at a time (the {@code scheduled} flag), so one
 * connection's callbacks never overlap; each task runs up to {@link #MAX_CALLBACKS_PER_RUN} before
 * it gives the executor's thread to another connection.
 */
final class HandlerQueue implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ConnectionImpl.class);

    static final int CONNECT = 0;
    static final int MESSAGE = 1;
    static final int WRITABILITY = 2;
    static final int CLOSE = 3;

    /** Callbacks one task runs before it yields its thread, so a busy connection cannot hold a pool's thread. */
    static final int MAX_CALLBACKS_PER_RUN = 16;

    private final OffloadedHandler owner;
    private final AbstractConnection connection;
    private final ConcurrentLinkedQueue<Callback> callbacks = new ConcurrentLinkedQueue<>();
    /** A task of this queue is with the executor or running. */
    private final AtomicBoolean scheduled = new AtomicBoolean();

    // Loop thread only.
    /** Messages handed off and not yet handed back: what the bound counts. */
    private int backlog;
    /** Callbacks handed off and not yet handed back, the messages among them (onClose not counted). */
    private int inFlight;
    /** A drain that waits for the backlog to be handed back; {@code null} when none does. */
    private CloseReason drainWhenDone;

    HandlerQueue(OffloadedHandler owner, AbstractConnection connection) {
        this.owner = owner;
        this.connection = connection;
    }

    /**
     * One callback in flight, and once it ran its own hand-back to the loop: a pending operation,
     * so that an offloaded message costs one object less.
     */
    static final class Callback extends GevLoop.PendingOp {
        final int event;
        Object context;
        Object message;
        Object reply;
        Throwable failure;

        Callback(AbstractConnection connection, int event, Object context, Object message) {
            super(connection, GevLoop.PendingOp.HANDED_BACK, null, null);
            this.event = event;
            this.context = context;
            this.message = message;
        }

        @Override
        void run() {
            connection.handlerQueue.handedBack(this);
        }

        String name() {
            switch (event) {
                case CONNECT:
                    return "onConnect";
                case MESSAGE:
                    return "onMessage";
                case WRITABILITY:
                    return "onWritabilityChanged";
                default:
                    return "onClose";
            }
        }
    }

    // ---- the loop's side ------------------------------------------------------------------------

    /** Hands a callback to the executor, behind those of the connection still in flight. Loop thread. */
    void submit(int kind, Object context, Object message) {
        if (kind == MESSAGE) {
            backlog++;
            connection.loop.handlerBacklog++;
        }
        if (kind != CLOSE) {
            inFlight++;
        }
        callbacks.add(new Callback(connection, kind, context, message));
        if (scheduled.compareAndSet(false, true)) {
            owner.queueActive();
            try {
                owner.executor.execute(this);
            } catch (RuntimeException e) {
                rejected(e);
                return;
            }
        }
        if (kind == MESSAGE && backlog >= owner.pauseAt) {
            connection.pauseReadingOnLoop(AbstractConnection.PAUSED_BY_BACKLOG);
        }
    }

    /** The executor refused the queue's task: the connection cannot be served, so it closes. Loop thread. */
    private void rejected(RuntimeException e) {
        scheduled.set(false);
        owner.queueIdle();
        Callback dropped;
        boolean closeDropped = false;
        while ((dropped = callbacks.poll()) != null) {
            closeDropped |= dropped.event == CLOSE;
            landed(dropped);
        }
        if (closeDropped) {
            log.warn("Handler onClose of {} not run: {} refused it", connection, owner.executor, e);
        } else {
            log.warn("Closing {}: {} refused the handler's callbacks", connection, owner.executor, e);
            Closing.close(connection, CloseReason.HANDLER_ERROR, e);
        }
    }

    /**
     * A callback ran: sends its reply, or closes for its failure; resumes reading below the bound,
     * and begins a drain that waited for it. Loop thread, from the pending operation the worker queued.
     */
    void handedBack(Callback done) {
        landed(done);
        AbstractConnection c = connection;
        if (done.failure != null) {
            Closing.handlerFailed(c, done.name(), done.failure);
            return;
        }
        if (done.reply != null) {
            c.sendOnLoop(done.reply, null);
        }
        if (backlog <= owner.resumeAt) {
            c.resumeReadingOnLoop(AbstractConnection.PAUSED_BY_BACKLOG);
        }
        CloseReason drain = drainWhenDone;
        if (inFlight == 0 && drain != null) {
            drainWhenDone = null;
            if (drain == CloseReason.SHUTDOWN) {
                Closing.shutdownGracefully(c);
            } else {
                Closing.drainThenClose(c, drain);
            }
        }
    }

    /** {@code done} is no longer in flight, handed back or dropped. Loop thread. */
    private void landed(Callback done) {
        if (done.event == MESSAGE) {
            backlog--;
            connection.loop.handlerBacklog--;
        }
        if (done.event != CLOSE) {
            inFlight--;
        }
    }

    /**
     * Whether callbacks are in flight, so a drain for {@code reason} must wait for them: then it
     * is recorded (a server stop over the peer's end), to begin once they are handed back. Loop thread.
     */
    boolean drainLater(CloseReason reason) {
        if (inFlight == 0) {
            return false;
        }
        if (drainWhenDone == null || reason == CloseReason.SHUTDOWN) {
            drainWhenDone = reason;
        }
        return true;
    }

    // ---- the executor's side ---------------------------------------------------------------------

    @Override
    public void run() {
        while (true) {
            for (int n = 0; n < MAX_CALLBACKS_PER_RUN; n++) {
                Callback next = callbacks.poll();
                if (next == null) {
                    scheduled.set(false);
                    // A callback submitted after the poll saw the flag still set and scheduled nothing.
                    if (callbacks.isEmpty() || !scheduled.compareAndSet(false, true)) {
                        owner.queueIdle();
                        return;
                    }
                    continue;
                }
                invoke(next);
            }
            try {
                owner.executor.execute(this);
                return;
            } catch (RejectedExecutionException e) {
                // A saturated or stopping pool: go on here rather than strand the connection's callbacks.
            }
        }
    }

    private void invoke(Callback callback) {
        AbstractConnection c = connection;
        Handler<Object> handler = owner.handler;
        try {
            switch (callback.event) {
                case CONNECT:
                    handler.onConnect(c);
                    break;
                case MESSAGE:
                    Object message = callback.message;
                    callback.message = null;
                    callback.reply = handler.onMessage(c, callback.context, message);
                    callback.context = null;
                    break;
                case WRITABILITY:
                    handler.onWritabilityChanged(c);
                    break;
                default:
                    handler.onClose(c);
                    return; // nothing to hand back: the connection is gone
            }
        } catch (Throwable t) {
            if (callback.event == CLOSE) {
                log.warn("Handler onClose of {} failed", c, t);
                return;
            }
            callback.failure = t;
        }
        c.loop.enqueue(callback);
    }
}
