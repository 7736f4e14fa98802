package io.gev.internal.engine;

import io.gev.CloseReason;
import io.gev.Handler;
import io.gev.SendCallback;
import io.gev.TlsInfo;
import io.gev.buffer.RingBuffer;
import io.gev.internal.transport.EpollSocketIo;
import io.gev.internal.transport.SocketIo;
import io.gev.protocol.Frame;
import io.gev.protocol.Protocol;
import io.gev.protocol.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.RejectedExecutionException;

import static io.gev.internal.engine.ConnectionState.CLOSED;
import static io.gev.internal.engine.ConnectionState.DRAINING;
import static io.gev.internal.engine.ConnectionState.REGISTERING;
import static io.gev.internal.engine.ConnectionState.SHUTTING_OUTPUT;

/**
 * A connection and its read → decode → dispatch → write path; its write side's bookkeeping is
 * its {@link OutboundBuffer}, its lifecycle one {@link ConnectionState}, which {@link Opening}
 * and {@link Closing} move on at both ends (this file keeps the path between them). Every method
 * without a thread note runs on the owning loop's thread; the public API methods hop onto it
 * when called elsewhere.
 */
final class ConnectionImpl extends AbstractConnection {

    private static final Logger log = LoggerFactory.getLogger(ConnectionImpl.class);

    /** Reads per readiness event before yielding to the loop's other connections. */
    private static final int MAX_READS_PER_EVENT = 16;

    // No engine, handler or protocol fields: the loop (one per server and thread) has them. Each
    // reference less is 4 bytes (JOL) that idle servers of 10,000s of connections pay for each.
    private final SocketIo io;
    /** Lent by the loop while bytes or callbacks are queued, else {@code null} (see OutboundBuffer). */
    private OutboundBuffer outbound;
    /** A copy of the queued length for other threads; a plain field, so possibly a little stale. */
    private int outLength;
    private volatile boolean writable = true;
    /**
     * An incomplete frame: the bytes received and not decoded yet, in a ring borrowed from the
     * loop's pool while it holds any, so that a connection between frames holds none. Fields of
     * the connection rather than a type of their own: an object of its own cost each connection
     * 16 bytes more (JOL).
     */
    private RingBuffer in;
    /** A copy of {@code in}'s length for other threads; a plain field, so possibly a little stale. */
    private int inLength;
    /** Epoll reports new readiness only (see EpollSocketIo): reads go on until the socket is drained. */
    private final boolean edgeTriggered;

    private volatile ConnectionState state = REGISTERING;
    /** Why the connection closes (set when it starts draining) or closed; what failed, if anything. */
    private CloseReason closeReason;
    private Throwable closeCause;

    // Mechanical flags of the read and write paths, none of them part of the lifecycle.
    /** Inside the reads of an event: replies are written together after them. */
    private boolean inEvent;
    /** Inside protocol.pack: a send now would interleave two messages' bytes. */
    private boolean packing;
    /** Write interest is armed: the socket did not take everything queued. */
    private boolean writeInterest;
    /** The peer half-closed or the socket failed (edge-triggered): a short read no longer means drained. */
    private boolean readToEnd;
    /** A {@link #readMore} task is queued. */
    private boolean readMoreScheduled;
    private Runnable readMoreTask;
    /** The protocol reported a handshake of its own done: the loop counts the connection until it closes. */
    private boolean upgraded;

    // Links of the loop's connection list (see GevLoop).
    ConnectionImpl prev;
    ConnectionImpl next;
    long lastReadNanos;

    /** @param io the socket path {@link ServerEngine#connectionIo} chose for this connection */
    ConnectionImpl(long id, GevLoop loop, SocketIo io) {
        super(id, loop);
        this.io = io;
        this.edgeTriggered = io.edgeTriggered();
        io.attach(this, loop.progress());
    }

    // ---- opening: see Opening ---------------------------------------------------------------

    @Override
    public void established() {
        Opening.established(this);
    }

    @Override
    public void upgraded(long handshakeNanos) {
        Opening.upgraded(this, handshakeNanos);
    }

    // ---- read path --------------------------------------------------------------------------

    /** Entry point of readiness events (from the socket, or from the TLS layer); never throws. */
    @Override
    public void onIoEvent(boolean readable, boolean writable, boolean hangup) {
        try {
            if (writable && state.live) {
                flush();
            }
            if (readable && state.reads) {
                onReadable();
            } else if (hangup) {
                // Reported even without interest: the peer is gone while we were not reading.
                close(CloseReason.IO_ERROR, null);
            }
        } catch (Throwable t) {
            Closing.unexpectedFailure(this, t);
        }
    }

