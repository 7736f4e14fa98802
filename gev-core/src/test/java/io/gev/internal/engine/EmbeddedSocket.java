package io.gev.internal.engine;

import io.gev.Connection;
import io.gev.buffer.RingBuffer;
import io.gev.internal.transport.AbstractSocketIo;
import io.gev.internal.transport.ConnectionEvents;
import io.netty.channel.IoEvent;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.function.IntUnaryOperator;

/**
 * An in-memory socket under a real connection. The test decides what each read returns (the
 * bytes of the current segment, at most what the reader's buffer takes), how many bytes each
 * write accepts, and when the end of stream or an error comes; it fires the readiness events the
 * poller would fire, edge- or level-triggered. Written bytes collect in {@link #sent()}. Like a
 * real socket it tells its connection what happens through {@link ConnectionEvents} only; it
 * keeps the public {@link Connection} for the test, and {@link EmbeddedLoop} answers the test's
 * questions about the connection's insides. Loop (test) thread only. Public only for
 * {@code io.gev.embedded}.
 */
public final class EmbeddedSocket extends AbstractSocketIo {

    private enum Interest implements IoOps { NONE, READ, WRITE, READ_WRITE }

    /** Events one delivery may cause before the loop is deemed to spin (a bug of the fixture or of gev). */
    private static final int MAX_EVENTS_PER_STEP = 10_000_000;

    private final EmbeddedLoop loop;
    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    private Connection connection;

    private boolean readInterest;
    private boolean writeInterest;
    private boolean cancelled;
    private boolean closed;

    /** Bytes arrived and not read; segments that arrive while nobody reads coalesce, as in a kernel. */
    private final RingBuffer inbound = RingBuffer.allocate(0);
    /** Edge-triggered: something happened that the next event reports. */
    private boolean edge;
    private long readCalls;
    private long writeCalls;
    private boolean endOfInput;
    private IOException readFailure;

    private IntUnaryOperator acceptance = IntUnaryOperator.identity();
    private boolean writeBlocked;
    private IOException writeFailure;
    private final RingBuffer sent = RingBuffer.allocate(0);
    private boolean outputShutdown;

    /** @param edgeCapable polls as epoll does (edge-triggered, unless under TLS), else as a selector */
    EmbeddedSocket(EmbeddedLoop loop, InetSocketAddress remote, InetSocketAddress local, boolean edgeCapable) {
        super(edgeCapable);
        this.loop = loop;
        this.remote = remote;
        this.local = local;
    }

    // ---- what the loop sees -----------------------------------------------------------------

    /** A registration with no poller behind it: the test fires the events. */
    IoRegistration registration() {
        return new IoRegistration() {
            @Override
            @SuppressWarnings("unchecked")
            public <T> T attachment() {
                return (T) EmbeddedSocket.this;
            }

            @Override
            public long submit(IoOps ops) {
                Interest interest = (Interest) ops;
                boolean wasReading = readInterest;
                readInterest = interest == Interest.READ || interest == Interest.READ_WRITE;
                if (readInterest && !wasReading) {
                    edge = true; // epoll_ctl(MOD) reports readiness that is there already
                }
                writeInterest = interest == Interest.WRITE || interest == Interest.READ_WRITE;
                return 0;
            }

            @Override
            public boolean isValid() {
                return !cancelled;
            }

            @Override
            public boolean cancel() {
                boolean was = !cancelled;
                cancelled = true;
                readInterest = false;
                writeInterest = false;
                return was;
            }
        };
    }

    @Override
    public IoOps ops(boolean read, boolean write) {
        return read ? (write ? Interest.READ_WRITE : Interest.READ) : (write ? Interest.WRITE : Interest.NONE);
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        throw new UnsupportedOperationException("an embedded socket is driven by its test, not by a poller");
    }

    @Override
    protected int receive(ByteBuffer dst) throws IOException {
        if (readFailure != null) {
            throw readFailure;
        }
        readCalls++;
        if (inbound.isEmpty()) {
            return endOfInput ? -1 : 0;
        }
        return inbound.read(dst);
    }

    @Override
    public long write(ByteBuffer[] srcs, int count) throws IOException {
        writeCalls++;
        if (writeFailure != null) {
            throw writeFailure;
        }
        if (outputShutdown) {
            throw new IOException("Broken pipe (the output was shut down)");
        }
        long offered = 0;
        for (int i = 0; i < count; i++) {
            offered += srcs[i].remaining();
        }
        int accepted = (int) Math.max(0, Math.min(offered, acceptance.applyAsInt((int) Math.min(offered, Integer.MAX_VALUE))));
        writeBlocked = accepted == 0 && offered > 0;
        int left = accepted;
        for (int i = 0; i < count && left > 0; i++) {
            ByteBuffer b = srcs[i];
            int n = Math.min(left, b.remaining());
            int limit = b.limit();
            int position = b.position();
            b.limit(position + n);
            sent.write(b);
            b.limit(limit).position(position); // Positions are left unchanged, as the contract says.
            left -= n;
        }
        return accepted;
    }

