package io.gev.buffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Helpers for the payload views gev hands to handlers, which are valid for one call only. */
public final class Buffers {

    private Buffers() {
    }

    /** Copies the remaining bytes of {@code buffer} without changing its position. */
    public static byte[] copy(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(buffer.position(), bytes);
        return bytes;
    }

    /** Decodes the remaining bytes of {@code buffer} as UTF-8 without changing its position. */
    public static String utf8(ByteBuffer buffer) {
        return StandardCharsets.UTF_8.decode(buffer.duplicate()).toString();
    }
}
