package io.gev.internal.engine;

import io.gev.CloseReason;
import io.gev.Handler;
import io.gev.SendCallback;
import io.gev.buffer.RingBuffer;
import io.gev.internal.transport.EpollSocketIo;
import io.gev.internal.transport.SocketIo;
import io.gev.protocol.Frame;
import io.gev.protocol.Protocol;
import io.gev.protocol.ProtocolException;

import java.io.IOException;
import java.nio.ByteBuffer;

import static io.gev.internal.engine.ConnectionState.DRAINING;
import static io.gev.internal.engine.ConnectionState.SHUTTING_OUTPUT;

/**
 * A connection's read → decode → dispatch → write path. Its write side's bookkeeping is its
 * {@link OutboundBuffer}; its data and lifecycle state are {@link AbstractConnection}'s, which
 * {@link Opening} and {@link Closing} move on at both ends (this file keeps the path between
 * them). Every method without a thread note runs on the owning loop's thread; the public API
 * methods hop onto it when called elsewhere.
 */
final class ConnectionImpl extends AbstractConnection {

    /** Reads per readiness event before yielding to the loop's other connections. */
    private static final int MAX_READS_PER_EVENT = 16;

    // No engine, handler or protocol fields: the loop (one per server and thread) has them. Each
    // reference less is 4 bytes (JOL) that idle servers of 10,000s of connections pay for each.
    private final SocketIo io;
    /** Lent by the loop while bytes or callbacks are queued, else {@code null} (see OutboundBuffer). */
    private OutboundBuffer outbound;
    /**
     * An incomplete frame, in a ring borrowed from the loop's pool while there is one: a field of
     * the connection, as a type of its own would cost each connection 16 bytes more (JOL).
     */
    private RingBuffer in;
    /** Epoll reports new readiness only (see EpollSocketIo): reads go on until the socket is drained. */
    private final boolean edgeTriggered;

    // Mechanical flags of the read and write paths, none of them part of the lifecycle.
    /** Inside the reads of an event: replies are written together after them. */
    private boolean inEvent;
    /** Inside protocol.pack: a send now would interleave two messages' bytes. */
    private boolean packing;
    /** Write interest is armed: the socket did not take everything queued. */
    private boolean writeInterest;
    /** The peer half-closed or the socket failed (edge-triggered): a short read no longer means drained. */
    private boolean readToEnd;
    /** A pause stopped decoding: frames may wait in {@code in}, to be decoded before the next read. */
    private boolean undecoded;

    // Kept by the loop: the links of its connection list (see GevLoop), its ReadAgainQueue's mark,
    // and the mark of a flush after a batch of operations from other threads.
    boolean readAgainQueued;
    boolean flushAfterBatch;
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

    // ---- read path --------------------------------------------------------------------------

    /** Entry point of readiness events (from the socket, or from the TLS layer); never throws. */
    @Override
    public void onIoEvent(boolean readable, boolean writable, boolean hangup) {
        try {
            if (writable && state().live) {
                flush();
            }
            if (readable && reading()) {
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
            for (int i = 0; i < MAX_READS_PER_EVENT && (!undecoded || decodeHeld(scratch)); i++) {
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
                if (!decodeRead(scratch) || !reading() || (n < room && !readToEnd)) {
                    break;
                }
                more = i == MAX_READS_PER_EVENT - 1;
            }
        } finally {
            inEvent = false;
        }
        if (state().live) {
            flush();
            if (more && edgeTriggered && reading()) {
                readAgainSoon(); // No new edge reports what the budget left in the socket.
            }
        }
    }

    /** Decodes the frames a pause left in {@code in} before anything new is read; whether reading goes on. */
    private boolean decodeHeld(RingBuffer scratch) {
        undecoded = false;
        scratch.reset();
        return decodeRead(scratch) && reading();
    }

    /** Reads again in a task of this loop (see {@link ReadAgainQueue}). */
    @Override
    public void readAgainSoon() {
        loop.readAgain.add(this);
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
        if (!state().reads) {
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
                return inLength(0);
            }
            held = in = loop.pool.borrow();
            held.write(src);
        } else if (held.isEmpty()) {
            in = null;
            loop.pool.release(held);
            return inLength(0);
        }
        return inLength(held.length());
    }

