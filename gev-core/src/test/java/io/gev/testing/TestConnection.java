package io.gev.testing;

import io.gev.Connection;
import io.gev.SendCallback;
import io.gev.loop.EventLoop;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * A connection without a socket, for driving a {@link io.gev.protocol.Protocol} directly: it
 * holds context, protocol state and attributes; it cannot send.
 */
public final class TestConnection implements Connection {

    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 40000);
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 1833);

    private final Map<String, Object> attributes = new HashMap<>();
    private Object context;
    private Object protocolState;
    private boolean connected = true;

    @Override
    public long id() {
        return 1;
    }

    @Override
    public void send(Object message) {
        throw new UnsupportedOperationException("a TestConnection cannot send");
    }

    @Override
    public void send(Object message, SendCallback callback) {
        send(message);
    }

    @Override
    public void close() {
        connected = false;
    }

    @Override
    public void shutdownWrite() {
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return PEER;
    }

    @Override
    public InetSocketAddress localAddress() {
        return LOCAL;
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
        return (T) attributes.get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        if (value == null) {
            attributes.remove(name);
        } else {
            attributes.put(name, value);
        }
    }

    @Override
    public int readBufferLength() {
        return 0;
    }

    @Override
    public int writeBufferLength() {
        return 0;
    }

    @Override
    public boolean isWritable() {
        return true;
    }

    @Override
    public EventLoop loop() {
        throw new UnsupportedOperationException("a TestConnection has no loop");
    }

    @Override
    public String toString() {
        return "TestConnection[peer=" + PEER + "]";
    }
}
