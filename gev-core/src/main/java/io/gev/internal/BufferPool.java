package io.gev.internal;

import io.gev.buffer.RingBuffer;

import java.util.ArrayDeque;

/**
 * Direct ring buffers of one loop, lent to connections while they hold bytes. An idle connection
 * holds none; a drained one gives its buffer back, and buffers that grew past
 * {@link #MAX_POOLED_CAPACITY} are dropped rather than pooled, so a connection that once received
 * megabytes does not keep them. Loop thread only.
 */
final class BufferPool {

    static final int INITIAL_CAPACITY = 4096;
    static final int MAX_POOLED_CAPACITY = 256 * 1024;

    private final ArrayDeque<RingBuffer> free = new ArrayDeque<>();
    private final long maxPooledBytes;
    private long pooledBytes;

    BufferPool(long maxPooledBytes) {
        this.maxPooledBytes = maxPooledBytes;
    }

    RingBuffer borrow() {
        RingBuffer ring = free.pollLast();
        if (ring == null) {
            return RingBuffer.allocateDirect(INITIAL_CAPACITY);
        }
        pooledBytes -= ring.capacity();
        return ring;
    }

    void release(RingBuffer ring) {
        ring.reset();
        int capacity = ring.capacity();
        if (capacity <= MAX_POOLED_CAPACITY && pooledBytes + capacity <= maxPooledBytes) {
            pooledBytes += capacity;
            // Most recently used buffers go out first: they are the ones still in cache.
            free.addLast(ring);
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
}
