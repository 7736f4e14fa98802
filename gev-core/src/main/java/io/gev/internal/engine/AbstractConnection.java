package io.gev.internal.engine;

import io.gev.internal.transport.ConnectionEvents;
import io.gev.Connection;

import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The parts of a {@link Connection} that are data kept on it: its id and addresses, and what
 * handlers and protocols attach to it (context, protocol state, attributes). Its one subclass,
 * {@link ConnectionImpl}, is the connection's I/O and lifecycle.
 */
abstract class AbstractConnection extends ConnectionEvents implements Connection {

    private final long id;
    private InetSocketAddress remoteAddress;
    private InetSocketAddress localAddress;
    private volatile Object context;
    private Object protocolState;
    private volatile ConcurrentHashMap<String, Object> attributes;

    AbstractConnection(long id) {
        this.id = id;
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
}
