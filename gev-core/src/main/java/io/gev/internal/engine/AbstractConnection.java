package io.gev.internal.engine;

import io.gev.CloseReason;
import io.gev.Connection;
import io.gev.PeerCredentials;
import io.gev.SendCallback;
import io.gev.TlsInfo;
import io.gev.internal.transport.ConnectionEvents;
import io.gev.internal.transport.SocketIo;
import io.gev.loop.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.ConcurrentHashMap;

import static io.gev.internal.engine.ConnectionState.CLOSED;
import static io.gev.internal.engine.ConnectionState.DRAINING;
import static io.gev.internal.engine.ConnectionState.REGISTERING;

/**
 * A {@link Connection} but for its I/O path: the data kept on it (id, addresses, what other
 * threads read of its buffers, what handlers and protocols attach to it), where it is in its life
 * (one {@link ConnectionState}, which {@link Opening} and {@link Closing} move on, entered here),
 * why reading is paused, whether it is writable across the water marks, and the hop of
 * {@code send}, {@code close} and {@code shutdownWrite} onto the loop when called from another
 * thread. Its one subclass, {@link ConnectionImpl}, is the read → decode → dispatch
 * → write path, which runs on the loop only; the abstract methods are what the lifecycle needs of
 * it. One subclass, so class hierarchy analysis makes every call to them a direct one.
 */
abstract class AbstractConnection extends ConnectionEvents implements Connection {

    // The connection's logger, as in Closing: one setting covers a connection's whole life.
    private static final Logger log = LoggerFactory.getLogger(ConnectionImpl.class);

    /** The reason bit of {@link #pauseReading()}. */
    static final int PAUSED_BY_USER = 1;
    /** The reason bit of an offloaded handler's backlog at its bound (see {@link HandlerQueue}). */
    static final int PAUSED_BY_BACKLOG = 2;
    /** The reason bit of a drain waiting for offloaded callbacks in flight: it never resumes. */
    static final int PAUSED_TO_DRAIN = 4;

    private final long id;
    final GevLoop loop;
    private InetSocketAddress remoteAddress;
    /** Read from the socket on first demand, by any thread: the same answer every time, so a race only reads twice. */
    private volatile PeerCredentials peerCredentials;
    private InetSocketAddress localAddress;
    private volatile ConnectionState state = REGISTERING;
    /**
     * Why the connection closes (set when it starts draining) or closed: the {@link CloseReason},
     * or a {@link Failure} when something failed. One field for both: with a second reference
     * (and the handler queue's) a connection took 112 bytes instead of 104 (JOL), and failures
     * are rare.
     */
    private Object closeReason;
    /** The protocol reported a handshake of its own done: the loop counts the connection until it closes. */
    private boolean upgraded;
    /** Why reading is paused, as reason bits (see pauseReadingOnLoop); 0 while it reads. */
    private byte readPause;
    /** The server's per-address limits count this connection under its remote address until it closes. */
    boolean addressCounted;
    // What other threads read of the connection's buffers, copies the loop keeps: plain fields,
    // so possibly a little stale, but for writability, which a handler's thread may wait on.
    private volatile boolean writable = true;
    private int inLength;
    private int outLength;
    private volatile Object context;
    private Object protocolState;
    private volatile ConcurrentHashMap<String, Object> attributes;
    /** The connection's callbacks off the loop, on a server whose handler runs offloaded; else {@code null}. */
    HandlerQueue handlerQueue;

    AbstractConnection(long id, GevLoop loop) {
        this.id = id;
        this.loop = loop;
    }

    // ---- the path under the lifecycle: ConnectionImpl ----------------------------------------

    /** Packs {@code message} (a send on the loop, or one queued from another thread). */
    abstract void sendOnLoop(Object message, SendCallback callback);

    /** Writes what is queued with one system call, then runs what waited for it (callbacks, a drain). */
    abstract void flush();

    /** Hands what is queued to the socket in one call; runs no user code. */
    abstract void writeOnce() throws IOException;

    /** Bytes queued. Loop thread. */
    abstract int queuedLength();

    /** Arms or disarms read interest, keeping write interest as it is. */
    abstract void readInterest(boolean on);