    @Override
    public void readToEnd() {
        readToEnd = true;
    }

    private void onReadable() {
        RingBuffer scratch = loop.readBuffer;
        boolean more = false;
        inEvent = true;
        try {
            for (int i = 0; i < MAX_READS_PER_EVENT; i++) {
                scratch.reset();
                ByteBuffer dst = scratch.writableSegment(scratch.capacity());
                int room = dst.remaining();
                int n;
                try {
                    n = io.read(dst);
                } catch (IOException e) {
                    Closing.ioFailed(this, "read", e);
                    return;
                }
                if (n == 0) {
                    break;
                }
                if (n < 0) {
                    // The peer may have half-closed after its last request: deliver the replies first.
                    Closing.drainThenClose(this, CloseReason.PEER);
                    break;
                }
                scratch.advanceWriter(n);
                loop.bytesIn += n;
                loop.touch(this, System.nanoTime());
                if (!decodeRead(scratch) || !state.reads || (n < room && !readToEnd)) {
                    break;
                }
                more = i == MAX_READS_PER_EVENT - 1;
            }
        } finally {
            inEvent = false;
        }
        if (state.live) {
            flush();
            if (more && edgeTriggered && state.reads) {
                readAgainSoon(); // No new edge reports what the budget left in the socket.
            }
        }
    }

    /**
     * Reads again in a task of this loop, for input that no socket event will report: bytes left
     * in an edge-triggered socket when the reads of one event ran out, or plaintext the TLS layer
     * holds. At most one such task is queued per connection.
     */
    @Override
    public void readAgainSoon() {
        if (readMoreScheduled) {
            return;
        }
        Runnable task = readMoreTask;
        if (task == null) {
            task = readMoreTask = this::readMore;
        }
        readMoreScheduled = true;
        try {
            loop.netty().execute(task);
        } catch (RejectedExecutionException e) {
            readMoreScheduled = false; // The loop is shutting down and closes its sockets.
        }
    }

    private void readMore() {
        readMoreScheduled = false;
        if (state.reads) {
            onIoEvent(true, false, false);
        }
    }

    /**
     * Decodes the bytes just read: straight from the loop's buffer when nothing is left over from
     * earlier reads, so only an incomplete tail is ever copied into the connection's own buffer.
     *
     * @return {@code false} when the connection was closed
     */
    private boolean decodeRead(RingBuffer scratch) {
        RingBuffer src = in;
        if (src == null) {
            src = scratch;
        } else {
            src.write(scratch);
        }
        decode(src);
        if (!state.reads) {
            return false; // closed: close() gave the ring back
        }
        int pendingIn = keepRest(src);
        if (pendingIn > loop.readBufferLimit) {
            Closing.readLimitExceeded(this, pendingIn);
            return false;
        }
        return true;
    }

    /**
     * Keeps what decoding {@code src} left: copies an incomplete tail of the loop's buffer into a
     * borrowed ring, or gives back a held ring that was decoded empty.
     *
     * @return bytes held now
     */
    private int keepRest(RingBuffer src) {
        RingBuffer held = in;
        if (held == null) {
            if (src.isEmpty()) {
                return inLength = 0;
            }
            held = in = loop.pool.borrow();
            held.write(src);
        } else if (held.isEmpty()) {
            in = null;
            loop.pool.release(held);
            return inLength = 0;
        }
        return inLength = held.length();
    }

    private void decode(RingBuffer src) {
        GevLoop l = loop;
        Frame<Object> frame = l.frame;
        Protocol<Object> protocol = l.protocol;
        Handler<Object> handler = l.handler;
        while (state.reads) {
            frame.clear();
            boolean decoded;
            try {
                decoded = protocol.unpack(this, src, frame);
            } catch (ProtocolException e) {
                Closing.protocolError(this, e);
                return;
            } catch (Throwable t) {
                Closing.protocolFailed(this, "decode", t);
                return;
            }
            if (!decoded) {
                return;
            }
            l.messagesIn++;
            Object reply;
            try {
                reply = handler.onMessage(this, frame.context(), frame.message());
            } catch (Throwable t) {
                Closing.handlerFailed(this, "onMessage", t);
                return;
            }
            if (reply != null) {
                pack(reply, null);
            }
        }
    }