    @Override
    public void shutdownOutput() {
        outputShutdown = true;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    // In memory, a connect ends at once; only a client's connections connect, and none is embedded.
    @Override
    public boolean connect(SocketAddress remote) {
        return true;
    }

    @Override
    public boolean finishConnect() {
        return true;
    }

    @Override
    protected IoOps connectOps() {
        return ops(false, true);
    }

    @Override
    protected void closeChannel() {
        closed = true;
    }

    // ---- what the test does -----------------------------------------------------------------

    /**
     * Delivers {@code bytes[off, off + len)} as one segment, after whatever is still unread: one
     * readiness event, reads that return its bytes and then nothing, and whatever tasks and writes
     * follow.
     *
     * @return bytes the connection has not read (it closed or does not read now)
     */
    public int receive(byte[] bytes, int off, int len) {
        loop.checkOpen();
        if (len > 0) {
            inbound.write(bytes, off, len);
            edge = true;
            settle();
        }
        return inbound.length();
    }

    /** The peer's FIN. */
    public void receiveEnd() {
        loop.checkOpen();
        endOfInput = true;
        edge = true;
        settle();
    }

    /** Reads fail from now on, as after a reset. */
    public void failReads(IOException failure) {
        loop.checkOpen();
        readFailure = failure;
        edge = true;
        settle();
    }

    /** Writes fail from now on. */
    public void failWrites(IOException failure) {
        writeFailure = failure;
    }

    /** How many of the bytes offered to each write the socket takes. */
    public void acceptWrites(IntUnaryOperator acceptance) {
        this.acceptance = acceptance;
        writeBlocked = false;
    }

    /** The peer read: the socket has room again, as the poller reports. */
    public void writable() {
        loop.checkOpen();
        writeBlocked = false;
        settle();
    }

    /**
     * Runs the loop's tasks, and fires the events a poller would report, until nothing more
     * happens: writable while write interest is on and writes take bytes, readable as the
     * socket's triggering says.
     */
    public void settle() {
        for (int events = 0; events < MAX_EVENTS_PER_STEP; events++) {
            if (loop.runPendingTasks() > 0) {
                continue;
            }
            if (wouldReportWritable()) {
                long writes = writeCalls;
                writeBlocked = false;
                dispatch(false, true, false, false);
                if (writeCalls == writes) {
                    writeBlocked = true; // it wrote nothing: report no more until a write or a test says so
                }
                continue;
            }
            if (wouldReportReadable()) {
                long reads = readCalls;
                fireReadable();
                if (readCalls == reads && !edgeTriggered()) {
                    return; // the connection reads nothing now, however often it is told
                }
                continue;
            }
            return;
        }
        throw new IllegalStateException("the connection keeps the embedded loop busy: " + connection);
    }

    /** One readable event, with the hint for an end of stream or error that epoll gives. */
    private void fireReadable() {
        edge = false;
        boolean hangup = readFailure != null;
        dispatch(true, false, hangup, endOfInput || hangup);
    }

    /**
     * Whether the poller would report the socket readable now: level-triggered while bytes, the
     * end of stream or an error wait; edge-triggered once after each of them arrived (or after
     * read interest came back on).
     */
    private boolean wouldReportReadable() {
        if (cancelled || !readInterest) {
            return false;
        }
        boolean ready = !inbound.isEmpty() || endOfInput || readFailure != null;
        return ready && (!edgeTriggered() || edge);
    }

    /**
     * Whether the poller would report the socket writable now: write interest, and room (the last
     * write took some bytes, or none was tried since the socket was reported full).
     */
    private boolean wouldReportWritable() {
        return !cancelled && writeInterest && !writeBlocked;
    }

    /** The real connection on this socket. */
    public Connection connection() {
        return connection;
    }

    /** Called by the loop once the connection on this socket exists. */
    void connection(Connection connection) {
        this.connection = connection;
    }

    public boolean readInterest() {
        return readInterest;
    }

    public boolean writeInterest() {
        return writeInterest;
    }

    /** What the connection wrote and the test has not taken. */
    public RingBuffer sent() {
        return sent;
    }

    /** How often the connection called {@link #read}. */
    long readCalls() {
        return readCalls;
    }

    /** How often the connection called {@link #write}: its system calls to send. */
    public long writeCalls() {
        return writeCalls;
    }

    public boolean outputShutdown() {
        return outputShutdown;
    }

    public boolean closed() {
        return closed;
    }
}
