package io.gev.internal;

import io.gev.CloseReason;
import io.gev.Connection;
import io.gev.Handler;
import io.gev.SendCallback;
import io.gev.TlsInfo;
import io.gev.buffer.RingBuffer;
import io.gev.loop.EventLoop;
import io.gev.protocol.Frame;
import io.gev.protocol.Protocol;
import io.gev.protocol.ProtocolException;
import io.netty.channel.IoRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A connection and its read/write path. Every method without a thread note runs on the owning
 * loop's thread; the public API methods hop onto it when called elsewhere.
 */
final class ConnectionImpl extends EventSink implements Connection {

    private static final Logger log = LoggerFactory.getLogger(ConnectionImpl.class);

    /** Reads per readiness event before yielding to the loop's other connections. */
    private static final int MAX_READS_PER_EVENT = 16;
    /** Outbound rings larger than this shrink once mostly drained. */
    private static final int SHRINK_THRESHOLD = 1024 * 1024;

    private static final int REGISTERING = 0;
    private static final int OPEN = 1;
    private static final int CLOSED = 2;

    private final long id;
    private final GevLoop loop;
    private final ServerEngine engine;
    private final SocketIo io;
    private final Handler<Object> handler;
    private final Protocol<Object> protocol;

    private volatile int state = REGISTERING;
    /** Why the connection closed, once it did; what failed, for the errors that have a cause. */
    private CloseReason closeReason;
    private Throwable closeCause;
    /** The protocol and handler were told of this connection (a TLS one: after its handshake). */
    private boolean opened;
    private RingBuffer in;
    private RingBuffer out;
    // Copies of the buffer lengths for other threads; plain fields, so possibly a little stale.
    private int inLength;
    private int outLength;
    private boolean reading = true;
    /** Epoll reports new readiness only (see EpollSocketIo): reads go on until the socket is drained. */
    private final boolean edgeTriggered;
    /** The peer half-closed or the socket failed: a short read no longer means drained. */
    private boolean readToEnd;
    private Runnable readMoreTask;
    private boolean readMoreScheduled;
    private boolean writeInterest;
    private boolean inEvent;
    /** Inside protocol.pack: a send now would interleave two messages' bytes. */
    private boolean packing;
    private boolean closeAfterFlush;
    private CloseReason closeAfterFlushReason;
    private boolean shutdownWritePending;
    private boolean outputShutdown;
    private volatile boolean writable = true;

    private long queuedTotal;
    private long writtenTotal;
    private ArrayDeque<PendingCallback> callbacks;

    private volatile Object context;
    private Object protocolState;
    private volatile ConcurrentHashMap<String, Object> attributes;
    private InetSocketAddress remoteAddress;
    private InetSocketAddress localAddress;

    // Links of the loop's connection list (see GevLoop).
    ConnectionImpl prev;
    ConnectionImpl next;
    long lastReadNanos;

    // Server.builder pairs a Protocol<M> with a Handler<? super M>: whatever the protocol puts in
    // the loop's frame, the handler takes, so both are used as <Object> (erased: no cost).
    @SuppressWarnings("unchecked")
    ConnectionImpl(long id, GevLoop loop, SocketIo io) {
        this.id = id;
        this.loop = loop;
        this.engine = loop.engine();
        this.io = io;
        this.handler = (Handler<Object>) engine.handler;
        this.protocol = (Protocol<Object>) engine.protocol;
        io.attach(this);
        this.edgeTriggered = io.edgeTriggered();
    }

    // ---- lifecycle --------------------------------------------------------------------------

    void registered(IoRegistration registration) {
        io.registered(registration);
        if (engine.isStopping()) {
            state = CLOSED;
            io.closeSocket();
            engine.slotReleased();
            return;
        }
        remoteAddress = io.remoteAddress();
        localAddress = io.localAddress();
        state = OPEN;
        loop.link(this);
        io.interest(true, false);
        if (io.start()) {
            established();
        }
    }

    /**
     * Hands the connection to the protocol and handler: at registration, or when the TLS layer
     * completed the handshake.
     */
    void established() {
        opened = true;
        try {
            protocol.onConnect(this);
        } catch (Throwable t) {
            log.warn("Closing {}: protocol {} failed to open it", this, protocol, t);
            close(CloseReason.PROTOCOL_ERROR, t);
            return;
        }
        if (state != OPEN) {
            return;
        }
        try {
            handler.onConnect(this);
        } catch (Throwable t) {
            handlerFailed("onConnect", t);
            return;
        }
        if (state == OPEN) {
            flush();
        }
    }

