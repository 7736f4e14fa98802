package io.gev.protocol;

import io.gev.Connection;
import io.gev.buffer.RingBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * No framing: every read delivers all the bytes available as one message, a {@link ByteBuffer}
 * view (the original gev's {@code DefaultProtocol}). Packs {@code byte[]}, {@link ByteBuffer}
 * (its remaining bytes, which are consumed) and {@link CharSequence} (UTF-8).
 */
public final class RawProtocol implements Protocol<ByteBuffer> {

    /** The shared instance; it has no state. */
    public static final RawProtocol INSTANCE = new RawProtocol();

    /** What {@link #writeBytes} packs, in the words of {@link Protocol#cannotPack}. */
    static final String BYTES = "byte[], ByteBuffer or CharSequence (UTF-8)";

    private RawProtocol() {
    }

    @Override
    public boolean unpack(Connection connection, RingBuffer in, Frame<ByteBuffer> frame) {
        int length = in.length();
        if (length == 0) {
            return false;
        }
        ByteBuffer payload = in.peekView(length);
        in.retrieve(length);
        frame.set(null, payload);
        return true;
    }

    @Override
    public void pack(Connection connection, Object message, RingBuffer out) {
        writeBytes(message, out);
    }

    /**
     * Appends a {@code byte[]}, the remaining bytes of a {@link ByteBuffer} or a
     * {@link CharSequence} in UTF-8 to {@code out}; the helper other protocols use for their
     * payloads.
     *
     * @throws IllegalArgumentException for any other type
     */
    public static void writeBytes(Object message, RingBuffer out) {
        if (message instanceof ByteBuffer) {
            out.write((ByteBuffer) message);
        } else if (message instanceof byte[]) {
            out.write((byte[]) message);
        } else if (message instanceof CharSequence) {
            out.writeString((CharSequence) message, StandardCharsets.UTF_8);
        } else {
            throw Protocol.cannotPack(message, BYTES);
        }
    }
}
