package io.gev.internal.engine;

import io.gev.buffer.RingBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Direct ring buffers of one loop, lent to connections while they hold bytes. An idle connection
 * holds none; a drained one gives its buffer back, and buffers that grew past
 * {@link #MAX_POOLED_CAPACITY} are dropped rather than pooled, so a connection that once received
 * megabytes does not keep them. Loop thread only.
 *
 * <p>The pool knows which rings it lent out and refuses any other: a ring released twice, or
 * never borrowed from this pool, would otherwise be lent to two owners at once, which then read
 * and write each other's bytes. A refused release is logged and dropped; with the system property
 * {@value #STRICT_PROPERTY} set (the build's tests set it) it also throws.
 */
final class BufferPool {

    private static final Logger log = LoggerFactory.getLogger(BufferPool.class);

    static final int INITIAL_CAPACITY = 4096;
    static final int MAX_POOLED_CAPACITY = 256 * 1024;

    static final String STRICT_PROPERTY = "gev.buffer-pool.strict";
    private static final boolean STRICT = Boolean.getBoolean(STRICT_PROPERTY);
    /** Refused releases in this process, for tests that check none happened. */
    private static final AtomicLong VIOLATIONS = new AtomicLong();

    private final ArrayDeque<RingBuffer> free = new ArrayDeque<>();
    // IdentityHashMap stores keys in its own array: put and remove allocate nothing once it has
    // grown to the most rings lent at once, so the check costs the hot path no garbage.
    private final IdentityHashMap<RingBuffer, Boolean> lent = new IdentityHashMap<>();
    private final long maxPooledBytes;
    private final AtomicLong violations;
    private final boolean strict;
    private long pooledBytes;

    BufferPool(long maxPooledBytes) {
        this(maxPooledBytes, VIOLATIONS, STRICT);
    }

    /** A pool counting its refusals in {@code violations}, throwing on them when {@code strict}. */
    BufferPool(long maxPooledBytes, AtomicLong violations, boolean strict) {
        this.maxPooledBytes = maxPooledBytes;
        this.violations = violations;
        this.strict = strict;
    }

    RingBuffer borrow() {
        RingBuffer ring = free.pollLast();
        if (ring == null) {
            ring = RingBuffer.allocateDirect(INITIAL_CAPACITY);
        } else {
            pooledBytes -= ring.capacity();
        }
        lent.put(ring, Boolean.TRUE);
        return ring;
    }

    /**
     * Takes back a ring this pool lent; the caller must not touch it afterwards.
     *
     * @throws IllegalStateException in strict mode, when {@code ring} is not lent out by this pool
     */
    void release(RingBuffer ring) {
        if (lent.remove(ring) == null) {
            refuse(ring);
            return;
        }
        ring.reset();
        int capacity = ring.capacity();
        if (capacity <= MAX_POOLED_CAPACITY && pooledBytes + capacity <= maxPooledBytes) {
            pooledBytes += capacity;
            // Most recently used buffers go out first: they are the ones still in cache.
            free.addLast(ring);
        }
    }

    private void refuse(RingBuffer ring) {
        refuse("a " + ring.capacity() + "-byte ring was released to the buffer pool although it is not lent out "
                + "(released twice, or never borrowed here)");
    }

    /**
     * Counts and reports a release of something this loop lends that was not lent out, as the
     * ring's own refusal does; the loop's outbound buffers share it.
     */
    void refuse(String what) {
        long n = violations.incrementAndGet();
        IllegalStateException e = new IllegalStateException(what);
        // A bug, not an input: every one matters, but a loop repeating it must not flood the log.
        if (n <= 10 || Long.bitCount(n) == 1) {
            log.error("Buffer ownership violation #{}; the buffer was dropped", n, e);
        }
        if (strict) {
            throw e;
        }
    }

    /** Forgets every pooled ring, leaving their memory to the garbage collector. */
    void clear() {
        free.clear();
        pooledBytes = 0;
    }

    long pooledBytes() {
        return pooledBytes;
    }

    int size() {
        return free.size();
    }

    /** Rings lent out now. */
    int lentCount() {
        return lent.size();
    }

    /** Releases refused in this process since it started. */
    static long violations() {
        return VIOLATIONS.get();
    }
}
