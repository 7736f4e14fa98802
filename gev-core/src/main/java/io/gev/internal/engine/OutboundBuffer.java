package io.gev.internal.engine;

import io.gev.SendCallback;
import io.gev.buffer.RingBuffer;
import io.gev.internal.transport.SocketIo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A connection's write side, as Netty keeps its {@code ChannelOutboundBuffer} apart from the
 * channel: the bytes packed and not yet written (in a ring borrowed from the loop's pool while it
 * holds any), the send callbacks waiting for their bytes to be written, the write buffer limit and
 * the policy that shrinks a ring once it drained.
 *
 * <p>A connection holds one only while it has bytes or callbacks queued: it is lent by the loop
 * ({@link Shared#lend()}) and given back once empty, since an idle one carries no state and
 * 10,000s of idle connections would each pay its 48 bytes (JOL). The writability flag and the
 * length other threads read stay in the connection for that reason.
 *
 * <p>It runs no user code. What user code should hear (a callback whose bytes went out, a change
 * of writability) it reports, and its connection calls the user once this buffer is settled:
 * that is how the connection keeps its rule "settle the buffers, then run user code" (see the
 * comment above {@code ConnectionImpl.flush()}). Loop thread only, except where a method says.
 */
final class OutboundBuffer {

    /** Rings larger than this shrink once mostly drained. */
    static final int SHRINK_THRESHOLD = 1024 * 1024;

    // One reference to what the loop's buffers share rather than four fields of their own: an
    // idle connection's OutboundBuffer is 48 bytes instead of 64 (JOL), for 10,000s of them.
    private final Shared shared;

    private RingBuffer ring;
    /** Lent to a connection now: see {@link Shared#giveBack}. */
    private boolean lent;

    // A callback completes once writtenTotal reaches the queuedTotal recorded with it.
    private long queuedTotal;
    private long writtenTotal;
    private ArrayDeque<PendingCallback> callbacks;

    OutboundBuffer(Shared shared) {
        this.shared = shared;
    }

    /**
     * What the outbound buffers of one loop share: its pool, the server's water marks and limit,
     * and the buffers not lent to a connection now.
     */
    static final class Shared {
        /** Free buffers kept for reuse; more are left to the garbage collector. */
        static final int MAX_FREE = 1024;

        final BufferPool pool;
        final int highWaterMark;
        final int lowWaterMark;
        final int limit;
        private final ArrayDeque<OutboundBuffer> free = new ArrayDeque<>();
        private int lentCount;

        Shared(BufferPool pool, int highWaterMark, int lowWaterMark, int limit) {
            this.pool = pool;
            this.highWaterMark = highWaterMark;
            this.lowWaterMark = lowWaterMark;
            this.limit = limit;
        }

        /** A buffer for a connection that has something to queue; it owns it until {@link #giveBack}. */
        OutboundBuffer lend() {
            OutboundBuffer ob = free.pollLast();
            if (ob == null) {
                ob = new OutboundBuffer(this);
            }
            ob.lent = true;
            lentCount++;
            return ob;
        }

        /**
         * Takes back a buffer that holds nothing, from the connection it was lent to; the caller
         * must not touch it afterwards. A buffer given back twice, or holding bytes or callbacks,
         * is refused as a ring is by the pool (counted, logged, and thrown in strict mode).
         */
        void giveBack(OutboundBuffer ob) {
            String wrong = !ob.lent ? "is not lent out (given back twice?)"
                    : ob.ring != null ? "still holds " + ob.ring.length() + " bytes"
                    : ob.callbacks != null && !ob.callbacks.isEmpty() ? "still holds send callbacks" : null;
            if (wrong != null) {
                pool.refuse("an outbound buffer was given back although it " + wrong);
                return;
            }
            ob.lent = false;
            ob.queuedTotal = 0;
            ob.writtenTotal = 0;
            lentCount--;
            if (free.size() < MAX_FREE) {
                free.addLast(ob);
            }
        }

        /**
         * Forgets a buffer lent to a connection that closed: the connection keeps it, for a frame
         * below the close may still hold it, and the garbage collector takes both; it is not lent
         * again.
         */
        void forget(OutboundBuffer ob) {
            if (ob.lent) {
                ob.lent = false;
                lentCount--;
            }
        }

        /**
         * The writability after a change to {@code queued} bytes, for a connection that was
         * {@code writable}: unwritable above the high mark, writable again once below the low one
         * (or empty).
         */
        boolean writable(boolean writable, int queued) {
            return writable ? queued <= highWaterMark : queued == 0 || queued < lowWaterMark;
        }

        /** Buffers lent out now. */
        int lentCount() {
            return lentCount;
        }
    }

    /** The ring to pack the next message into, borrowed from the pool when none is held. */
    RingBuffer ring() {
        RingBuffer r = ring;
        if (r == null) {
            r = ring = shared.pool.borrow();
        }
        return r;
    }

    /** Whether {@code r} is still the ring held: {@link #release()} gives it up. */
    boolean holds(RingBuffer r) {
        return ring == r;
    }

    /** Holds no ring: nothing queued and no callback waiting. */
    boolean isIdle() {
        return ring == null;
    }

    /** Bytes queued. */
    int length() {
        RingBuffer r = ring;
        return r == null ? 0 : r.length();
    }

    /**
     * Accounts for the {@code added} bytes just packed into {@link #ring()}; {@code callback}
     * (may be {@code null}) completes once they are written.
     */
    void queued(int added, SendCallback callback) {
        queuedTotal += added;
        if (callback != null) {
            if (callbacks == null) {
                callbacks = new ArrayDeque<>(4);
            }
            callbacks.add(new PendingCallback(queuedTotal, callback));
        }
    }

    /**
     * Hands what is queued to {@code io} in one call, through {@code iov} (room for
     * {@link RingBuffer#MAX_SEGMENTS} buffers), then settles the ring: given back to the pool
     * once empty, shrunk once mostly drained. On an exception nothing changes; the connection
     * closes and {@link #release()}s.
     *
     * @return bytes written
     */
    long write(SocketIo io, ByteBuffer[] iov) throws IOException {
        RingBuffer r = ring;
        if (r == null) {
            return 0;
        }
        long written = 0;
        if (!r.isEmpty()) {
            written = io.write(iov, r.peekSegments(r.length(), iov));
            if (written > 0) {
                r.retrieve((int) written);
                writtenTotal += written;
            }
        }
        int remaining = r.length();
        if (remaining == 0) {
            ring = null;
            shared.pool.release(r);
        } else if (r.capacity() > SHRINK_THRESHOLD && remaining < r.capacity() / 4) {
            r.shrink(BufferPool.INITIAL_CAPACITY);
        }
        return written;
    }

    /** More bytes are queued than the write buffer limit allows. */
    boolean exceedsLimit() {
        return length() > shared.limit;
    }

    /**
     * The next callback whose bytes are all written, taken off the queue; {@code null} when none
     * is. Polled one at a time, so that a callback may send or close before the next is polled.
     */
    SendCallback pollWritten() {
        ArrayDeque<PendingCallback> q = callbacks;
        PendingCallback pc = q == null ? null : q.peek();
        if (pc == null || pc.end > writtenTotal) {
            return null;
        }
        q.poll();
        return pc.callback;
    }

    /** The next callback still waiting, written or not, taken off the queue; for the close. */
    SendCallback pollAny() {
        PendingCallback pc = callbacks == null ? null : callbacks.poll();
        return pc == null ? null : pc.callback;
    }

    /**
     * Gives the ring back to the pool, dropping what it holds, as the connection closes; the
     * callbacks stay for {@link #pollWritten()} and {@link #pollAny()}.
     *
     * @return bytes dropped
     */
    int release() {
        RingBuffer r = ring;
        if (r == null) {
            return 0;
        }
        int dropped = r.length();
        ring = null;
        shared.pool.release(r);
        return dropped;
    }

    private static final class PendingCallback {
        final long end;
        final SendCallback callback;

        PendingCallback(long end, SendCallback callback) {
            this.end = end;
            this.callback = callback;
        }
    }
}
