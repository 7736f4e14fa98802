package io.gev.internal;

import io.gev.buffer.RingBuffer;
import io.netty.channel.IoEvent;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.function.IntUnaryOperator;

/**
 * An in-memory socket under a real connection. The test decides what each read returns (the
 * bytes of the current segment, at most what the reader's buffer takes), how many bytes each
 * write accepts, and when the end of stream or an error comes; it fires the readiness events the
 * poller would fire, edge- or level-triggered. Written bytes collect in {@link #sent()}.
 * Loop (test) thread only. Public only for {@code io.gev.embedded}.
 */
public final class EmbeddedSocket extends AbstractSocketIo {

    private enum Interest implements IoOps { NONE, READ, WRITE, READ_WRITE }

    private final InetSocketAddress remote;
    private final InetSocketAddress local;

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

    EmbeddedSocket(InetSocketAddress remote, InetSocketAddress local, boolean edgeTriggered) {
        super(edgeTriggered);
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
    IoOps ops(boolean read, boolean write) {
        return read ? (write ? Interest.READ_WRITE : Interest.READ) : (write ? Interest.WRITE : Interest.NONE);
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        throw new UnsupportedOperationException("an embedded socket is driven by its test, not by a poller");
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
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

    @Override
    void closeChannel() {
        closed = true;
    }

    // ---- what the test does -----------------------------------------------------------------

    /** {@code bytes[off, off + len)} arrive, after whatever is still unread. */
    public void arrive(byte[] bytes, int off, int len) {
        inbound.write(bytes, off, len);
        edge = true;
    }

    public void arriveEnd() {
        endOfInput = true;
        edge = true;
    }

    public void failReads(IOException failure) {
        readFailure = failure;
        edge = true;
    }

    public void failWrites(IOException failure) {
        writeFailure = failure;
    }

    public void acceptance(IntUnaryOperator acceptance) {
        this.acceptance = acceptance;
        writeBlocked = false;
    }

    /** Fires one readable event, with the edge-triggered hint for an end of stream or error. */
    public void fireReadable() {
        edge = false;
        boolean hangup = readFailure != null;
        if (edgeTriggered() && (endOfInput || hangup)) {
            connection.readToEnd();
        }
        dispatch(true, false, hangup);
    }

    public void fireWritable() {
        writeBlocked = false;
        dispatch(false, true, false);
    }

    /**
     * Whether the poller would report the socket readable now: level-triggered while bytes, the
     * end of stream or an error wait; edge-triggered once after each of them arrived (or after
     * read interest came back on).
     */
    public boolean wouldReportReadable() {
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
    public boolean wouldReportWritable() {
        return !cancelled && writeInterest && !writeBlocked;
    }

    /** The peer read: the socket has room again. */
    public void roomAgain() {
        writeBlocked = false;
    }

    /** A writable event that wrote nothing: report no more until a write or a test says so. */
    public void writableIgnored() {
        writeBlocked = true;
    }

    public int unread() {
        return inbound.length();
    }

    public long readCalls() {
        return readCalls;
    }

    public long writeCalls() {
        return writeCalls;
    }

    public boolean readInterest() {
        return readInterest;
    }

    public boolean writeInterest() {
        return writeInterest;
    }

    public RingBuffer sent() {
        return sent;
    }

    public boolean outputShutdown() {
        return outputShutdown;
    }

    public boolean closed() {
        return closed;
    }
}