    /**
     * Closes the socket, leaves the loop's list and gives the rings back, for {@link Closing#close}.
     *
     * @return the outbound buffer, kept (see the ownership comment in ConnectionImpl) so that the
     *         closer completes its callbacks; {@code null} when none was lent
     */
    abstract OutboundBuffer release();

    abstract SocketIo io();

    // ---- the lifecycle: Opening and Closing ------------------------------------------------

    @Override
    public final void established() {
        Opening.established(this);
    }

    @Override
    public final void upgraded(long handshakeNanos) {
        Opening.upgraded(this, handshakeNanos);
    }

    /** The one close (see {@link Closing#close}); the layers under the connection close it here. */
    @Override
    public final void close(CloseReason reason, Throwable cause) {
        Closing.close(this, reason, cause);
    }

    /** {@link #close()} on the loop. */
    final void closeOnLoop() {
        Closing.closeAfterLastWrite(this, CloseReason.LOCAL, null);
    }

    /** {@link #shutdownWrite()} on the loop. */
    final void shutdownWriteOnLoop() {
        Closing.shutdownWrite(this);
    }

    /** Stops reading; {@link #flush} closes for {@code reason} once what is queued is out. */
    final void drain(CloseReason reason) {
        state(DRAINING, reason, null);
        readInterest(false);
    }

    /**
     * Whether offloaded callbacks are in flight, so that a drain for {@code reason} must wait
     * for their replies: then reading stops now, and the drain begins once they are handed back
     * ({@link HandlerQueue#handedBack}). Loop thread.
     */
    final boolean drainAfterHandler(CloseReason reason) {
        HandlerQueue queue = handlerQueue;
        if (queue == null || !queue.drainLater(reason)) {
            return false;
        }
        pauseReadingOnLoop(PAUSED_TO_DRAIN);
        return true;
    }

    /** It reads: open for reading and not paused. Loop thread. */
    final boolean reading() {
        return readPause == 0 && state.reads;
    }

    /** Pauses reading for {@code reason} (a bit), on the loop: reading goes on once no reason is left. */
    final void pauseReadingOnLoop(int reason) {
        boolean was = readPause != 0;
        readPause |= (byte) reason;
        if (!was && state.reads) {
            readInterest(false);
        }
    }

    /** Takes back the pause for {@code reason}, on the loop. */
    final void resumeReadingOnLoop(int reason) {
        if ((readPause & reason) == 0) {
            return;
        }
        readPause &= (byte) ~reason;
        if (reading()) {
            readInterest(true);
            // Bytes in the held frame, in the TLS layer or in an edge-triggered socket get no new event.
            readAgainSoon();
        }
    }

    @Override
    public final boolean isReadingPaused() {
        return readPause != 0;
    }

    /** Moves writability across the water marks for what is queued now, and tells the handler. Loop thread. */
    final void updateWritability() {
        boolean was = writable;
        boolean now = loop.outboundShared.writable(was, queuedLength());
        if (now == was) {
            return;
        }
        writable = now;
        try {
            loop.handler.onWritabilityChanged(this);
        } catch (Throwable t) {
            Closing.handlerFailed(this, "onWritabilityChanged", t);
        }
    }

    /** Fails {@code callback}, if any, as the connection no longer sends. Loop thread. */
    final void failClosed(SendCallback callback) {
        if (callback != null) {
            notifyCallback(callback, new ClosedChannelException());
        }
    }

    /** Completes {@code callback}; a callback that throws is logged. Loop thread. */
    final void notifyCallback(SendCallback callback, Throwable failure) {
        try {
            callback.onComplete(this, failure);
        } catch (Throwable t) {
            log.warn("Send callback on {} failed", this, t);
        }
    }

    final ConnectionState state() {
        return state;
    }

    /** Moves the lifecycle on, for {@link Opening} and {@link Closing}: see ConnectionState for where to. */
    final void state(ConnectionState next) {
        state = next;
    }

    /** Moves on to DRAINING or CLOSED, for {@code reason}; {@code cause} is what failed, if anything. */
    final void state(ConnectionState next, CloseReason reason, Throwable cause) {
        state = next;
        closeReason = cause == null ? reason : new Failure(reason, cause);
    }

    /** Why the connection closed; {@code null} while open. Loop thread. */
    final CloseReason closeReason() {
        return state == CLOSED ? drainReason() : null;
    }

