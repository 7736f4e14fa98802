package io.gev.internal.engine;

import io.gev.SendCallback;
import io.gev.TlsInfo;
import io.gev.buffer.RingBuffer;
import io.gev.internal.transport.ConnectionEvents;
import io.gev.internal.transport.SocketIo;
import io.gev.internal.watchdog.LoopProgress;
import io.netty.channel.IoRegistration;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The write side's bookkeeping on its own, over a socket stub that takes what the test says: the
 * water marks and the limit at, below and above their values, which callbacks a write completes,
 * and when the ring goes back to the pool (a strict pool, so a second release would throw).
 */
class OutboundBufferTest {

    private static final int HIGH = 100;
    private static final int LOW = 40;
    private static final int LIMIT = 1000;

    private final AtomicLong violations = new AtomicLong();
    private final BufferPool pool = new BufferPool(1 << 20, violations, true);
    private final ByteBuffer[] iov = new ByteBuffer[RingBuffer.MAX_SEGMENTS];
    private final TakingSocket socket = new TakingSocket();
    private final OutboundBuffer out = new OutboundBuffer(new OutboundBuffer.Shared(pool, HIGH, LOW, LIMIT));

    @Test
    void writabilityFlipsAboveTheHighMarkAndBackOnlyBelowTheLowOne() {
        OutboundBuffer.Shared shared = new OutboundBuffer.Shared(pool, HIGH, LOW, LIMIT);
        assertTrue(shared.writable(true, HIGH), "at the high mark: still writable");
        assertFalse(shared.writable(true, HIGH + 1), "one byte above it");
        assertFalse(shared.writable(false, HIGH + 1));
        assertFalse(shared.writable(false, LOW), "at the low mark: still unwritable");
        assertTrue(shared.writable(false, LOW - 1), "one byte below it");
        assertTrue(shared.writable(true, LOW - 1));
    }

    @Test
    void drainingCompletelyMakesItWritableEvenWithALowMarkOfZero() {
        OutboundBuffer.Shared zeroLow = new OutboundBuffer.Shared(pool, 10, 0, LIMIT);
        assertFalse(zeroLow.writable(true, 11));
        assertFalse(zeroLow.writable(false, 1));
        assertTrue(zeroLow.writable(false, 0));
    }

    @Test
    void aBufferGivenBackIsLentAgainWithItsTotalsReset() throws IOException {
        OutboundBuffer.Shared shared = new OutboundBuffer.Shared(pool, HIGH, LOW, LIMIT);
        OutboundBuffer first = shared.lend();
        assertEquals(1, shared.lentCount());
        first.ring().write(new byte[100]);
        first.queued(100, null);
        socket.take = 100;
        first.write(socket, iov);
        shared.giveBack(first);
        assertEquals(0, shared.lentCount());
        OutboundBuffer again = shared.lend();
        assertSame(first, again, "the free buffer is lent again");
        List<String> done = new ArrayList<>();
        again.ring().write(new byte[3]);
        again.queued(3, named("after reuse", done));
        assertNull(again.pollWritten(), "its totals start from zero: 3 bytes are still queued");
        socket.take = 3;
        again.write(socket, iov);
        again.pollWritten().onComplete(null, null);
        assertEquals(List.of("after reuse"), done);
        assertEquals(0, violations.get());
    }

