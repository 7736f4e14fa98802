package io.gev.testing;

import java.nio.ByteBuffer;

/**
 * A chunk of bytes for a server to send again and again and for a client to check byte by byte
 * by its offset in the stream, so that a lost, repeated or reordered byte shows.
 */
public final class RepeatingPattern {

    private final ByteBuffer chunk;

    public RepeatingPattern(int size) {
        ByteBuffer b = ByteBuffer.allocate(size);
        for (int i = 0; i < size; i++) {
            b.put(i, (byte) (i * 31 + (i >>> 8)));
        }
        this.chunk = b.asReadOnlyBuffer();
    }

    /** The chunk, as a new read-only view to send (gev owns what it sends until it is written). */
    public ByteBuffer chunk() {
        return chunk.duplicate();
    }

    public int size() {
        return chunk.capacity();
    }

    /** Whether {@code b} is the byte at {@code offset} of the repeated chunk. */
    public boolean matches(long offset, byte b) {
        return chunk.get((int) (offset % chunk.capacity())) == b;
    }
}