    // ---- write path -------------------------------------------------------------------------

    @Override
    void sendOnLoop(Object message, SendCallback callback) {
        pack(message, callback);
    }

    private void pack(Object message, SendCallback callback) {
        if (!state.sends) {
            if (callback != null) {
                notifyCallback(callback, new ClosedChannelException());
            }
            return;
        }
        if (packing) {
            // The bytes would land in the middle of the message being packed.
            throw new IllegalStateException("send() was called from inside " + loop.protocol + ".pack on " + this
                    + "; a protocol writes what it has to say into the buffer pack gives it");
        }
        OutboundBuffer ob = outbound;
        if (ob == null) {
            ob = outbound = loop.outboundShared.lend();
        }
        RingBuffer o = ob.ring();
        int before = o.length();
        packing = true;
        try {
            loop.protocol.pack(this, message, o);
        } catch (Throwable t) {
            packing = false;
            // Bytes of a half-packed message may be in the buffer: the stream cannot be trusted.
            if (callback != null) {
                notifyCallback(callback, t);
            }
            Closing.handlerFailed(this, "pack of " + (message == null ? "null" : message.getClass().getName()), t);
            return;
        }
        packing = false;
        if (!ob.holds(o)) {
            // The protocol closed the connection while packing, which released the ring (and kept
            // the outbound buffer: a closed connection never gives it back, see below).
            if (callback != null) {
                notifyCallback(callback, new ClosedChannelException());
            }
            return;
        }
        int added = o.length() - before;
        loop.messagesOut++;
        loop.writeBufferBytes += added;
        ob.queued(added, callback);
        outLength = o.length();
        if (!inEvent) {
            flush();
        } else if (ob.exceedsLimit()) {
            // Replies of one read are written together after it; the limits hold meanwhile, so a
            // handler that loops on isWritable() stops and one that ignores it cannot run out of memory.
            Closing.writeLimitExceeded(this);
        } else if (updateWritability()) {
            writabilityChanged();
        }
    }

    /*
     * Who owns the buffers. A connection's rings, `in` and its OutboundBuffer's, are its own
     * from the pool's borrow to their release, and only two places release them: the read path
     * (keepRest) or the OutboundBuffer once a ring is empty, and close() (release(), below).
     * The OutboundBuffer itself is lent by the loop and given back in one place only, at the
     * end of flush(), once empty and while the connection is open; close() keeps it, since a
     * frame below may still hold it (pack, when a protocol closes while packing). User code —
     * handlers, send callbacks, onWritabilityChanged, a protocol's hooks — may close, send,
     * shut down or flush again from inside those calls, so the read and write paths call it
     * only where they hold no local reference to a ring any more: after a protocol's unpack or
     * a handler's onMessage the decode loop checks the state before it touches its source
     * again; pack checks that the outbound buffer still holds its ring; flush() has the
     * outbound buffer finish with its ring (written, released or kept, interest set) before it
     * completes callbacks or reports writability; and the OutboundBuffer runs no user code
     * itself. Anything after a call into user code reads the fields afresh: a nested flush may
     * have given the outbound buffer back, and the loop lent it to another connection.
     */

    /** Writes what is queued with one system call; arms write interest for the rest. */
    void flush() {
        OutboundBuffer ob = outbound;
        if (ob == null) {
            return;
        }
        try {
            writeOnce();
        } catch (IOException e) {
            Closing.ioFailed(this, "write", e);
            return;
        }
        if (ob.isIdle()) {
            if (writeInterest) {
                writeInterest = false;
                io.interest(state.reads, false);
            }
        } else if (ob.exceedsLimit()) {
            Closing.writeLimitExceeded(this);
            return;
        } else if (!writeInterest) {
            writeInterest = true;
            io.interest(state.reads, true);
        }
        // The ring is settled: user code may run from here on, and may send, close or flush again.
        // Not only after a write: a message that packed to no bytes is written once packed.
        SendCallback written;
        while ((ob = outbound) != null && (written = ob.pollWritten()) != null) {
            notifyCallback(written, null);
        }
        if (!state.live) {
            return;
        }
        if (updateWritability()) {
            writabilityChanged();
        }
        ob = outbound;
        if (ob != null) {
            if (!ob.isIdle() || !state.live) {
                return; // bytes are left, or onWritabilityChanged closed: a closed connection keeps it
            }
            outbound = null;
            loop.outboundShared.giveBack(ob);
        }
        if (state == DRAINING) {
            close(closeReason, null); // the drain began for it
        } else if (state == SHUTTING_OUTPUT) {
            Closing.shutdownOutput(this);
        }
    }

