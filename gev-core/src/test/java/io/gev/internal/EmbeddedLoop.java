package io.gev.internal;

import io.gev.CloseReason;
import io.gev.Connection;
import io.gev.Server;
import io.gev.ServerStats;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.IntUnaryOperator;

/**
 * One gev loop without a poller or thread of its own: the server's real connections, read
 * buffer, buffer pool and write path, over {@link EmbeddedSocket}s, run on the thread that
 * created it. Public only for {@code io.gev.embedded}, which is the API for tests.
 */
public final class EmbeddedLoop {

    /** Events one delivery may cause before the loop is deemed to spin (a bug of the fixture or of gev). */
    private static final int MAX_EVENTS_PER_STEP = 10_000_000;

    private final ServerEngine engine;
    private final EmbeddedExecutor executor;
    private final GevLoop loop;
    private final boolean edgeTriggered;
    private long ids;
    private boolean closed;

    public EmbeddedLoop(Server.Builder builder, boolean edgeTriggered) {
        this.engine = new ServerEngine(builder); // checks the options as for a real server
        this.executor = new EmbeddedExecutor(Thread.currentThread());
        this.loop = new GevLoop(executor, 0, engine, new LoopProgress());
        this.edgeTriggered = edgeTriggered;
        engine.runOn(loop);
    }

    /** A new connection, registered and (past a TLS handshake, if any) handed to the handler. */
    public Socket connect() {
        checkOpen();
        long id = ++ids;
        EmbeddedSocket socket = new EmbeddedSocket(
                new InetSocketAddress("127.0.0.1", (int) (40_000 + id % 20_000)),
                new InetSocketAddress("127.0.0.1", 1833), edgeTriggered);
        SocketIo io = engine.tls == null ? socket : new TlsSocketIo(socket, engine.tls, loop);
        ConnectionImpl connection = new ConnectionImpl(id, loop, io);
        connection.registered(socket.registration());
        Socket s = new Socket(socket, connection);
        s.settle();
        return s;
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
            executor.shutdown();
            if (engine.tls != null) {
                engine.tls.shutdown();
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the embedded server is closed");
        }
        if (!executor.inEventLoop()) {
            throw new IllegalStateException("an embedded server runs on the thread that created it, not on "
                    + Thread.currentThread().getName());
        }
    }

    /** One connection and its in-memory socket. */
    public final class Socket {

        private final EmbeddedSocket socket;
        private final ConnectionImpl connection;

        Socket(EmbeddedSocket socket, ConnectionImpl connection) {
            this.socket = socket;
            this.connection = connection;
        }

        public Connection connection() {
            return connection;
        }

        /**
         * Delivers {@code bytes[off, off + len)} as one segment: one readiness event, reads that
         * return its bytes (and what is still unread before them) and then nothing, and whatever
         * tasks and writes follow.
         *
         * @return bytes the connection has not read (it closed or does not read now)
         */
        public int receive(byte[] bytes, int off, int len) {
            checkOpen();
            if (len > 0) {
                socket.arrive(bytes, off, len);
                settle();
            }
            return socket.unread();
        }

        /** The peer's FIN. */
        public void receiveEnd() {
            checkOpen();
            socket.arriveEnd();
            settle();
        }

        /** Reads fail from now on, as after a reset. */
        public void failReads(java.io.IOException failure) {
            checkOpen();
            socket.failReads(failure);
            settle();
        }

        /** Writes fail from now on. */
        public void failWrites(java.io.IOException failure) {
            socket.failWrites(failure);
        }

        /** How many of the bytes offered to each write the socket takes. */
        public void acceptWrites(IntUnaryOperator acceptance) {
            socket.acceptance(acceptance);
        }

        /** The socket has room again: what the poller reports once the peer read. */
        public void writable() {
            checkOpen();
            socket.roomAgain();
            settle();
        }

        /**
         * Runs tasks, and fires the events a poller would report, until nothing more happens:
         * writable while write interest is on and writes take bytes, readable as the socket's
         * triggering says.
         */
        public void settle() {
            for (int events = 0; events < MAX_EVENTS_PER_STEP; events++) {
                if (executor.runPendingTasks() > 0) {
                    continue;
                }
                if (socket.wouldReportWritable()) {
                    long writes = socket.writeCalls();
                    socket.fireWritable();
                    if (socket.writeCalls() == writes) {
                        socket.writableIgnored();
                    }
                    continue;
                }
                if (socket.wouldReportReadable()) {
                    long reads = socket.readCalls();
                    socket.fireReadable();
                    if (socket.readCalls() == reads && !socket.edgeTriggered()) {
                        return; // the connection reads nothing now, however often it is told
                    }
                    continue;
                }
                return;
            }
            throw new IllegalStateException("the connection keeps the embedded loop busy: " + connection);
        }

        public byte[] takeSent() {
            byte[] bytes = socket.sent().toByteArray();
            socket.sent().reset();
            return bytes;
        }

        public int sentLength() {
            return socket.sent().length();
        }

        public void discardSent() {
            socket.sent().reset();
        }

        public boolean outputShutdown() {
            return socket.outputShutdown();
        }

        public boolean socketClosed() {
            return socket.closed();
        }

        public boolean isOpen() {
            return connection.isConnected();
        }

        public CloseReason closeReason() {
            return connection.closeReason();
        }

        public Throwable closeCause() {
            return connection.closeCause();
        }

        /** The capacity of the ring the connection holds for an incomplete frame; 0 when none. */
        public int readRingCapacity() {
            return connection.inCapacity();
        }

        public boolean readInterest() {
            return socket.readInterest();
        }

        public boolean writeInterest() {
            return socket.writeInterest();
        }
    }
}
