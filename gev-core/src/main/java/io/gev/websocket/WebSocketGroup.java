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
 *
 * <p>A group made with {@code new WebSocketGroup()} is local to this process. A <em>named</em>
 * group, from {@link WebSocketGroups#group(String)}, is cluster-wide: its broadcasts also reach
 * the members of the group of the same name on every other instance sharing the broker, in the
 * order each thread broadcast them. Its own members get every broadcast directly, even while the
 * broker is down; other instances get at most one copy, none while the broker is unreachable.
 * Membership, {@link #size()}, iteration and {@link #close(int, String)} stay local.
 */
public final class WebSocketGroup implements Iterable<WebSocketSession> {

    private final Set<WebSocketSession> sessions = ConcurrentHashMap.newKeySet();
    /** {@code null} for a local group. */
    private final String name;
    /** {@code null} for a local group. */
    private final WebSocketGroups cluster;

    /** A local group: broadcasts reach only the members added here. */
    public WebSocketGroup() {
        this(null, null);
    }

    WebSocketGroup(String name, WebSocketGroups cluster) {
        this.name = name;
        this.cluster = cluster;
    }

    /** The name of a cluster-wide group, or {@code null} for a local one. */
    public String name() {
        return name;
    }

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

    /**
     * Sends {@code text} to every member, encoding it once (and once more for the broker, for a
     * named group).
     *
     * @throws IllegalArgumentException for a named group, when the text exceeds the cluster's
     *         {@link io.gev.cluster.ClusterOptions#maxMessageSize()} in UTF-8; nobody gets it
     */
    public void broadcastText(CharSequence text) {
        broadcast(Outbound.text(Objects.requireNonNull(text, "text")));
    }

    /**
     * Sends the remaining bytes of {@code data} (not consumed) to every member as binary, copying
     * them once.
     *
     * @throws IllegalArgumentException as {@link #broadcastText(CharSequence)}
     */
    public void broadcastBinary(ByteBuffer data) {
        byte[] copy = new byte[data.remaining()];
        data.get(data.position(), copy);
        broadcast(Outbound.message(FrameDecoder.OP_BINARY, copy));
    }

    /**
     * Sends {@code data} to every member as binary; do not change it until written.
     *
     * @throws IllegalArgumentException as {@link #broadcastText(CharSequence)}
     */
    public void broadcastBinary(byte[] data) {
        broadcast(Outbound.message(FrameDecoder.OP_BINARY, Objects.requireNonNull(data, "data")));
    }

    /** Starts the close handshake of every member on this instance (also for a named group). */
    public void close(int code, String reason) {
        Outbound close = Outbound.close(code, reason);
        deliver(close);
    }

    private void broadcast(Outbound message) {
        if (cluster == null) {
            deliver(message);
            return;
        }
        cluster.checkSize(message.payload.length);
        // Local members first and directly: a broker outage must not cost them anything.
        deliver(message);
        cluster.publish(this, message);
    }

    /** Queues {@code message} to every member here. */
    void deliver(Outbound message) {
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
        return name == null ? "WebSocketGroup[" + sessions.size() + " sessions]"
                : "WebSocketGroup[" + name + ", " + sessions.size() + " local sessions]";
    }
}