    /** Hands what is queued to the socket in one call; runs no user code. */
    void writeOnce() throws IOException {
        OutboundBuffer ob = outbound;
        if (ob == null) {
            return;
        }
        long written = ob.write(io, loop.iov);
        outLength = ob.length();
        loop.bytesOut += written;
        loop.writeBufferBytes -= written;
    }

    /** Moves writability across the water marks for what is queued now; {@code true} when it changed. */
    private boolean updateWritability() {
        boolean now = loop.outboundShared.writable(writable, queuedLength());
        if (now == writable) {
            return false;
        }
        writable = now;
        return true;
    }

    /** Bytes queued. */
    int queuedLength() {
        OutboundBuffer ob = outbound;
        return ob == null ? 0 : ob.length();
    }

    private void writabilityChanged() {
        try {
            loop.handler.onWritabilityChanged(this);
        } catch (Throwable t) {
            Closing.handlerFailed(this, "onWritabilityChanged", t);
        }
    }

    @Override
    void notifyCallback(SendCallback callback, Throwable failure) {
        try {
            callback.onComplete(this, failure);
        } catch (Throwable t) {
            log.warn("Send callback on {} failed", this, t);
        }
    }

    // ---- closing: see Closing ---------------------------------------------------------------

    /** The one close (see {@link Closing#close}); the layers under the connection close it here. */
    @Override
    public void close(CloseReason reason, Throwable cause) {
        Closing.close(this, reason, cause);
    }

    @Override
    void closeOnLoop() {
        Closing.closeAfterLastWrite(this, CloseReason.LOCAL, null);
    }

    @Override
    void shutdownWriteOnLoop() {
        Closing.shutdownWrite(this);
    }

    /**
     * The part of {@link Closing#close} that touches the connection's own fields: marks it closed
     * for {@code reason}, closes its socket, unlinks it and gives its rings back.
     *
     * @return the outbound buffer, kept (see the ownership comment) so that the closer completes
     *         its callbacks; {@code null} when none was lent
     */
    OutboundBuffer release(CloseReason reason, Throwable cause) {
        state = CLOSED;
        closeReason = reason;
        closeCause = cause;
        io.closeSocket();
        loop.unlink(this);
        RingBuffer held = in;
        if (held != null) {
            in = null;
            loop.pool.release(held);
        }
        inLength = 0;
        OutboundBuffer ob = outbound;
        if (ob != null) {
            loop.writeBufferBytes -= ob.release();
            loop.outboundShared.forget(ob);
            outLength = 0;
        }
        return ob;
    }

    /** Stops reading; {@link #flush} closes for {@code reason} once what is queued is out. */
    void drain(CloseReason reason) {
        state = DRAINING;
        closeReason = reason;
        io.interest(false, writeInterest);
    }

    ConnectionState state() {
        return state;
    }

    /** Moves the lifecycle on, for {@link Opening} and {@link Closing}: see ConnectionState for where to. */
    void state(ConnectionState next) {
        state = next;
    }

    SocketIo io() {
        return io;
    }

    boolean isUpgraded() {
        return upgraded;
    }

    void markUpgraded() {
        upgraded = true;
    }

    /** Why the connection closed; {@code null} while open. Loop thread. */
    CloseReason closeReason() {
        return state == CLOSED ? closeReason : null;
    }

    /** What failed when the connection closed for a protocol, I/O or handler error, if anything. */
    Throwable closeCause() {
        return closeCause;
    }

    /** The capacity of the ring holding an incomplete frame; 0 when none is held. Loop thread. */
    int inCapacity() {
        RingBuffer held = in;
        return held == null ? 0 : held.capacity();
    }

    // ---- Connection API ---------------------------------------------------------------------

    @Override
    boolean isClosed() {
        return state == CLOSED;
    }

    @Override
    public boolean isConnected() {
        return state.live;
    }

    @Override
    public int readBufferLength() {
        return inLength;
    }

    @Override
    public int writeBufferLength() {
        return loop.inEventLoop() ? queuedLength() : outLength;
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    /** Whether an outbound buffer is lent to the connection now. Loop thread; for tests. */
    boolean holdsOutbound() {
        return outbound != null;
    }

    @Override
    public TlsInfo tls() {
        return io.tls();
    }

}
