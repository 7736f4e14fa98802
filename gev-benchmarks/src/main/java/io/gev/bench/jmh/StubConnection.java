package io.gev.bench.jmh;

import io.gev.Connection;
import io.gev.SendCallback;
import io.gev.buffer.RingBuffer;
import io.gev.loop.EventLoop;
import io.gev.protocol.Protocol;

import java.net.InetSocketAddress;

/**
 * The least a protocol needs of a connection outside a server: its protocol state and, once
 * {@link #packSendsInto} is called, somewhere for {@link #send} to pack to (a WebSocket upgrade
 * answers with a send).
 */
final class StubConnection implements Connection {

    private Object protocolState;
    private Object context;
    private Protocol sendProtocol;
    private RingBuffer sent;

    /** Makes {@link #send} pack its message with {@code protocol} into {@code out} at once. */
    void packSendsInto(Protocol protocol, RingBuffer out) {
        this.sendProtocol = protocol;
        this.sent = out;
    }

    @Override
    public long id() {
        return 1;
    }

    @Override
    public void send(Object message) {
        if (sendProtocol == null) {
            throw new UnsupportedOperationException("no socket in a micro-benchmark");
        }
        sendProtocol.pack(this, message, sent);
    }

    @Override
    public void send(Object message, SendCallback callback) {
        send(message);
    }

    @Override
    public void close() {
    }

    @Override
    public void shutdownWrite() {
    }

    @Override
    public boolean isConnected() {
        return true;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return null;
    }

    @Override
    public InetSocketAddress localAddress() {
        return null;
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
    public <T> T attribute(String name) {
        return null;
    }

    @Override
    public void setAttribute(String name, Object value) {
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
        return null;
    }
}