    /** Why a draining connection closes once drained. Loop thread. */
    final CloseReason drainReason() {
        Object why = closeReason;
        return why instanceof Failure ? ((Failure) why).reason : (CloseReason) why;
    }

    /** What failed when the connection closed for a protocol, I/O or handler error, if anything. */
    final Throwable closeCause() {
        Object why = closeReason;
        return why instanceof Failure ? ((Failure) why).cause : null;
    }

    /** A close reason with what failed. */
    private static final class Failure {
        final CloseReason reason;
        final Throwable cause;

        Failure(CloseReason reason, Throwable cause) {
            this.reason = reason;
            this.cause = cause;
        }
    }

    final boolean isUpgraded() {
        return upgraded;
    }

    final void markUpgraded() {
        upgraded = true;
    }

    /** Records the length of the incomplete frame held; returns it. Loop thread. */
    final int inLength(int length) {
        return inLength = length;
    }

    /** Records the length queued to write. Loop thread. */
    final void outLength(int length) {
        outLength = length;
    }

    @Override
    public final int readBufferLength() {
        return inLength;
    }

    @Override
    public final int writeBufferLength() {
        return loop.inEventLoop() ? queuedLength() : outLength;
    }

    @Override
    public final boolean isWritable() {
        return writable;
    }

    @Override
    public final TlsInfo tls() {
        return io().tls();
    }

    /** The connection is closed; a close from another thread is then not queued. Any thread. */
    final boolean isClosed() {
        return state == CLOSED;
    }

    @Override
    public final boolean isConnected() {
        return state.live;
    }

    /** Records the socket's addresses once registered. Loop thread. */
    final void addresses(InetSocketAddress remote, InetSocketAddress local) {
        this.remoteAddress = remote;
        this.localAddress = local;
    }

    @Override
    public final long id() {
        return id;
    }

    @Override
    public final InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public final InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public final PeerCredentials peerCredentials() {
        PeerCredentials p = peerCredentials;
        if (p == null) {
            p = io().baseSocket().peerCredentials();
            peerCredentials = p;
        }
        return p;
    }

    @Override
    public final Object context() {
        return context;
    }

    @Override
    public final void setContext(Object context) {
        this.context = context;
    }

    @Override
    @SuppressWarnings("unchecked")
    public final <T> T protocolState() {
        return (T) protocolState;
    }

    @Override
    public final void setProtocolState(Object state) {
        this.protocolState = state;
    }

    @Override
    @SuppressWarnings("unchecked")
    public final <T> T attribute(String name) {
        ConcurrentHashMap<String, Object> map = attributes;
        return map == null ? null : (T) map.get(name);
    }

    @Override
    public final void setAttribute(String name, Object value) {
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
    public final void send(Object message) {
        send(message, null);
    }

    @Override
    public final void send(Object message, SendCallback callback) {
        if (loop.inEventLoop()) {
            sendOnLoop(message, callback);
        } else {
            loop.enqueue(new GevLoop.PendingOp(this, GevLoop.PendingOp.SEND, message, callback));
        }
    }

    @Override
    public final void close() {
        if (loop.inEventLoop()) {
            closeOnLoop();
        } else if (!isClosed()) {
            loop.enqueue(new GevLoop.PendingOp(this, GevLoop.PendingOp.CLOSE, null, null));
        }
    }

    @Override
    public final void shutdownWrite() {
        onLoop(GevLoop.PendingOp.SHUTDOWN_WRITE);
    }

    @Override
    public final void pauseReading() {
        onLoop(GevLoop.PendingOp.PAUSE_READING);
    }

    @Override
    public final void resumeReading() {
        onLoop(GevLoop.PendingOp.RESUME_READING);
    }

    /** Runs the operation {@code kind} (without a message) now on the loop, or queues it there from another thread. */
    private void onLoop(int kind) {
        if (loop.inEventLoop()) {
            GevLoop.PendingOp.run(this, kind, null, null);
        } else {
            loop.enqueue(new GevLoop.PendingOp(this, kind, null, null));
        }
    }

    @Override
    public final EventLoop loop() {
        return loop;
    }

    @Override
    public String toString() {
        ServerEngine engine = loop.engine();
        return "Connection[id=" + id + ", peer=" + remoteAddress + (engine.listens() ? ", server=" : ", client=")
                + engine.name() + "]";
    }
}
