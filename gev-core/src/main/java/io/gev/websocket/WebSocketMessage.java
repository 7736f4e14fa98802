package io.gev.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A complete message received, text or binary, as {@link WebSocketHandler#onMessage} sees it.
 *
 * <p>Like a gev payload, a message is a view valid only during that call: the server reuses the
 * object for the connection's next message, and the {@link #payload()} is a view of its buffers.
 * Copy with {@link #bytes()} or {@link #text()} to keep it; on a server whose handler runs
 * offloaded ({@link io.gev.HandlerExecution}) the message is a copy already, the handler's to keep.
 * A text message's bytes have been
 * checked to be valid UTF-8; {@link #text()} makes a {@link String} only when asked.
 *
 * <p>Returning the message from {@code onMessage} echoes it with its type; returning its
 * {@link #payload()} sends it back as binary.
 */
public final class WebSocketMessage {

    /** The kind of a data message. */
    public enum Type {
        /** UTF-8 text (opcode 0x1). */
        TEXT,
        /** Binary data (opcode 0x2). */
        BINARY
    }

    private Type type;
    private ByteBuffer payload;
    private String text;

    WebSocketMessage() {
    }

    WebSocketMessage set(int opcode, ByteBuffer payload) {
        this.type = opcode == FrameDecoder.OP_TEXT ? Type.TEXT : Type.BINARY;
        this.payload = payload;
        this.text = null;
        return this;
    }

    /** Text or binary. */
    public Type type() {
        return type;
    }

    /** Whether this is a text message. */
    public boolean isText() {
        return type == Type.TEXT;
    }

    /** Whether this is a binary message. */
    public boolean isBinary() {
        return type == Type.BINARY;
    }

    /**
     * The message's bytes (UTF-8 for text) between position and limit; valid during
     * {@code onMessage} only. Reading it relatively moves its position.
     */
    public ByteBuffer payload() {
        return payload;
    }

    /** The number of bytes remaining in {@link #payload()}. */
    public int size() {
        return payload.remaining();
    }

    /**
     * The remaining payload decoded as UTF-8, made once per message. For a binary message,
     * invalid sequences become U+FFFD.
     */
    public String text() {
        String t = text;
        if (t == null) {
            ByteBuffer p = payload;
            if (p.hasArray()) {
                t = new String(p.array(), p.arrayOffset() + p.position(), p.remaining(), StandardCharsets.UTF_8);
            } else {
                t = new String(bytes(), StandardCharsets.UTF_8);
            }
            text = t;
        }
        return t;
    }

    /** A copy of the remaining payload. */
    public byte[] bytes() {
        byte[] copy = new byte[payload.remaining()];
        payload.get(payload.position(), copy);
        return copy;
    }

    /** A message with a copy of the remaining payload in a heap buffer, for a handler off the loop. */
    WebSocketMessage copy() {
        WebSocketMessage copy = new WebSocketMessage();
        copy.type = type;
        copy.payload = ByteBuffer.wrap(bytes());
        return copy;
    }

    @Override
    public String toString() {
        return "WebSocketMessage[" + type + ", " + (payload == null ? 0 : payload.remaining()) + " bytes]";
    }
}
