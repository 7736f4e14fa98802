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

    /** Payload bytes masked per copy; the frames of one message are masked in chunks of it. */
    private static final int CHUNK = 8192;
    private static final ThreadLocal<ByteBuffer> CHUNKS = ThreadLocal.withInitial(() -> ByteBuffer.allocate(CHUNK));

    private Masking() {
    }

    /**
     * Moves the unmasked frames in {@code frames}, whole frames only, to {@code out}, each with the
     * mask bit set, a fresh key from {@code random} and its payload masked with it.
     */
    static void mask(RingBuffer frames, RingBuffer out, Random random) {
        ByteBuffer chunk = CHUNKS.get();
        while (!frames.isEmpty()) {
            int b0 = frames.readByte() & 0xFF;
            int len7 = frames.readByte() & 0x7F;
            long length = len7 == 126 ? frames.readShort() & 0xFFFF : len7 == 127 ? frames.readLong() : len7;
            out.writeByte(b0);
            out.writeByte(0x80 | len7);
            if (len7 == 126) {
                out.writeShort((int) length);
            } else if (len7 == 127) {
                out.writeLong(length);
            }
            int key = random.nextInt();
            out.writeInt(key);
            long offset = 0;
            while (offset < length) {
                int n = (int) Math.min(CHUNK, length - offset);
                chunk.clear().limit(n);
                frames.read(chunk);
                chunk.flip();
                FrameDecoder.unmask(chunk, key, offset); // the same XOR masks
                out.write(chunk);
                offset += n;
            }
        }
    }
}
