package io.gev.internal.transport;

import io.gev.CloseReason;
import io.gev.PeerCredentials;
import io.gev.TlsInfo;
import io.gev.internal.watchdog.LoopProgress;
import io.netty.channel.IoHandle;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * What epoll and NIO sockets share: the connection they report to, registration, interest and
 * triggering. These are the handles registered with Netty. A socket knows its connection only as
 * {@link ConnectionEvents}.
 */
public abstract class AbstractSocketIo implements SocketIo, IoHandle {

    private static final Logger log = LoggerFactory.getLogger(AbstractSocketIo.class);

    /** The transport can report readiness on changes only (epoll's EPOLLET); a selector cannot. */
    private final boolean edgeCapable;
    /** Readiness is reported only when it changes (see {@link SocketIo#edgeTriggered()}). */
    private boolean edgeTriggered;
    private ConnectionEvents connection;
    private EventSink events;
    private LoopProgress progress;
    private IoRegistration registration;
    private IoOps current;
    private boolean closed;
    /** Bytes read ahead of the connection's first read (past a PROXY header), served first. */
    private ByteBuffer unread;

    protected AbstractSocketIo(boolean edgeCapable) {
        this.edgeCapable = edgeCapable;
    }

    @Override
    public final void attach(ConnectionEvents connection, LoopProgress progress) {
        this.connection = connection;
        this.events = connection;
        this.progress = progress;
    }

    /** Sends this socket's readiness events to {@code sink} (a layer in front of the connection) instead. */
    public final void redirectEvents(EventSink sink) {
        this.events = sink;
    }

    /** Where this socket's readiness events go now: its connection, or the layer in front of it. */
    public final EventSink eventSink() {
        return events;
    }

    /**
     * Has the poller report readiness on changes only, where the transport can; until then, and
     * on a transport that cannot, it reports readiness while it lasts. Called before
     * registration by the one place that decides a connection's socket path
     * ({@code ServerEngine.connectionIo}).
     */
    public final void pollEdgeTriggered() {
        edgeTriggered = edgeCapable;
    }

    @Override
    public final boolean edgeTriggered() {
        return edgeTriggered;
    }

    /**
     * Reads from the socket as {@link SocketIo#read} says, after what {@link #unread} put back:
     * those bytes first, and the socket on into the room left, as a short read tells an
     * edge-triggered reader that the socket is drained.
     */
    @Override
    public final int read(ByteBuffer dst) throws IOException {
        ByteBuffer back = unread;
        if (back == null) {
            return receive(dst);
        }
        int n = Math.min(back.remaining(), dst.remaining());
        int limit = back.limit();
        back.limit(back.position() + n);
        dst.put(back);
        back.limit(limit);
        if (!back.hasRemaining()) {
            unread = null;
        }
        if (dst.hasRemaining()) {
            int more = receive(dst);
            if (more > 0) {
                n += more;
            }
            // An end of stream right behind the bytes put back shows on the next read.
        }
        return n;
    }

    /**
     * Puts bytes read ahead back in front of the socket's, for the next {@link #read}: what came
     * behind a PROXY protocol header in the same segment. Before any other read; {@code bytes}
     * (position to limit) now belongs to this socket.
     */
    public final void unread(ByteBuffer bytes) {
        if (bytes.hasRemaining()) {
            unread = bytes;
        }
    }

    /** Reads from the socket itself; see {@link SocketIo#read}. */
    protected abstract int receive(ByteBuffer dst) throws IOException;

    @Override
    public final boolean start() {
        return true;
    }

    @Override
    public final AbstractSocketIo baseSocket() {
        return this;
    }

    /**
     * The process at the other end of a Unix domain socket, read from the kernel now; {@code null}
     * on TCP or when the socket cannot tell. Any thread.
     */
    public PeerCredentials peerCredentials() {
        return null;
    }

    @Override
    public final TlsInfo tls() {
        return null;
    }

    @Override
    public final void registered(IoRegistration registration) {
        this.registration = registration;
    }

    /** The transport's interest set for these wishes; the same instance for the same wishes. */
    public abstract IoOps ops(boolean read, boolean write);

    protected abstract void closeChannel() throws IOException;

    /**
     * Starts connecting an unconnected socket to {@code remote} (an {@code InetSocketAddress}, or
     * a {@code UnixDomainSocketAddress} for a socket of that family) without blocking.
     *
     * @return {@code true} when it connected at once; else {@link #awaitConnect()} and call
     *         {@link #finishConnect()} when the socket reports writable
     * @throws IOException when the connect failed at once (a refusal may come here)
     */
    public abstract boolean connect(SocketAddress remote) throws IOException;

    /**
     * Completes a connect begun by {@link #connect}.
     *
     * @return {@code true} once connected, {@code false} while it is still in progress
     * @throws IOException when it failed: refused, unreachable, reset
     */
    public abstract boolean finishConnect() throws IOException;

    /** The interest that reports the end of a connect in progress as a writable event. */
    protected abstract IoOps connectOps();

    /** Has the poller report the end of a connect in progress (see {@link #connect}). */
    public final void awaitConnect() {
        IoOps ops = connectOps();
        if (registration != null) {
            current = ops;
            registration.submit(ops);
        }
    }

    @Override
    public final void interest(boolean read, boolean write) {
        IoOps ops = ops(read, write);
        if (ops != current && registration != null) {
            current = ops;
            registration.submit(ops);
        }
    }

    @Override
    public final void closeSocket() {
        if (closed) {
            return;
        }
        closed = true;
        IoRegistration r = registration;
        if (r != null) {
            r.cancel();
        }
        try {
            closeChannel();
        } catch (IOException e) {
            log.debug("Closing the socket of {} failed", connection, e);
        }
    }

    /**
     * Called by Netty when the loop shuts down with the socket registered, or (NIO) its key died:
     * the connection, if still open, closes as after an I/O error; the socket closes in any case,
     * even while a TLS layer lingers over it.
     */
    @Override
    public final void close() {
        ConnectionEvents c = connection;
        if (c != null) {
            c.close(CloseReason.IO_ERROR, null);
        }
        closeSocket();
        EventSink sink = events;
        if (sink != null && sink != c) {
            sink.socketClosedByLoop();
        }
    }

    /**
     * Reports an event to the connection (or the layer in front of it); an exception here would
     * stall the loop for a second.
     *
     * @param inputEnds the poller saw the peer's half-close or an error, which edge-triggered
     *                  reads must read on to, past short reads
     */
    protected final void dispatch(boolean readable, boolean writable, boolean hangup, boolean inputEnds) {
        LoopProgress progress = this.progress;
        progress.busy();
        try {
            if (inputEnds && edgeTriggered) {
                connection.readToEnd();
            }
            events.onIoEvent(readable, writable, hangup);
        } catch (Throwable t) {
            log.error("Unexpected failure handling an event of {}", connection, t);
            closeSocket();
        } finally {
            progress.waiting();
        }
    }
}
