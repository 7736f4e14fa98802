package io.gev.websocket;

import io.gev.buffer.RingBuffer;

import java.nio.ByteBuffer;
import java.util.Random;

/**
 * Masks a client's frames (RFC 6455 section 5.3): each gets a key of its own from a strong random
 * source, so that what a client sends cannot be chosen to look like another protocol to a proxy
 * on the way (the cache poisoning of section 10.3).
 */
final class Masking {

    private Masking() {
    }

    /**
     * Moves the unmasked frames in {@code frames}, whole frames only, to {@code out}, each with the
     * mask bit set, a fresh key from {@code random} and its payload masked with it. The payload is
     * masked in place in {@code frames} and copied once; {@code segments} (of
     * {@link RingBuffer#MAX_SEGMENTS} slots) receives the views of it.
     */
    static void mask(RingBuffer frames, RingBuffer out, Random random, ByteBuffer[] segments) {
        while (!frames.isEmpty()) {
            int b0 = frames.readByte() & 0xFF;
            int len7 = frames.readByte() & 0x7F;
            // What gev packs is at most a ring's length, an int.
            int length = len7 == 126 ? frames.readShort() & 0xFFFF : len7 == 127 ? (int) frames.readLong() : len7;
            out.writeByte(b0);
            out.writeByte(0x80 | len7);
            if (len7 == 126) {
                out.writeShort(length);
            } else if (len7 == 127) {
                out.writeLong(length);
            }
            int key = random.nextInt();
            out.writeInt(key);
            int count = frames.peekSegments(length, segments);
            long offset = 0;
            for (int i = 0; i < count; i++) {
                ByteBuffer segment = segments[i];
                int n = segment.remaining();
                FrameDecoder.unmask(segment, key, offset); // the same XOR masks
                out.write(segment);
                offset += n;
            }
            frames.retrieve(length);
        }
    }
}
