package io.gev.websocket;

import io.gev.Connection;
import io.gev.SendCallback;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One open WebSocket connection. Its send, ping and close methods may be called from any thread:
 * calls made off the connection's loop are queued to it and keep each thread's order. Messages
 * sent after the close handshake began are dropped.
 */
public final class WebSocketSession {

    private final Connection connection;
    private final HandshakeRequest request;
    private final String extensions;
    private volatile boolean open = true;
    /** Guarded by this. */
    private boolean closed;
    /** Groups to leave on close; guarded by this. */
    private List<WebSocketGroup> groups;

    WebSocketSession(Connection connection, HandshakeRequest request, String extensions) {
        this.connection = connection;
        this.request = request;
        this.extensions = extensions;
    }

    /** The connection's id, unique within its server. */
    public long id() {
        return connection.id();
    }

    /** The underlying gev connection (context, attributes, loop, buffer lengths). */
    public Connection connection() {
        return connection;
    }

    /**
     * The upgrade request that opened this session; on a {@link WebSocketClient}'s session, the
     * request it sent, with the subprotocol the server chose.
     */
    public HandshakeRequest request() {
        return request;
    }

    /** The subprotocol agreed on, or {@code null}. */
    public String subprotocol() {
        return request.subprotocol();
    }

    /** The {@code Sec-WebSocket-Extensions} the server accepted, or {@code null} for none. */
    public String extensions() {
        return extensions;
    }

    /** Whether permessage-deflate was negotiated. */
    public boolean isCompressed() {
        return extensions != null;
    }

    /** The peer's address: the client's on a server, the server's on a client. */
    public InetSocketAddress remoteAddress() {
        return connection.remoteAddress();
    }

    /** {@code true} until a close frame was sent or received or the connection closed. */
    public boolean isOpen() {
        return open;
    }

    /** See {@link Connection#isWritable()}: {@code false} while much is queued for a slow client. */
    public boolean isWritable() {
        return connection.isWritable();
    }

    /** Sends a text message. */
    public void sendText(CharSequence text) {
        connection.send(Objects.requireNonNull(text, "text"));
    }

    /** Sends a text message; {@code callback} learns when it was written or why not. */
    public void sendText(CharSequence text, SendCallback callback) {
        connection.send(Objects.requireNonNull(text, "text"), callback);
    }

    /** Sends the remaining bytes of {@code data} as a binary message; do not change them until written. */
    public void sendBinary(ByteBuffer data) {
        connection.send(Objects.requireNonNull(data, "data"));
    }

    /** Like {@link #sendBinary(ByteBuffer)}, telling {@code callback} when it was written or why not. */
    public void sendBinary(ByteBuffer data, SendCallback callback) {
        connection.send(Objects.requireNonNull(data, "data"), callback);
    }

    /** Sends {@code data} as a binary message; do not change it until written. */
    public void sendBinary(byte[] data) {
        connection.send(Objects.requireNonNull(data, "data"));
    }

    /** Like {@link #sendBinary(byte[])}, telling {@code callback} when it was written or why not. */
    public void sendBinary(byte[] data, SendCallback callback) {
        connection.send(Objects.requireNonNull(data, "data"), callback);
    }

    /** Sends a ping without payload; the client answers with a pong, which the server absorbs. */
    public void ping() {
        ping(new byte[0]);
    }

    /**
     * Sends a ping carrying {@code payload}.
     *
     * @throws IllegalArgumentException if {@code payload} is longer than 125 bytes
     */
    public void ping(byte[] payload) {
        if (payload.length > 125) {
            throw new IllegalArgumentException("payload of a ping must be at most 125 bytes: " + payload.length);
        }
        connection.send(Outbound.ping(payload.clone()));
    }

    /** Starts the close handshake with {@link CloseStatus#NORMAL_CLOSURE}. */
    public void close() {
        close(CloseStatus.NORMAL_CLOSURE, "");
    }

    /**
     * Starts the close handshake: sends a close frame, then closes the TCP connection when the
     * client answers, or after {@link WebSocketOptions#closeTimeout()}. Later calls do nothing.
     *
     * @throws IllegalArgumentException if {@code code} may not be sent (see
     *         {@link CloseStatus#isValidCode(int)}) or {@code reason} exceeds 123 bytes in UTF-8
     */
    public void close(int code, String reason) {
        connection.send(Outbound.close(code, reason));
    }

    /** The connection attribute {@code name}, or {@code null}. */
    public <T> T attribute(String name) {
        return connection.attribute(name);
    }

    /** Stores a connection attribute; {@code null} removes it. Thread-safe. */
    public void setAttribute(String name, Object value) {
        connection.setAttribute(name, value);
    }

    @Override
    public String toString() {
        return "WebSocketSession[id=" + connection.id() + ", peer=" + connection.remoteAddress()
                + ", path=" + request.path() + (open ? "" : ", closing") + "]";
    }

    // ---- state kept by the protocol and the handler adapter --------------------------------------

    void closing() {
        open = false;
    }

    /** The connection closed: leave every group. */
    void closed() {
        open = false;
        List<WebSocketGroup> leave;
        synchronized (this) {
            closed = true;
            leave = groups;
            groups = null;
        }
        if (leave != null) {
            for (WebSocketGroup group : leave) {
                group.remove(this);
            }
        }
    }

    /** @return {@code false} when the session is already closed */
    synchronized boolean joined(WebSocketGroup group) {
        if (closed) {
            return false;
        }
        if (groups == null) {
            groups = new ArrayList<>(2);
        }
        groups.add(group);
        return true;
    }

    synchronized void left(WebSocketGroup group) {
        if (groups != null) {
            groups.remove(group);
        }
    }
}
