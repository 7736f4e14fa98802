package io.gev.internal.engine;

import io.gev.CloseReason;
import io.gev.Handler;
import io.gev.SendCallback;
import io.gev.buffer.RingBuffer;
import io.gev.internal.tls.TlsBuffers;
import io.gev.internal.tls.TlsContext;
import io.gev.internal.tls.TlsLoop;
import io.gev.internal.transport.AbstractSocketIo;
import io.gev.internal.watchdog.ClientFaultLog;
import io.gev.internal.watchdog.LoopProgress;
import io.gev.internal.watchdog.TimerImpl;
import io.gev.loop.EventLoop;
import io.gev.loop.Timer;
import io.gev.protocol.Frame;
import io.gev.protocol.Protocol;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One worker loop: a Netty {@link IoEventLoop} plus the per-loop state gev shares among the
 * loop's connections (read buffer, decode holder, buffer pool, counters, the connection list).
 * All mutable state is confined to the loop thread, except the cross-thread operation queue.
 *
 * <p>Connections need of the Netty loop only what any {@link EventExecutor} offers (tasks,
 * timers, the thread check); only registering a socket needs it to be an {@link IoEventLoop}.
 * That is the seam of the embedded loop of the tests, which runs the same connections over
 * in-memory sockets on the test's own thread.
 */
final class GevLoop implements EventLoop, TlsLoop {

    private static final Logger log = LoggerFactory.getLogger(GevLoop.class);

    /**
     * Connections the idle sweep closes in one run (about 5 ms of system calls) before it lets the
     * loop poll for I/O again: ten thousand connections that fell idle together must not stall
     * the busy ones for a hundred milliseconds.
     */
    static final int MAX_IDLE_CLOSES_PER_RUN = 256;

    /**
     * Sends, closes and half-closes from other threads run in batches of this many before the
     * loop polls for I/O again, so that a thread flooding the loop with sends cannot keep its
     * connections waiting (it kept them waiting for 600 ms in the slow-reader test).
     */
    static final int MAX_PENDING_OPS_PER_RUN = 256;

    private final EventExecutor netty;
    private final int index;
    private final ServerEngine engine;
    private final LoopProgress progress;

    // Per-loop scratch state, shared by the loop's connections one event at a time.
    final RingBuffer readBuffer;
    final Frame<Object> frame = new Frame<>();
    /** The segments of one write: a connection's out ring hands out at most this many. */
    final ByteBuffer[] iov = new ByteBuffer[RingBuffer.MAX_SEGMENTS];
    final BufferPool pool;
    final ReadAgainQueue readAgain;
    /** The pool and the server's write limits, which every connection's OutboundBuffer refers to. */
    final OutboundBuffer.Shared outboundShared;
    /** The server's read buffer limit, read on every read of every connection. */
    final int readBufferLimit;
    /** The server's, for its connections on this loop, which have no fields of their own for them. */
    final Handler<Object> handler;
    final Protocol<Object> protocol;
    /** The TLS layer's buffers, created by the first TLS connection; none on a plain server. */
    private TlsBuffers tlsBuffers;

    // Counters: plain fields written by this loop's thread only (see ServerStats).
    long accepted;
    long bytesIn;
    long bytesOut;
    long messagesIn;
    long messagesOut;
    long writeBufferBytes;
    final long[] closed = new long[CloseReason.values().length];
    long tlsHandshakes;
    long tlsHandshakeNanos;
    int tlsSessions;
    long upgrades;
    long upgradeNanos;
    int upgradedConnections;
    /** Messages this loop's connections handed to an offloaded handler, not yet handed back. */
    long handlerBacklog;
    /**
     * The connection whose protocol's {@code onConnect} runs now, else {@code null}: its handler
     * has not heard of it yet, so a close in there is not told to the handler.
     */
    AbstractConnection protocolConnecting;
    private volatile int connectionCount;

    // Connections in order of their last read: the head is the one idle the longest.
    private ConnectionImpl head;
    private ConnectionImpl tail;

    private final ConcurrentLinkedQueue<PendingOp> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drainPending;
    /** Running a batch of queued operations: sends flush after it (see {@link #flushAfterBatch}). */
    private boolean batching;
    /**
     * The connections of this batch that flush after it: one per operation at most, unless user
     * code an operation runs (an onClose) sends to many; once full, a connection flushes at once.
     */
    private final ConnectionImpl[] toFlush = new ConnectionImpl[MAX_PENDING_OPS_PER_RUN];
    private int flushing;