    private void decode(RingBuffer src) {
        GevLoop l = loop;
        Frame<Object> frame = l.frame;
        Protocol<Object> protocol = l.protocol;
        Handler<Object> handler = l.handler;
        while (reading()) {
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
        undecoded = true; // paused (or closed) with frames that may still wait in src
    }

    // ---- write path -------------------------------------------------------------------------

    @Override
    void sendOnLoop(Object message, SendCallback callback) {
        pack(message, callback);
    }

    private void pack(Object message, SendCallback callback) {
        if (!state().sends) {
            failClosed(callback);
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
            failClosed(callback);
            return;
        }
        int added = o.length() - before;
        loop.messagesOut++;
        loop.writeBufferBytes += added;
        ob.queued(added, callback);
        outLength(o.length());
        if (!inEvent && !loop.flushAfterBatch(this)) {
            flush();
        } else if (ob.exceedsLimit()) {
            // Replies of one read (or batch) are written together after it; the limits hold meanwhile, so a
            // handler that loops on isWritable() stops and one that ignores it cannot run out of memory.
            Closing.writeLimitExceeded(this);
        } else {
            updateWritability();
        }
    }

    /*
     * Who owns the buffers. The rings, `in` and the OutboundBuffer's, are the connection's from
     * the pool's borrow to their release by the read path (keepRest), the OutboundBuffer once
     * empty, or close (release). The OutboundBuffer is lent by the loop and given back
     * only at the end of flush(), once empty and while open; close keeps it, since a frame below
     * may hold it (pack, when a protocol closes while packing). User code (handlers, callbacks,
     * a protocol's hooks) may close, send or flush again from inside, so it is called only where
     * no local reference to a ring is held: decode checks the state after unpack and onMessage,
     * pack checks the buffer still holds its ring, and flush settles the ring before callbacks
     * and writability. After user code, fields are read afresh: a nested flush may have given the
     * buffer back and the loop lent it to another connection.
     */

    /** Writes what is queued with one system call; arms write interest for the rest. */
    @Override
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
        boolean idle = ob.isIdle();
        if (!idle && ob.exceedsLimit()) {
            Closing.writeLimitExceeded(this);
            return;
        }
        if (writeInterest == idle) {
            writeInterest = !idle; // armed only while the socket did not take everything queued
            io.interest(reading(), writeInterest);
        }
        // The ring is settled: user code may run from here on, and may send, close or flush again.
        // Not only after a write: a message that packed to no bytes is written once packed.
        SendCallback written;
        while ((ob = outbound) != null && (written = ob.pollWritten()) != null) {
            notifyCallback(written, null);
        }
        if (!state().live) {
            return;
        }
        updateWritability();
        ob = outbound;
        if (ob != null) {
            if (!ob.isIdle() || !state().live) {
                return; // bytes are left, or onWritabilityChanged closed: a closed connection keeps it
            }
            outbound = null;
            loop.outboundShared.giveBack(ob);
        }
        ConnectionState state = state();
        if (state == DRAINING) {
            close(drainReason(), null); // the drain began for it
        } else if (state == SHUTTING_OUTPUT) {
            Closing.shutdownOutput(this);
        }
    }

    @Override
    void writeOnce() throws IOException {
        OutboundBuffer ob = outbound;
        if (ob == null) {
            return;
        }
        long written = ob.write(io, loop.iov);
        outLength(ob.length());
        loop.bytesOut += written;
        loop.writeBufferBytes -= written;
    }

    @Override
    int queuedLength() {
        OutboundBuffer ob = outbound;
        return ob == null ? 0 : ob.length();
    }

    // ---- what the lifecycle (Opening, Closing) needs of the path ------------------------------

    @Override
    OutboundBuffer release() {
        io.closeSocket();
        loop.unlink(this);
        RingBuffer held = in;
        if (held != null) {
            in = null;
            loop.pool.release(held);
        }
        inLength(0);
        OutboundBuffer ob = outbound;
        if (ob != null) {
            loop.writeBufferBytes -= ob.release();
            loop.outboundShared.forget(ob);
            outLength(0);
        }
        return ob;
    }

    @Override
    void readInterest(boolean on) {
        io.interest(on, writeInterest);
    }

    @Override
    SocketIo io() {
        return io;
    }

    /** The capacity of the ring holding an incomplete frame; 0 when none is held. Loop thread. */
    int inCapacity() {
        RingBuffer held = in;
        return held == null ? 0 : held.capacity();
    }

    /** Whether an outbound buffer is lent to the connection now. Loop thread; for tests. */
    boolean holdsOutbound() {
        return outbound != null;
    }

}
