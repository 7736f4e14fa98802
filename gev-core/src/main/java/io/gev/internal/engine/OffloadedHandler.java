package io.gev.internal.engine;

import io.gev.Connection;
import io.gev.Handler;
import io.gev.HandlerExecution;
import io.gev.protocol.Protocol;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The loop's side of a handler that runs off the loop ({@link HandlerExecution}): in the loop's
 * place of the server's handler, it hands each callback to the connection's {@link HandlerQueue},
 * with the message detached from gev's buffers by the protocol, and returns at once. Loop thread,
 * but for {@link #awaitIdle}.
 */
final class OffloadedHandler implements Handler<Object> {

    final Handler<Object> handler;
    private final Protocol<Object> protocol;
    final Executor executor;
    /** Reading pauses once this many callbacks of a connection are in flight... */
    final int pauseAt;
    /** ...and resumes once no more than this many are. */
    final int resumeAt;
    /** Queues with callbacks to run or running, across the server's connections. */
    private final AtomicInteger active = new AtomicInteger();

    OffloadedHandler(Handler<Object> handler, Protocol<Object> protocol, HandlerExecution execution, String serverName) {
        this.handler = handler;
        this.protocol = protocol;
        this.executor = execution.executor().orElseGet(() -> VirtualThreads.executor("gev-" + serverName + "-handler-"));
        this.pauseAt = execution.maxQueuedMessages();
        this.resumeAt = pauseAt / 2;
    }

    @Override
    public void onConnect(Connection connection) {
        queue(connection).submit(HandlerQueue.CONNECT, null, null);
    }

    @Override
    public Object onMessage(Connection connection, Object context, Object message) {
        if (!handler.offload(context, message)) {
            return handler.onMessage(connection, context, message);
        }
        queue(connection).submit(HandlerQueue.MESSAGE, context, protocol.detach(message));
        return null;
    }

    @Override
    public void onWritabilityChanged(Connection connection) {
        queue(connection).submit(HandlerQueue.WRITABILITY, null, null);
    }

    @Override
    public void onClose(Connection connection) {
        queue(connection).submit(HandlerQueue.CLOSE, null, null);
    }

    /**
     * The connection's queue, made at its first callback: usually onConnect, but a protocol's own
     * onConnect runs first and may fill the write buffer (writability) or close (onClose).
     */
    private HandlerQueue queue(Connection connection) {
        AbstractConnection c = (AbstractConnection) connection;
        HandlerQueue queue = c.handlerQueue;
        if (queue == null) {
            queue = c.handlerQueue = new HandlerQueue(this, c);
        }
        return queue;
    }

    /** A queue has callbacks to run. Any thread. */
    void queueActive() {
        active.incrementAndGet();
    }

    /** A queue ran all it had. Any thread. */
    void queueIdle() {
        if (active.decrementAndGet() == 0) {
            // Rare under load (every queue idle at once), so the monitor costs nothing on the way.
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /**
     * Waits until no callback runs or waits to run (the last {@code onClose} calls of a stop),
     * for at most {@code timeout}.
     *
     * @return whether they all ran
     */
    synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (active.get() > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** Connections whose callbacks run or wait to run. Any thread. */
    int activeQueues() {
        return active.get();
    }

    @Override
    public String toString() {
        return handler + " on " + executor;
    }
}