    private Timer idleSweep;
    private Runnable idleSweepRest;
    private boolean idleSweepRestScheduled;
    private boolean drainSignalled;
    /** The server stopped: see {@link #retire()}. */
    private volatile boolean retired;

    GevLoop(EventExecutor netty, int index, ServerEngine engine, LoopProgress progress) {
        this.netty = netty;
        this.handler = engine.loopHandler;
        this.protocol = ServerEngine.anyProtocol(engine.protocol);
        this.index = index;
        this.engine = engine;
        this.progress = progress;
        this.readBuffer = RingBuffer.allocateDirect(engine.options.readBufferSize());
        this.pool = new BufferPool(4L * 1024 * 1024);
        this.readAgain = new ReadAgainQueue(netty);
        this.readBufferLimit = engine.options.readBufferLimit();
        this.outboundShared = new OutboundBuffer.Shared(pool, engine.options.writeBufferHighWaterMark(),
                engine.options.writeBufferLowWaterMark(), engine.options.writeBufferLimit());
    }

    EventExecutor netty() {
        return netty;
    }

    @Override
    public EventExecutor executor() {
        return netty;
    }

    /** The Netty loop sockets register with. */
    IoEventLoop ioLoop() {
        return (IoEventLoop) netty;
    }

    ServerEngine engine() {
        return engine;
    }

    /** What the blocked-loop watchdog reads; bumped around every event this loop dispatches. */
    LoopProgress progress() {
        return progress;
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public String name() {
        Thread thread = progress.thread();
        return thread != null ? thread.getName() : EventLoop.super.name();
    }

    @Override
    public boolean inEventLoop() {
        return netty.inEventLoop();
    }

    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        netty.execute(task);
    }

