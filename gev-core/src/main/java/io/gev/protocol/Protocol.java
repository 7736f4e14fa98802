package io.gev.protocol;

import io.gev.Connection;
import io.gev.buffer.Buffers;
import io.gev.buffer.RingBuffer;

import java.nio.ByteBuffer;

/**
 * Frames a byte stream into messages and messages back into bytes.
 *
 * <p>{@code M} is what {@link #unpack} decodes and the server's {@link io.gev.Handler Handler}
 * receives: {@link java.nio.ByteBuffer} for a protocol that only frames bytes, a type of its own
 * for one that parses them (a JSON tree, a protobuf message). {@link #pack} is not typed by
 * {@code M}: replies mix types (a WebSocket handler sends text, bytes and control frames on one
 * connection), so it takes any object and rejects those it cannot pack.
 *
 * <p>One instance serves every connection of a server, on all of its loops at once: keep
 * per-connection state in {@link Connection#protocolState()}, never in fields. Both methods run
 * on the connection's loop thread and must not block.
 *
 * @param <M> the type of message this protocol decodes
 */
public interface Protocol<M> {

    /**
     * Called on the loop thread when a connection opens, before {@link io.gev.Handler#onConnect}:
     * the place to set up per-connection decoding state
     * ({@link Connection#setProtocolState(Object)}) or to schedule a timeout. A protocol may refuse
     * the connection here, by closing it or by throwing: the handler then hears of it neither
     * open nor closed, while {@link #onClose} is still called.
     */
    default void onConnect(Connection connection) {
    }

    /**
     * Called on the loop thread when the server begins a graceful stop, while the connection may
     * still send: the place for a goodbye (a WebSocket close frame with 1001). What it sends is
     * drained within the grace period like every other queued byte; then the connection closes.
     */
    default void onServerStop(Connection connection) {
    }

    /**
     * Called on the loop thread once when a connection closes, after
     * {@link io.gev.Handler#onClose}: the place to release per-connection resources.
     */
    default void onClose(Connection connection) {
    }

    /**
     * Decodes at most one message from the front of {@code in}.
     *
     * <p>When {@code in} holds a complete frame, consume its bytes, {@link Frame#set set} the
     * frame's context and message and return {@code true}. Otherwise consume nothing (or use the ring's virtual read
     * pointer and revert it) and return {@code false}; gev calls again when more bytes arrive.
     * A streaming decoder may instead consume the bytes it has moved into its own state (part of
     * a large frame, say) and return {@code false}: gev keeps only what is left in {@code in}.
     * A view taken with {@link RingBuffer#peekView(int)} before consuming stays valid until the
     * handler returns, so a byte protocol hands its frames over without copying them.
     *
     * <p>{@link Connection#send} called from here packs at once, in order with the replies of
     * the same read.
     *
     * @throws ProtocolException when the bytes can never form a valid frame; gev then makes one
     *         last non-blocking write of what is queued (so an error response sent just before
     *         throwing reaches the peer when its socket has room), closes the connection with
     *         {@link io.gev.CloseReason#PROTOCOL_ERROR} and logs the message
     */
    boolean unpack(Connection connection, RingBuffer in, Frame<M> frame);

    /**
     * Makes a decoded message independent of gev's buffers, for a server that runs its handler
     * off the loop ({@link io.gev.HandlerExecution}): called on the loop for each message handed
     * off, after {@link #unpack} and before the buffers are reused. A protocol whose messages are
     * views (as the byte protocols' {@link ByteBuffer}s are) returns a copy the handler may keep;
     * one that parses into objects of its own returns them as they are. The default copies the
     * remaining bytes of a {@code ByteBuffer} into a heap buffer and returns anything else as it is.
     */
    @SuppressWarnings("unchecked")
    default M detach(M message) {
        if (message instanceof ByteBuffer) {
            return (M) ByteBuffer.wrap(Buffers.copy((ByteBuffer) message));
        }
        return message;
    }

    /**
     * Appends the bytes of {@code message} to {@code out}: a handler's reply or what was
     * {@link Connection#send sent}, of any type the protocol packs.
     *
     * @throws IllegalArgumentException when the protocol cannot pack this type of message; make it
     *         with {@link #cannotPack(Object, String)}
     */
    void pack(Connection connection, Object message, RingBuffer out);

    /**
     * The exception {@link #pack} throws for a message it cannot pack, naming the type it was
     * given and what it packs:
     * {@code throw Protocol.cannotPack(message, "byte[], ByteBuffer or CharSequence")} reads
     * "Cannot pack a java.lang.Integer: this protocol packs byte[], ByteBuffer or CharSequence".
     *
     * @param message the message that was given, may be {@code null}
     * @param packs what the protocol packs, in words
     */
    static IllegalArgumentException cannotPack(Object message, String packs) {
        return new IllegalArgumentException("Cannot pack a "
                + (message == null ? "null message" : message.getClass().getName())
                + ": this protocol packs " + packs);
    }
}
