package io.gev.internal.engine;

import io.gev.Connection;
import io.gev.SendCallback;
import io.gev.internal.transport.ConnectionEvents;
import io.gev.loop.EventLoop;

import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The parts of a {@link Connection} that are data kept on it: its id and addresses, and what
 * handlers and protocols attach to it (context, protocol state, attributes), and the hop of
 * {@code send}, {@code close} and {@code shutdownWrite} onto the loop when called from another
 * thread. Its one subclass, {@link ConnectionImpl}, is the connection's I/O and lifecycle (with
 * {@link Opening} and {@link Closing}), which run on the loop only.
 */
abstract class AbstractConnection extends ConnectionEvents implements Connection {

    private final long id;
    final GevLoop loop;
    private InetSocketAddress remoteAddress;
    private InetSocketAddress localAddress;
    private volatile Object context;
    private Object protocolState;
    private volatile ConcurrentHashMap<String, Object> attributes;

    AbstractConnection(long id, GevLoop loop) {
        this.id = id;
        this.loop = loop;
    }

    /** Packs {@code message} (a send on the loop, or one queued from another thread). */
    abstract void sendOnLoop(Object message, SendCallback callback);

    /** {@link #close()} on the loop. */
    abstract void closeOnLoop();

    /** {@link #shutdownWrite()} on the loop. */
    abstract void shutdownWriteOnLoop();

    /** Completes {@code callback}; a callback that throws is logged. */
    abstract void notifyCallback(SendCallback callback, Throwable failure);

    /** The connection is closed; a close from another thread is then not queued. */
    abstract boolean isClosed();

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
        if (loop.inEventLoop()) {
            shutdownWriteOnLoop();
        } else {
            loop.enqueue(new GevLoop.PendingOp(this, GevLoop.PendingOp.SHUTDOWN_WRITE, null, null));
        }
    }

    @Override
    public final EventLoop loop() {
        return loop;
    }

    @Override
    public String toString() {
        return "Connection[id=" + id + ", peer=" + remoteAddress + ", server=" + loop.engine().name() + "]";
    }
}
