package io.gev.internal.engine;

import io.gev.buffer.RingBuffer;

/**
 * The bytes a connection received and could not decode yet: an incomplete frame, in a ring
 * borrowed from the loop's pool while it holds any, so that a connection between frames holds
 * none. The connection decodes straight from the loop's read buffer when nothing is left over
 * ({@link #source}), so only an incomplete tail is ever copied ({@link #keepRest}).
 *
 * <p>Runs no user code; the connection decodes (and so calls its protocol and handler) between
 * {@link #source} and {@link #keepRest}, and calls {@link #keepRest} only if it still reads
 * afterwards: a close in between {@link #release()}d the ring. Loop thread only, except where a
 * method says.
 */
final class InboundBuffer {

    private final BufferPool pool;
    private RingBuffer ring;
    /** A copy of the held length for other threads; a plain field, so possibly a little stale. */
    private int lengthCopy;

    InboundBuffer(BufferPool pool) {
        this.pool = pool;
    }

    /**
     * What to decode after a read into {@code scratch}: {@code scratch} itself when nothing is
     * left over from earlier reads, else the held ring with the bytes of {@code scratch} appended.
     */
    RingBuffer source(RingBuffer scratch) {
        RingBuffer r = ring;
        if (r == null) {
            return scratch;
        }
        r.write(scratch);
        return r;
    }

    /**
     * Keeps what decoding {@code source} (from {@link #source}) left: copies the incomplete tail
     * of the loop's buffer into a borrowed ring, or gives back a held ring that was decoded empty.
     *
     * @return bytes held now
     */
    int keepRest(RingBuffer source) {
        RingBuffer r = ring;
        if (r == null) {
            if (source.isEmpty()) {
                return lengthCopy = 0;
            }
            r = ring = pool.borrow();
            r.write(source);
        } else if (r.isEmpty()) {
            ring = null;
            pool.release(r);
            return lengthCopy = 0;
        }
        return lengthCopy = r.length();
    }

    /** Bytes held as of the last read; any thread. */
    int lengthSeen() {
        return lengthCopy;
    }

    /** The capacity of the ring held; 0 when none is. */
    int capacity() {
        RingBuffer r = ring;
        return r == null ? 0 : r.capacity();
    }

    /** Gives the ring back to the pool, dropping what it holds, as the connection closes. */
    void release() {
        RingBuffer r = ring;
        if (r != null) {
            ring = null;
            pool.release(r);
        }
        lengthCopy = 0;
    }
}