    LoopProgress loopProgress() {
        return loop.progress();
    }

    void registrationFailed() {
        state = CLOSED;
        io.closeSocket();
        engine.slotReleased();
    }

    /** Entry point of readiness events (from the socket, or from the TLS layer); never throws. */
    @Override
    void onIoEvent(boolean readable, boolean writable, boolean hangup) {
        try {
            if (writable && state == OPEN) {
                flush();
            }
            if (state != OPEN) {
                return;
            }
            if (readable && reading) {
                onReadable();
            } else if (hangup) {
                // Reported even without interest: the peer is gone while we were not reading.
                close(CloseReason.IO_ERROR);
            }
        } catch (Throwable t) {
            log.error("Unexpected failure on {}; closing it", this, t);
            close(CloseReason.IO_ERROR);
        }
    }

    /** The socket reported the peer's FIN or an error: read until the end of stream or EAGAIN. */
    void readToEnd() {
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
                    closeOnIoError("read", e);
                    return;
                }
                if (n == 0) {
                    break;
                }
                if (n < 0) {
                    onEndOfStream();
                    break;
                }
                scratch.advanceWriter(n);
                loop.bytesIn += n;
                loop.touch(this, System.nanoTime());
                if (!decodeRead(scratch) || !reading || (n < room && !readToEnd)) {
                    break;
                }
                more = i == MAX_READS_PER_EVENT - 1;
            }
        } finally {
            inEvent = false;
        }
        if (state == OPEN) {
            flush();
            if (more && edgeTriggered && state == OPEN && reading) {
                readAgainSoon(); // No new edge reports what the budget left in the socket.
            }
        }
    }

    /**
     * Reads again in a task of this loop, for input that no socket event will report: bytes left
     * in an edge-triggered socket when the reads of one event ran out, or plaintext the TLS layer
     * holds. At most one such task is queued per connection.
     */
    void readAgainSoon() {
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
        if (state == OPEN && reading) {
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
        if (in == null) {
            decode(scratch);
            if (state != OPEN) {
                return false;
            }
            if (!scratch.isEmpty()) {
                in = loop.pool.borrow();
                in.write(scratch);
            }
        } else {
            in.write(scratch);
            decode(in);
            if (state != OPEN) {
                return false;
            }
            if (in.isEmpty()) {
                loop.pool.release(in);
                in = null;
            }
        }
        int pendingIn = in == null ? 0 : in.length();
        inLength = pendingIn;
        if (pendingIn > engine.readBufferLimit) {
            log.warn("Closing {}: {} bytes received without a complete frame exceed the read buffer limit of {}",
                    this, pendingIn, engine.readBufferLimit);
            close(CloseReason.READ_LIMIT);
            return false;
        }
        return true;
    }

    private void decode(RingBuffer src) {
        Frame<Object> frame = loop.frame;
        while (state == OPEN) {
            frame.clear();
            boolean decoded;
            try {
                decoded = protocol.unpack(this, src, frame);
            } catch (ProtocolException e) {
                log.warn("Closing {}: protocol error: {}", this, e.getMessage());
                // What the protocol queued before throwing (an error response) goes out first.
                closeAfterLastWrite(CloseReason.PROTOCOL_ERROR, e);
                return;
            } catch (Throwable t) {
                log.warn("Closing {}: protocol {} failed to decode", this, protocol, t);
                close(CloseReason.PROTOCOL_ERROR, t);
                return;
            }
            if (!decoded) {
                return;
            }
            loop.messagesIn++;
            Object reply;
            try {
                reply = handler.onMessage(this, frame.context(), frame.message());
            } catch (Throwable t) {
                handlerFailed("onMessage", t);
                return;
            }
            if (reply != null) {
                pack(reply, null);
            }
        }
    }

    private void onEndOfStream() {
        reading = false;
        if (out == null || out.isEmpty()) {
            close(CloseReason.PEER);
        } else {
            // The peer may have half-closed after its last request: deliver the replies first.
            closeAfterFlush = true;
            closeAfterFlushReason = CloseReason.PEER;
            io.interest(false, true);
        }
    }

    // ---- write path -------------------------------------------------------------------------

    void sendOnLoop(Object message, SendCallback callback) {
        pack(message, callback);
    }

    private void pack(Object message, SendCallback callback) {
        if (state != OPEN || outputShutdown || shutdownWritePending || closeAfterFlush) {
            if (callback != null) {
                notifyCallback(callback, new ClosedChannelException());
            }
            return;
        }
        if (packing) {
            // The bytes would land in the middle of the message being packed.
            throw new IllegalStateException("send() was called from inside " + protocol + ".pack on " + this
                    + "; a protocol writes what it has to say into the buffer pack gives it");
        }
        RingBuffer o = out;
        if (o == null) {
            o = out = loop.pool.borrow();
        }
        int before = o.length();
        packing = true;
        try {
            protocol.pack(this, message, o);
        } catch (Throwable t) {
            packing = false;
            // Bytes of a half-packed message may be in the buffer: the stream cannot be trusted.
            if (callback != null) {
                notifyCallback(callback, t);
            }
            handlerFailed("pack of " + (message == null ? "null" : message.getClass().getName()), t);
            return;
        }
        packing = false;
        if (out != o) {
            // The protocol closed the connection while packing, which released the buffer.
            if (callback != null) {
                notifyCallback(callback, new ClosedChannelException());
            }
            return;
        }
        int added = o.length() - before;
        loop.messagesOut++;
        loop.writeBufferBytes += added;
        queuedTotal += added;
        if (callback != null) {
            if (callbacks == null) {
                callbacks = new ArrayDeque<>(4);
            }
            callbacks.add(new PendingCallback(queuedTotal, callback));
        }
        if (!inEvent) {
            flush();
        } else if (checkQueued(o.length())) {
            // Replies of one read are written together after it; the limits hold meanwhile, so a
            // handler that loops on isWritable() stops and one that ignores it cannot run out of memory.
            outLength = o.length();
        }
    }

    /**
     * Applies the write buffer limit and the water marks to the {@code queued} bytes of {@code out}.
     *
     * @return {@code false} when the connection was closed for exceeding the limit
     */
    private boolean checkQueued(int queued) {
        if (queued > engine.writeBufferLimit) {
            closeForWriteLimit(queued);
            return false;
        }
        updateWritability();
        return state == OPEN;
    }

    private void closeForWriteLimit(int queued) {
        log.warn("Closing {}: {} bytes queued exceed the write buffer limit of {} (the peer stopped reading?)",
                this, queued, engine.writeBufferLimit);
        close(CloseReason.WRITE_LIMIT);
    }

    /*
     * Who owns the buffers. A connection owns `in` and `out` from the pool's borrow to its release,
     * and only two places release them: the read and write paths once a buffer is empty, and
     * close(). User code — handlers, send callbacks, onWritabilityChanged, a protocol's hooks —
     * may close, send, shut down or flush again from inside those calls, so the read and write
     * paths call it only where they hold no local reference to a buffer any more: after a
     * protocol's unpack or a handler's onMessage the decode loop checks the state before it
     * touches its source again; pack checks that its buffer is still `out`; flush() finishes
     * with its buffer (written, released or kept, interest set) before it completes callbacks
     * or reports writability. Anything after a call into user code reads the fields afresh.
     */

    /** Writes what is queued with one system call; arms write interest for the rest. */
    private void flush() {
        RingBuffer o = out;
        if (o == null) {
            return;
        }
        if (!o.isEmpty()) {
            try {
                writeOnce(o);
            } catch (IOException e) {
                closeOnIoError("write", e);
                return;
            }
        }
        int remaining = o.length();
        outLength = remaining;
        if (remaining == 0) {
            out = null;
            loop.pool.release(o);
            if (writeInterest) {
                writeInterest = false;
                io.interest(reading, false);
            }
        } else {
            if (remaining > engine.writeBufferLimit) {
                closeForWriteLimit(remaining);
                return;
            }
            if (!writeInterest) {
                writeInterest = true;
                io.interest(reading, true);
            }
            if (o.capacity() > SHRINK_THRESHOLD && remaining < o.capacity() / 4) {
                o.shrink(BufferPool.INITIAL_CAPACITY);
            }
        }
        // `o` is settled: user code may run from here on, and may send, close or flush again.
        // Not only after a write: a message that packed to no bytes is written once packed.
        if (callbacks != null && !callbacks.isEmpty()) {
            completeCallbacks();
        }
        if (state != OPEN) {
            return;
        }
        updateWritability();
        if (state == OPEN && out == null) {
            afterDrained();
        }
    }

    /** Hands as much of {@code o} to the socket as it takes, in one system call; runs no user code. */
    private void writeOnce(RingBuffer o) throws IOException {
        ByteBuffer[] iov = loop.iov;
        long written = io.write(iov, o.peekSegments(o.length(), iov));
        if (written > 0) {
            o.retrieve((int) written);
            writtenTotal += written;
            loop.bytesOut += written;
            loop.writeBufferBytes -= written;
        }
    }

    /** Tells the handler when the queued bytes crossed a water mark since it last heard. */
    private void updateWritability() {
        RingBuffer o = out;
        int queued = o == null ? 0 : o.length();
        boolean now = writable ? queued <= engine.writeBufferHighWaterMark
                : queued == 0 || queued < engine.writeBufferLowWaterMark;
        if (now != writable) {
            setWritable(now);
        }
    }

    private void afterDrained() {
        if (closeAfterFlush) {
            close(closeAfterFlushReason);
        } else if (shutdownWritePending) {
            shutdownWritePending = false;
            doShutdownOutput();
        }
    }

    private void setWritable(boolean value) {
        writable = value;
        if (state == OPEN) {
            try {
                handler.onWritabilityChanged(this);
            } catch (Throwable t) {
                handlerFailed("onWritabilityChanged", t);
            }
        }
    }

    private void completeCallbacks() {
        PendingCallback pc;
        while ((pc = callbacks.peek()) != null && pc.end <= writtenTotal) {
            callbacks.poll();
            notifyCallback(pc.callback, null);
        }
    }

    void notifyCallback(SendCallback callback, Throwable failure) {
        try {
            callback.onComplete(this, failure);
        } catch (Throwable t) {
            log.warn("Send callback on {} failed", this, t);
        }
    }

    void shutdownWriteOnLoop() {
        if (state != OPEN || outputShutdown || shutdownWritePending) {
            return;
        }
        if (out == null || out.isEmpty()) {
            doShutdownOutput();
        } else {
            shutdownWritePending = true;
        }
    }

    private void doShutdownOutput() {
        outputShutdown = true;
        try {
            io.shutdownOutput();
        } catch (IOException e) {
            closeOnIoError("shutdown", e);
        }
    }

    // ---- closing ----------------------------------------------------------------------------

    /** Closes now for {@code reason}, recording {@code cause} as what failed. */
    void close(CloseReason reason, Throwable cause) {
        if (state == OPEN) {
            closeCause = cause;
        }
        close(reason);
    }

    /** Closes now; the one place where a connection ends. */
    void close(CloseReason reason) {
        if (state != OPEN) {
            return;
        }
        state = CLOSED;
        closeReason = reason;
        io.closeSocket();
        loop.unlink(this);
        if (in != null) {
            loop.pool.release(in);
            in = null;
        }
        if (out != null) {
            loop.writeBufferBytes -= out.length();
            loop.pool.release(out);
            out = null;
        }
        inLength = 0;
        outLength = 0;
        if (callbacks != null && !callbacks.isEmpty()) {
            // Buffers are released and the state is CLOSED: callbacks can no longer reach them.
            // What the socket took succeeds (the last write of close() may have sent it).
            ClosedChannelException closed = null;
            PendingCallback pc;
            while ((pc = callbacks.poll()) != null) {
                if (pc.end <= writtenTotal) {
                    notifyCallback(pc.callback, null);
                } else {
                    if (closed == null) {
                        closed = new ClosedChannelException();
                    }
                    notifyCallback(pc.callback, closed);
                }
            }
        }
        loop.closed[reason.ordinal()]++;
        engine.slotReleased();
        log.debug("Closed {} ({})", this, reason.tag());
        if (!opened) {
            return; // A TLS connection that never completed its handshake: nobody knew of it.
        }
        try {
            handler.onClose(this);
        } catch (Throwable t) {
            log.warn("Handler onClose of {} failed", this, t);
        }
        try {
            protocol.onClose(this);
        } catch (Throwable t) {
            log.warn("Protocol onClose of {} failed", this, t);
        }
    }

    /** {@link #close()}: one last non-blocking write of what is queued, then close. */
    void closeLocally() {
        closeAfterLastWrite(CloseReason.LOCAL, null);
    }

    private void closeAfterLastWrite(CloseReason reason, Throwable cause) {
        if (state != OPEN) {
            return;
        }
        RingBuffer o = out;
        if (o != null && !o.isEmpty() && !outputShutdown) {
            try {
                writeOnce(o);
            } catch (IOException e) {
                log.debug("Last write before closing {} failed: {}", this, e.toString());
            }
        }
        close(reason, cause);
    }

    /** Netty closed the handle under us (an invalid selection key, or the loop shutting down). */
    void loopClosedSocket() {
        close(CloseReason.IO_ERROR);
    }

    void closeIdle(long timeoutNanos) {
        log.debug("Closing {}: no bytes received for {} ms", this, TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
        close(CloseReason.IDLE);
    }

    /** Server stop: read no more, let what is queued drain, then close. */
    void shutdownGracefully() {
        if (state != OPEN) {
            return;
        }
        try {
            protocol.onServerStop(this);
        } catch (Throwable t) {
            log.warn("Protocol {} failed to say goodbye on {}", protocol, this, t);
        }
        if (state != OPEN) {
            return;
        }
        reading = false;
        if (out == null || out.isEmpty()) {
            close(CloseReason.SHUTDOWN);
        } else {
            closeAfterFlush = true;
            closeAfterFlushReason = CloseReason.SHUTDOWN;
            io.interest(false, true);
        }
    }

    private void closeOnIoError(String operation, IOException e) {
        // Resets and broken pipes are routine on the internet: not worth a stack trace.
        log.debug("Closing {}: {} failed: {}", this, operation, e.toString());
        close(CloseReason.IO_ERROR, e);
    }

    private void handlerFailed(String callback, Throwable t) {
        log.warn("Closing {}: handler {} threw", this, callback, t);
        close(CloseReason.HANDLER_ERROR, t);
    }

    /** Why the connection closed; {@code null} while open. Loop thread. */
    CloseReason closeReason() {
        return closeReason;
    }

    /** What failed when the connection closed for a protocol, I/O or handler error, if anything. */
    Throwable closeCause() {
        return closeCause;
    }

    /** The capacity of the ring holding an incomplete frame; 0 when none is held. Loop thread. */
    int inCapacity() {
        RingBuffer i = in;
        return i == null ? 0 : i.capacity();
    }

    // ---- Connection API ---------------------------------------------------------------------

    @Override
    public long id() {
        return id;
    }

    @Override
    public void send(Object message) {
        send(message, null);
    }

    @Override
    public void send(Object message, SendCallback callback) {
        if (loop.inEventLoop()) {
            pack(message, callback);
        } else {
            loop.enqueue(new GevLoop.PendingOp(this, GevLoop.PendingOp.SEND, message, callback));
        }
    }

    @Override
    public void close() {
        if (loop.inEventLoop()) {
            closeLocally();
        } else if (state != CLOSED) {
            loop.enqueue(new GevLoop.PendingOp(this, GevLoop.PendingOp.CLOSE, null, null));
        }
    }

    @Override
    public void shutdownWrite() {
        if (loop.inEventLoop()) {
            shutdownWriteOnLoop();
        } else {
            loop.enqueue(new GevLoop.PendingOp(this, GevLoop.PendingOp.SHUTDOWN_WRITE, null, null));
        }
    }

    @Override
    public boolean isConnected() {
        return state == OPEN;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public Object context() {
        return context;
    }

    @Override
    public void setContext(Object context) {
        this.context = context;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T protocolState() {
        return (T) protocolState;
    }

    @Override
    public void setProtocolState(Object state) {
        this.protocolState = state;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T attribute(String name) {
        ConcurrentHashMap<String, Object> map = attributes;
        return map == null ? null : (T) map.get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        ConcurrentHashMap<String, Object> map = attributes;
        if (map == null) {
            if (value == null) {
                return;
            }
            synchronized (this) {
                map = attributes;
                if (map == null) {
                    attributes = map = new ConcurrentHashMap<>(4);
                }
            }
        }
        if (value == null) {
            map.remove(name);
        } else {
            map.put(name, value);
        }
    }

    @Override
    public int readBufferLength() {
        return inLength;
    }

    @Override
    public int writeBufferLength() {
        return loop.inEventLoop() && out != null ? out.length() : outLength;
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public TlsInfo tls() {
        return io.tls();
    }

    @Override
    public String toString() {
        return "Connection[id=" + id + ", peer=" + remoteAddress + ", server=" + engine.name() + "]";
    }

    private static final class PendingCallback {
        final long end;
        final SendCallback callback;

        PendingCallback(long end, SendCallback callback) {
            this.end = end;
            this.callback = callback;
        }
    }
}
