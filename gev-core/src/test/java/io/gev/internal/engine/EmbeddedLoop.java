package io.gev.internal.engine;

import io.gev.CloseReason;
import io.gev.Connection;
import io.gev.Server;
import io.gev.ServerInternals;
import io.gev.ServerStats;
import io.gev.internal.watchdog.LoopProgress;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One gev loop without a poller or thread of its own: the server's real connections, read
 * buffer, buffer pool and write path, over {@link EmbeddedSocket}s, run on the thread that
 * created it. Public only for {@code io.gev.embedded}, which is the API for tests.
 */
public final class EmbeddedLoop {

    private final ServerEngine engine;
    private final EmbeddedExecutor executor;
    private final GevLoop loop;
    private final boolean edgeCapable;
    private long ids;
    private boolean closed;

    /** @param edgeTriggered sockets poll as epoll does (edge-triggered, unless under TLS), else as a selector */
    public EmbeddedLoop(Server.Builder builder, boolean edgeTriggered) {
        // Built as a real server is, so its options are checked and its engine made the same way.
        this.engine = (ServerEngine) ServerInternals.engine(builder.build());
        this.executor = new EmbeddedExecutor(Thread.currentThread());
        this.loop = new GevLoop(executor, 0, engine, new LoopProgress());
        this.edgeCapable = edgeTriggered;
        engine.runOn(loop);
    }

    /** A new connection, registered and (past a TLS handshake, if any) handed to the handler. */
    public EmbeddedSocket connect() {
        checkOpen();
        long id = ++ids;
        EmbeddedSocket socket = new EmbeddedSocket(this,
                new InetSocketAddress("127.0.0.1", (int) (40_000 + id % 20_000)),
                new InetSocketAddress("127.0.0.1", 1833), edgeCapable);
        ConnectionImpl connection = new ConnectionImpl(id, loop, engine.connectionIo(socket, loop));
        socket.connection(connection);
        Opening.registered(connection, socket.registration());
        socket.settle();
        return socket;
    }

    /** Why {@code connection} (one of an embedded loop) closed; {@code null} while open. */
    public static CloseReason closeReason(Connection connection) {
        return ((ConnectionImpl) connection).closeReason();
    }

    /** What failed when {@code connection} (one of an embedded loop) closed for an error, if anything. */
    public static Throwable closeCause(Connection connection) {
        return ((ConnectionImpl) connection).closeCause();
    }

    /** The capacity of the ring {@code connection} (one of an embedded loop) holds for an incomplete frame. */
    public static int readRingCapacity(Connection connection) {
        return ((ConnectionImpl) connection).inCapacity();
    }

    public int runPendingTasks() {
        return executor.runPendingTasks();
    }

    /** Waits up to {@code timeout} for a task another thread queues, and runs it. */
    public boolean awaitTask(Duration timeout) throws InterruptedException {
        return executor.awaitTask(timeout);
    }

    public void advanceTime(Duration time) {
        executor.advance(time);
        executor.runPendingTasks();
    }

    public Duration untilNextTimer() {
        return executor.untilNextTimer();
    }

    public ServerStats stats() {
        return engine.stats();
    }

    public String serverName() {
        return engine.name();
    }

    /** Rings the loop's pool has lent out and not got back. */
    public int buffersLent() {
        return loop.pool.lentCount();
    }

    /** Outbound buffers the loop has lent to open connections and not got back. */
    public int outboundBuffersLent() {
        return loop.outboundShared.lentCount();
    }

    /** Whether {@code connection} (one of an embedded loop) holds an outbound buffer now. */
    public static boolean holdsOutboundBuffer(Connection connection) {
        return ((ConnectionImpl) connection).holdsOutbound();
    }

    /** Closes every connection as a server stop does after its grace period, and frees the buffers. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            executor.runPendingTasks();
            loop.closeAll(CloseReason.SHUTDOWN);
            executor.runPendingTasks();
            loop.releaseBuffers();
        } finally {
            executor.terminate();
            if (engine.tls != null) {
                engine.tls.shutdown();
            }
        }
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the embedded server is closed");
        }
        if (!executor.inEventLoop()) {
            throw new IllegalStateException("an embedded server runs on the thread that created it, not on "
                    + Thread.currentThread().getName());
        }
    }
}
