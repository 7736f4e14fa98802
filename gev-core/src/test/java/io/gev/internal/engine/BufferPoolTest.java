package io.gev.internal.engine;

import io.gev.buffer.RingBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pool lends each ring to one owner at a time and refuses every release it did not lend. */
class BufferPoolTest {

    private final AtomicLong violations = new AtomicLong();

    @Test
    void aReleasedRingIsLentAgainAndOnlyOnce() {
        BufferPool pool = new BufferPool(1 << 20, violations, true);
        RingBuffer a = pool.borrow();
        pool.release(a);
        assertSame(a, pool.borrow());
        assertNotSame(a, pool.borrow(), "one ring, one owner");
        assertEquals(2, pool.lentCount());
        assertEquals(0, violations.get());
    }

    @Test
    void aSecondReleaseIsRefusedAndTheRingIsNotPooledTwice() {
        BufferPool pool = new BufferPool(1 << 20, violations, true);
        RingBuffer a = pool.borrow();
        pool.release(a);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.release(a));
        assertTrue(e.getMessage().contains("not lent out"), e.getMessage());
        assertEquals(1, violations.get());
        assertEquals(1, pool.size(), "the ring is pooled once");
        RingBuffer first = pool.borrow();
        RingBuffer second = pool.borrow();
        assertNotSame(first, second);
    }

    @Test
    void aRingFromElsewhereIsRefused() {
        BufferPool pool = new BufferPool(1 << 20, violations, true);
        assertThrows(IllegalStateException.class, () -> pool.release(RingBuffer.allocateDirect(4096)));
        assertEquals(0, pool.size());
        BufferPool other = new BufferPool(1 << 20, violations, true);
        RingBuffer foreign = other.borrow();
        assertThrows(IllegalStateException.class, () -> pool.release(foreign));
        assertEquals(2, violations.get());
    }

    @Test
    void outsideStrictModeARefusalIsCountedAndDropped() {
        BufferPool pool = new BufferPool(1 << 20, violations, false);
        RingBuffer a = pool.borrow();
        pool.release(a);
        pool.release(a);
        pool.release(a);
        assertEquals(2, violations.get());
        assertEquals(1, pool.size());
    }

    @Test
    void ringsBeyondThePoolLimitAreDroppedButStillCountAsReturned() {
        BufferPool pool = new BufferPool(BufferPool.INITIAL_CAPACITY, violations, true);
        RingBuffer a = pool.borrow();
        RingBuffer b = pool.borrow();
        pool.release(a);
        pool.release(b); // over the byte limit: not kept
        assertEquals(1, pool.size());
        assertEquals(0, pool.lentCount());
        assertThrows(IllegalStateException.class, () -> pool.release(b));
    }

    @Test
    void borrowingAndReleasingAllocateNothingOnceWarm() {
        BufferPool pool = new BufferPool(1 << 24, violations, true);
        List<RingBuffer> held = new ArrayList<>();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocated = 0;
        for (int round = 0; round < 2000; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 64; i++) {
                held.add(pool.borrow());
            }
            for (int i = held.size() - 1; i >= 0; i--) {
                pool.release(held.remove(i));
            }
            if (round >= 1000) {
                allocated += threads.getCurrentThreadAllocatedBytes() - before;
            }
        }
        // Less than a byte per borrow: an allocating borrow or release costs 16 bytes or more each.
        // Not zero: now and then the thread's counter shows 64 bytes over the whole run, which no
        // single borrow or release can account for (each would cost at least 16 bytes every time).
        assertTrue(allocated < 64_000, allocated + " bytes allocated by 64,000 borrows and releases once warm");
        assertEquals(0, violations.get());
    }
}