    @Test
    void aBufferGivenBackTwiceOrStillHoldingBytesIsRefused() {
        OutboundBuffer.Shared shared = new OutboundBuffer.Shared(pool, HIGH, LOW, LIMIT);
        OutboundBuffer holding = shared.lend();
        holding.ring().write(new byte[5]);
        holding.queued(5, null);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> shared.giveBack(holding));
        assertTrue(e.getMessage().contains("still holds 5 bytes"), e.getMessage());
        assertEquals(1, violations.get());
        holding.release();
        shared.giveBack(holding);
        assertThrows(IllegalStateException.class, () -> shared.giveBack(holding), "given back twice");
        assertEquals(2, violations.get());
        assertEquals(0, shared.lentCount());
        violations.set(0);
    }

    @Test
    void atMostMaxFreeBuffersAreKeptForReuse() {
        OutboundBuffer.Shared shared = new OutboundBuffer.Shared(pool, HIGH, LOW, LIMIT);
        List<OutboundBuffer> lent = new ArrayList<>();
        for (int i = 0; i <= OutboundBuffer.Shared.MAX_FREE; i++) {
            lent.add(shared.lend());
        }
        lent.forEach(shared::giveBack);
        java.util.Set<OutboundBuffer> reused = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int i = 0; i <= OutboundBuffer.Shared.MAX_FREE; i++) {
            reused.add(shared.lend());
        }
        long kept = lent.stream().filter(reused::contains).count();
        assertEquals(OutboundBuffer.Shared.MAX_FREE, kept, "the one beyond MAX_FREE went to the garbage collector");
    }

    @Test
    void theLimitIsExceededOnlyAboveIt() {
        queue(LIMIT);
        assertFalse(out.exceedsLimit(), "at the limit");
        queue(1);
        assertTrue(out.exceedsLimit(), "one byte above it");
    }

    @Test
    void aCallbackCompletesOnceTheSocketTookTheLastByteOfItsMessage() throws IOException {
        List<String> done = new ArrayList<>();
        queue(10, named("a", done));
        queue(0, named("empty", done)); // packed to no bytes: complete with what came before it
        queue(5, named("b", done));
        socket.take = 9;
        out.write(socket, iov);
        assertNull(out.pollWritten(), "one byte of the first message is still queued");
        socket.take = 1;
        out.write(socket, iov);
        assertEquals("a", poll(done));
        assertEquals("empty", poll(done));
        assertNull(out.pollWritten());
        socket.take = 5;
        out.write(socket, iov);
        assertEquals("b", poll(done));
        assertNull(out.pollWritten());
    }

    @Test
    void theRingGoesBackToThePoolOnceDrainedAndAWriteOfItsBytesKeepsTheirOrder() throws IOException {
        RingBuffer ring = out.ring();
        ring.write(new byte[] {1, 2, 3, 4, 5});
        out.queued(5, null);
        assertEquals(1, pool.lentCount());
        socket.take = 2;
        assertEquals(2, out.write(socket, iov));
        assertTrue(out.holds(ring));
        assertEquals(3, out.length());
        socket.take = 3;
        assertEquals(3, out.write(socket, iov));
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, socket.taken.toByteArray());
        assertTrue(out.isIdle());
        assertFalse(out.holds(ring));
        assertEquals(0, out.length());
        assertEquals(0, pool.lentCount());
        assertEquals(0, out.release(), "nothing held, nothing released twice");
        assertEquals(0, violations.get());
    }

    @Test
    void aFailedWriteChangesNothingAndTheCloseReleasesWhatIsQueued() {
        List<String> done = new ArrayList<>();
        queue(7, named("a", done));
        socket.failure = new IOException("Connection reset by peer");
        assertThrows(IOException.class, () -> out.write(socket, iov));
        assertEquals(7, out.length());
        assertEquals(7, out.release());
        assertEquals(0, pool.lentCount());
        assertNull(out.pollWritten(), "its bytes were not written");
        out.pollAny().onComplete(null, null);
        assertEquals(List.of("a"), done);
        assertNull(out.pollAny());
        assertEquals(0, violations.get());
    }

    @Test
    void aLargeRingShrinksOnceMostlyDrained() throws IOException {
        int size = OutboundBuffer.SHRINK_THRESHOLD + 1;
        queue(size);
        int capacity = out.ring().capacity();
        assertTrue(capacity > OutboundBuffer.SHRINK_THRESHOLD);
        socket.take = size - capacity / 4 + 1; // leaves just under a quarter
        out.write(socket, iov);
        assertTrue(out.ring().capacity() < capacity, "shrunk to " + out.ring().capacity());
        assertEquals(capacity / 4 - 1, out.length());
        socket.take = Integer.MAX_VALUE;
        out.write(socket, iov);
        assertTrue(out.isIdle());
    }

    @Test
    void wrappedBytesGoOutInAtMostTheSegmentsOfOneRing() throws IOException {
        RingBuffer ring = out.ring();
        ring.write(new byte[BufferPool.INITIAL_CAPACITY - 10]);
        ring.retrieve(BufferPool.INITIAL_CAPACITY - 20); // the next bytes wrap around the end
        ring.write(new byte[30]);
        out.queued(10 + 30, null);
        socket.take = Integer.MAX_VALUE;
        out.write(socket, iov);
        assertEquals(RingBuffer.MAX_SEGMENTS, socket.lastCount);
        assertEquals(40, socket.taken.length());
    }

    private void queue(int bytes) {
        queue(bytes, null);
    }

    private void queue(int bytes, SendCallback callback) {
        out.ring().write(new byte[bytes]);
        out.queued(bytes, callback);
    }

    private static SendCallback named(String name, List<String> done) {
        return (c, failure) -> done.add(name);
    }

    private String poll(List<String> done) {
        SendCallback callback = out.pollWritten();
        int before = done.size();
        callback.onComplete(null, null);
        return done.get(before);
    }

    /** Takes up to {@link #take} bytes per write, or fails. */
    private static final class TakingSocket implements SocketIo {
        int take;
        int lastCount;
        IOException failure;
        final RingBuffer taken = RingBuffer.allocate(0);

        @Override
        public long write(ByteBuffer[] srcs, int count) throws IOException {
            if (failure != null) {
                throw failure;
            }
            lastCount = count;
            long n = 0;
            for (int i = 0; i < count && n < take; i++) {
                ByteBuffer b = srcs[i].duplicate();
                b.limit(b.position() + (int) Math.min(b.remaining(), take - n));
                n += b.remaining();
                taken.write(b);
            }
            return n;
        }

        @Override
        public void attach(ConnectionEvents connection, LoopProgress progress) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void registered(IoRegistration registration) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean start() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(ByteBuffer dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void shutdownOutput() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void interest(boolean read, boolean write) {
            throw new UnsupportedOperationException();
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return null;
        }

        @Override
        public InetSocketAddress localAddress() {
            return null;
        }

        @Override
        public void closeSocket() {
            throw new UnsupportedOperationException();
        }

        @Override
        public io.gev.internal.transport.AbstractSocketIo baseSocket() {
            throw new UnsupportedOperationException("no socket under this one");
        }

        @Override
        public TlsInfo tls() {
            return null;
        }
    }
}