    @Override
    public Timer schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(task, "task");
        GuardedTask guarded = new GuardedTask(task);
        return guarded.timer(netty.schedule(guarded, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS));
    }

    @Override
    public Timer scheduleAtFixedRate(Duration period, Runnable task) {
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(task, "task");
        long nanos = period.toNanos();
        if (nanos <= 0) {
            throw new IllegalArgumentException("period must be positive: " + period);
        }
        GuardedTask guarded = new GuardedTask(task);
        return guarded.timer(netty.scheduleAtFixedRate(guarded, nanos, nanos, TimeUnit.NANOSECONDS));
    }

    /**
     * Ends this loop's part in the server, which stopped: its timers, the idle sweep among them,
     * no longer run. A loop of threads shared with other servers runs on, so timers of a stopped
     * server must end by themselves (a periodic one cancels itself when it next comes due). Any
     * thread.
     */
    void retire() {
        retired = true;
    }

    /**
     * A timer's task: logged when it throws, since a periodic Netty task that throws is cancelled
     * and a gev timer keeps its schedule; not run once the server stopped.
     */
    private final class GuardedTask implements Runnable {
        private final Runnable task;
        private volatile TimerImpl timer;

        GuardedTask(Runnable task) {
            this.task = task;
        }

        TimerImpl timer(Future<?> future) {
            return timer = new TimerImpl(future);
        }

        @Override
        public void run() {
            if (retired) {
                TimerImpl t = timer;
                if (t != null) {
                    t.cancel();
                }
                return;
            }
            try {
                task.run();
            } catch (Throwable t) {
                log.warn("Timer task {} failed", task, t);
            }
        }
    }

    @Override
    public int connectionCount() {
        return connectionCount;
    }

    @Override
    public TlsBuffers tlsBuffers(TlsContext tls) {
        TlsBuffers buffers = tlsBuffers;
        if (buffers == null) {
            buffers = tlsBuffers = new TlsBuffers(tls);
        }
        return buffers;
    }

    @Override
    public void tlsHandshakeCompleted(long nanos) {
        tlsHandshakes++;
        tlsHandshakeNanos += nanos;
        tlsSessions++;
    }

    @Override
    public void tlsSessionClosed() {
        tlsSessions--;
    }

    @Override
    public ClientFaultLog tlsFailures() {
        return engine.tlsFailures;
    }

    /** A connection's protocol completed its own handshake ({@link io.gev.Connection#upgraded}). */
    void upgraded(long nanos) {
        upgrades++;
        upgradeNanos += nanos;
        upgradedConnections++;
    }

    int pendingTasks() {
        return netty instanceof SingleThreadEventExecutor ? ((SingleThreadEventExecutor) netty).pendingTasks() : 0;
    }

    /** Registers an accepted socket on this loop; may be called from any thread. */
    void register(ConnectionImpl connection, AbstractSocketIo handle) {
        Future<IoRegistration> future = ioLoop().register(handle);
        future.addListener(f -> {
            if (f.isSuccess()) {
                Opening.registered(connection, (IoRegistration) f.getNow());
            } else {
                log.debug("Registration of {} failed", connection, f.cause());
                Opening.drop(connection);
            }
        });
    }

    void link(ConnectionImpl c) {
        c.lastReadNanos = System.nanoTime();
        append(c);
        accepted++;
        connectionCount++;
    }

    void unlink(ConnectionImpl c) {
        remove(c);
        connectionCount--;
        if (connectionCount == 0) {
            engine.loopDrained(this);
        }
    }

    /** Marks {@code c} as just read from; keeps the list ordered for the idle sweep. */
    void touch(ConnectionImpl c, long now) {
        c.lastReadNanos = now;
        if (c != tail) {
            remove(c);
            append(c);
        }
    }

    private void append(ConnectionImpl c) {
        c.prev = tail;
        c.next = null;
        if (tail == null) {
            head = c;
        } else {
            tail.next = c;
        }
        tail = c;
    }

    private void remove(ConnectionImpl c) {
        ConnectionImpl p = c.prev;
        ConnectionImpl n = c.next;
        if (p == null) {
            head = n;
        } else {
            p.next = n;
        }
        if (n == null) {
            tail = p;
        } else {
            n.prev = p;
        }
        c.prev = null;
        c.next = null;
    }

    void startIdleSweep(long timeoutNanos) {
        // A tenth of the timeout keeps closes within 10% late; clamp so tiny timeouts do not spin.
        long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(5),
                Math.min(TimeUnit.SECONDS.toNanos(1), timeoutNanos / 10));
        // Guarded like a user's timer: it ends by itself once the server stopped (see retire()).
        GuardedTask sweep = new GuardedTask(() -> sweepIdle(timeoutNanos));
        idleSweep = sweep.timer(netty.scheduleAtFixedRate(sweep, tick, tick,
                TimeUnit.NANOSECONDS));
        idleSweepRest = () -> {
            idleSweepRestScheduled = false;
            if (!idleSweep.isCancelled() && !retired) { // a graceful stop cancels the sweep: let replies drain
                sweepIdle(timeoutNanos);
            }
        };
    }

    /**
     * Closes connections idle for {@code timeoutNanos}; the cost is proportional to how many it
     * closes. Past {@link #MAX_IDLE_CLOSES_PER_RUN} it goes on in a task scheduled without delay,
     * which Netty runs only after the loop has polled for I/O once more.
     */
    void sweepIdle(long timeoutNanos) {
        long now = System.nanoTime();
        ConnectionImpl c = head;
        int closed = 0;
        while (c != null && now - c.lastReadNanos >= timeoutNanos) {
            if (closed++ == MAX_IDLE_CLOSES_PER_RUN) {
                if (!idleSweepRestScheduled) {
                    idleSweepRestScheduled = true;
                    netty.schedule(idleSweepRest, 0, TimeUnit.NANOSECONDS);
                }
                return;
            }
            ConnectionImpl next = c.next;
            Closing.closeIdle(c, timeoutNanos);
            c = next;
        }
    }

    /** Stops reading on every connection and closes those with nothing left to write. */
    void beginShutdown() {
        if (idleSweep != null) {
            idleSweep.cancel();
        }
        // Sends queued before stop() are part of what the grace period delivers.
        runAllPending();
        ConnectionImpl c = head;
        while (c != null) {
            ConnectionImpl next = c.next;
            Closing.shutdownGracefully(c);
            c = next;
        }
        if (connectionCount == 0) {
            engine.loopDrained(this);
        }
    }

    /** {@code true} the first time: the stop sequence counts each loop once. */
    boolean markDrained() {
        if (drainSignalled) {
            return false;
        }
        drainSignalled = true;
        return true;
    }

    /** Closes every connection still open. */
    void closeAll(CloseReason reason) {
        runAllPending();
        while (head != null) {
            head.close(reason, null);
        }
    }

    /**
     * Drops the loop's read buffer and pooled rings once the server stopped, so that a stopped
     * server that is still referenced (a bean, a field) does not keep megabytes of direct memory.
     */
    void releaseBuffers() {
        pool.clear();
        readBuffer.release();
    }

    /**
     * Runs every queued operation now, however many, for the stop sequence; later operations
     * queue a drain task of their own, or fail once the loop is gone.
     */
    private void runAllPending() {
        PendingOp op;
        while ((op = pending.poll()) != null) {
            op.run();
        }
        drainScheduled.set(false);
    }

    /** Queues an operation from another thread; one wake-up task per batch. */
    void enqueue(PendingOp op) {
        pending.add(op);
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                netty.execute(drainTask);
            } catch (RuntimeException e) {
                // The loop is shutting down: the connections it owns are closed already.
                drainScheduled.set(false);
                failPending(e);
            }
        }
    }

    /**
     * Runs up to {@link #MAX_PENDING_OPS_PER_RUN} queued operations; if more are left, goes on in
     * a task scheduled without delay, which Netty runs only after the loop has polled for I/O.
     * {@code drainScheduled} stays set until the queue is seen empty, so producers queue no other
     * drain task meanwhile (one that Netty would run in the same batch of tasks).
     */
    private void drainPending() {
        if (!runPendingBatch()) {
            return;
        }
        try {
            netty.schedule(drainTask, 0, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // The loop is shutting down: the connections it owns are closed already.
            drainScheduled.set(false);
            failPending(e);
        }
    }

    /**
     * Runs one batch of queued operations, writing each connection's sends of the batch with one
     * system call after it (a worker thread's replies, a broadcast).
     *
     * @return whether operations are left for another batch
     */
    private boolean runPendingBatch() {
        flushing = 0;
        batching = true;
        try {
            for (int n = 0; n < MAX_PENDING_OPS_PER_RUN; n++) {
                PendingOp op = pending.poll();
                if (op == null) {
                    drainScheduled.set(false);
                    // An operation queued after the poll saw the flag still set and scheduled nothing.
                    if (pending.isEmpty() || !drainScheduled.compareAndSet(false, true)) {
                        return false;
                    }
                    continue;
                }
                op.run();
            }
            return true;
        } finally {
            batching = false;
            for (int i = 0; i < flushing; i++) {
                ConnectionImpl c = toFlush[i];
                toFlush[i] = null;
                c.flushAfterBatch = false;
                if (c.state().live) {
                    c.flush();
                }
            }
        }
    }

    /**
     * Inside a batch of queued operations, takes {@code c}'s flush to the end of it; outside one,
     * returns {@code false} for {@code c} to flush now. Loop thread.
     */
    boolean flushAfterBatch(ConnectionImpl c) {
        if (!batching || flushing == toFlush.length) {
            return false;
        }
        if (!c.flushAfterBatch) {
            c.flushAfterBatch = true;
            toFlush[flushing++] = c;
        }
        return true;
    }

    private void failPending(Throwable cause) {
        PendingOp op;
        while ((op = pending.poll()) != null) {
            op.fail(cause);
        }
    }

    /** A send, close, shutdownWrite, pauseReading or resumeReading made off the loop, or an offloaded callback's return. */
    static class PendingOp {
        static final int SEND = 0;
        static final int CLOSE = 1;
        static final int SHUTDOWN_WRITE = 2;
        static final int PAUSE_READING = 3;
        static final int RESUME_READING = 4;
        /** An offloaded callback ran: the operation is the {@link HandlerQueue.Callback} itself. */
        static final int HANDED_BACK = 5;

        final AbstractConnection connection;
        final int kind;
        final Object message;
        final SendCallback callback;

        PendingOp(AbstractConnection connection, int kind, Object message, SendCallback callback) {
            this.connection = connection;
            this.kind = kind;
            this.message = message;
            this.callback = callback;
        }

        void run() {
            run(connection, kind, message, callback);
        }

        /** Runs operation {@code kind} on {@code connection}, on its loop; HANDED_BACK runs its own {@code run()}. */
        static void run(AbstractConnection connection, int kind, Object message, SendCallback callback) {
            switch (kind) {
                case SEND:
                    connection.sendOnLoop(message, callback);
                    break;
                case CLOSE:
                    connection.closeOnLoop();
                    break;
                case SHUTDOWN_WRITE:
                    connection.shutdownWriteOnLoop();
                    break;
                case PAUSE_READING:
                    connection.pauseReadingOnLoop(AbstractConnection.PAUSED_BY_USER);
                    break;
                default:
                    connection.resumeReadingOnLoop(AbstractConnection.PAUSED_BY_USER);
                    break;
            }
        }

        void fail(Throwable cause) {
            if (callback != null) {
                connection.notifyCallback(callback, cause);
            }
        }
    }

    @Override
    public String toString() {
        return engine.name() + "-loop-" + index;
    }
}
