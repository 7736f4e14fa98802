package io.gev.websocket;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A thread-safe set of sessions to broadcast to, such as the members of a chat room. A session
 * leaves every group by itself when its connection closes.
 *
 * <p>A broadcast encodes (or copies) the message once and queues it to each session's loop; it
 * returns without waiting for any write. Iteration is weakly consistent.
 */
public final class WebSocketGroup implements Iterable<WebSocketSession> {

    private final Set<WebSocketSession> sessions = ConcurrentHashMap.newKeySet();

    /**
     * Adds a session.
     *
     * @return {@code false} when it was a member already or its connection has closed
     */
    public boolean add(WebSocketSession session) {
        Objects.requireNonNull(session, "session");
        if (!sessions.add(session)) {
            return false;
        }
        if (!session.joined(this)) {
            sessions.remove(session);
            return false;
        }
        return true;
    }

    /** Removes a session; {@code false} when it was not a member. */
    public boolean remove(WebSocketSession session) {
        if (sessions.remove(session)) {
            session.left(this);
            return true;
        }
        return false;
    }

    /** Whether {@code session} is a member. */
    public boolean contains(WebSocketSession session) {
        return sessions.contains(session);
    }

    /** The number of members. */
    public int size() {
        return sessions.size();
    }

    /** Sends {@code text} to every member, encoding it once. */
    public void broadcastText(CharSequence text) {
        broadcast(Outbound.text(Objects.requireNonNull(text, "text")));
    }

    /** Sends the remaining bytes of {@code data} (not consumed) to every member as binary, copying them once. */
    public void broadcastBinary(ByteBuffer data) {
        byte[] copy = new byte[data.remaining()];
        data.get(data.position(), copy);
        broadcast(Outbound.message(FrameDecoder.OP_BINARY, copy));
    }

    /** Sends {@code data} to every member as binary; do not change it until written. */
    public void broadcastBinary(byte[] data) {
        broadcast(Outbound.message(FrameDecoder.OP_BINARY, Objects.requireNonNull(data, "data")));
    }

    /** Starts the close handshake of every member. */
    public void close(int code, String reason) {
        Outbound close = Outbound.close(code, reason);
        broadcast(close);
    }

    private void broadcast(Outbound message) {
        for (WebSocketSession session : sessions) {
            session.connection().send(message);
        }
    }

    @Override
    public Iterator<WebSocketSession> iterator() {
        return sessions.iterator();
    }

    @Override
    public String toString() {
        return "WebSocketGroup[" + sessions.size() + " sessions]";
    }
}
