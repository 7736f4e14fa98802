package io.gev.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RingBufferTest {

    // ------------------------------------------------------------------------------ helpers

    private static RingBuffer ring(boolean direct, int capacity) {
        return direct ? RingBuffer.allocateDirect(capacity) : RingBuffer.allocate(capacity);
    }

    private static byte[] bytes(int n, int first) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }

    /**
     * A ring of {@code capacity} bytes whose read index is {@code start} and that holds
     * {@code content}, wrapping when {@code start + content.length > capacity}.
     */
    private static RingBuffer ringAt(boolean direct, int capacity, int start, byte[] content) {
        assertTrue(content.length > 0 && content.length <= capacity && start < capacity);
        RingBuffer rb = ring(direct, capacity);
        int first = Math.min(content.length, capacity - start);
        rb.write(new byte[start]);
        rb.write(content, 0, first);
        // Consuming the filler only after the content keeps the ring from resetting to index 0.
        rb.retrieve(start);
        rb.write(content, first, content.length - first);
        assertEquals(capacity, rb.capacity());
        assertArrayEquals(content, rb.toByteArray());
        return rb;
    }

    private static byte[] concat(ByteBuffer[] segments, int count) {
        int total = 0;
        for (int i = 0; i < count; i++) {
            total += segments[i].remaining();
        }
        byte[] out = new byte[total];
        int at = 0;
        for (int i = 0; i < count; i++) {
            int n = segments[i].remaining();
            segments[i].get(segments[i].position(), out, at, n);
            at += n;
        }
        return out;
    }

    private static byte[] remaining(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(b.position(), out);
        return out;
    }

    // ------------------------------------------------------------------------- construction

    @Test
    void rejectsNegativeInitialCapacity() {
        for (Runnable r : new Runnable[] {
            () -> new RingBuffer(-1), () -> RingBuffer.allocate(-1), () -> RingBuffer.allocateDirect(-5)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
            assertTrue(e.getMessage().contains("initialCapacity"), e.getMessage());
        }
    }

    @Test
    void kindAndInitialState() {
        RingBuffer heap = new RingBuffer(16);
        assertFalse(heap.isDirect());
        assertFalse(RingBuffer.allocate(16).isDirect());
        RingBuffer direct = RingBuffer.allocateDirect(16);
        assertTrue(direct.isDirect());
        assertEquals(0, direct.length());
        assertEquals(16, direct.capacity());
        assertEquals(16, direct.free());
        assertTrue(direct.isEmpty());
        assertFalse(direct.isFull());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void zeroCapacityAllocatesOnFirstWrite(boolean direct) {
        RingBuffer rb = ring(direct, 0);
        assertEquals(0, rb.capacity());
        assertTrue(rb.isEmpty());
        assertTrue(rb.isFull());
        assertEquals(0, rb.peekSegments(10, new ByteBuffer[2]));
        assertEquals(0, rb.peekView(0).remaining());
        rb.writeByte(7);
        assertTrue(rb.capacity() >= 1);
        assertEquals(1, rb.length());
        assertEquals(7, rb.readByte());
        assertEquals(direct, rb.peekView(0).isDirect());
    }

    @Test
    void sizeAccessors() {
        RingBuffer rb = RingBuffer.allocate(8);
        rb.write(bytes(5, 0));
        assertEquals(5, rb.length());
        assertEquals(3, rb.free());
        assertFalse(rb.isEmpty());
        assertFalse(rb.isFull());
        rb.write(bytes(3, 5));
        assertTrue(rb.isFull());
        assertEquals(0, rb.free());
        assertEquals(8, rb.capacity());
        assertEquals("RingBuffer[length=8, capacity=8, direct=false]", rb.toString());
        assertEquals("RingBuffer[length=0, capacity=4, direct=true]", RingBuffer.allocateDirect(4).toString());
    }

    // --------------------------------------------------------------------- write and growth

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void writeAndReadAcrossWrap(boolean direct) {
        RingBuffer rb = ringAt(direct, 16, 12, bytes(10, 1));
        assertEquals(16, rb.capacity());
        byte[] out = new byte[20];
        assertEquals(10, rb.read(out, 5, 15));
        assertArrayEquals(bytes(10, 1), Arrays.copyOfRange(out, 5, 15));
        assertTrue(rb.isEmpty());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void growthWhileWrappedKeepsOrderAndKind(boolean direct) {
        RingBuffer rb = ringAt(direct, 16, 10, bytes(12, 0));
        rb.write(bytes(20, 12));
        assertTrue(rb.capacity() >= 32);
        assertEquals(1, Integer.bitCount(rb.capacity()), "power of two");
        assertEquals(direct, rb.isDirect());
        assertEquals(direct, rb.peekView(1).isDirect());
        assertArrayEquals(bytes(32, 0), rb.toByteArray());
        // Growth moved the content to index 0, so it is one segment.
        assertEquals(1, rb.peekSegments(32, new ByteBuffer[2]));
    }

    @Test
    void growthDoublesAtLeastToTheNeededSize() {
        RingBuffer rb = RingBuffer.allocate(100);
        rb.write(new byte[101]);
        assertEquals(256, rb.capacity());
        RingBuffer big = RingBuffer.allocate(16);
        big.write(new byte[1000]);
        assertEquals(1024, big.capacity());
        RingBuffer exact = RingBuffer.allocate(16);
        exact.write(new byte[16]);
        assertEquals(16, exact.capacity(), "a write that fits exactly does not grow");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void writeByteBufferOfEveryKindAdvancesItsPosition(boolean direct) {
        RingBuffer rb = ringAt(direct, 16, 14, bytes(1, 0));
        ByteBuffer heap = ByteBuffer.wrap(bytes(10, 0));
        heap.position(1).limit(5);
        rb.write(heap);
        assertEquals(5, heap.position());
        ByteBuffer directSrc = ByteBuffer.allocateDirect(8).put(bytes(8, 5)).flip();
        rb.write(directSrc);
        assertFalse(directSrc.hasRemaining());
        ByteBuffer readOnly = ByteBuffer.wrap(bytes(3, 13)).asReadOnlyBuffer();
        rb.write(readOnly);
        assertFalse(readOnly.hasRemaining());
        rb.write(ByteBuffer.allocate(0));
        rb.write(bytes(4, 16));
        rb.write(bytes(10, 20), 4, 0);
        assertArrayEquals(bytes(20, 0), rb.toByteArray());
        assertThrows(IndexOutOfBoundsException.class, () -> rb.write(new byte[3], 2, 2));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void writeRingBufferCopiesWithoutConsuming(boolean direct) {
        RingBuffer src = ringAt(!direct, 8, 6, bytes(5, 0));
        RingBuffer dst = ringAt(direct, 8, 5, bytes(3, 100));
        dst.write(src);
        assertEquals(5, src.length());
        byte[] expected = new byte[8];
        System.arraycopy(bytes(3, 100), 0, expected, 0, 3);
        System.arraycopy(bytes(5, 0), 0, expected, 3, 5);
        assertArrayEquals(expected, dst.toByteArray());
        dst.write(new RingBuffer(0));
        assertEquals(8, dst.length());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void writeRingBufferIntoItself(boolean direct) {
        RingBuffer fits = ringAt(direct, 16, 12, bytes(6, 0));
        fits.write(fits);
        assertEquals(16, fits.capacity());
        RingBuffer grows = ringAt(direct, 16, 12, bytes(10, 0));
        grows.write(grows);
        byte[] twice = new byte[12];
        byte[] twice20 = new byte[20];
        System.arraycopy(bytes(6, 0), 0, twice, 0, 6);
        System.arraycopy(bytes(6, 0), 0, twice, 6, 6);
        System.arraycopy(bytes(10, 0), 0, twice20, 0, 10);
        System.arraycopy(bytes(10, 0), 0, twice20, 10, 10);
        assertArrayEquals(twice, fits.toByteArray());
        assertArrayEquals(twice20, grows.toByteArray());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void writesPrimitivesInBothOrdersAcrossTheEnd(boolean direct) {
        for (int start = 0; start < 16; start++) {
            // One byte is kept before the values so that the indexes stay near the end.
            RingBuffer rb = ringAt(direct, 32, 16 + start, new byte[] {9});
            rb.writeByte(0x1FF);
            rb.writeShort(0x10203);
            rb.writeInt(0x04050607);
            rb.writeLong(0x08090A0B0C0D0E0FL);
            rb.writeShortLE(0x1011);
            rb.writeIntLE(0x12131415);
            rb.writeLongLE(0x161718191A1B1C1DL);
            ByteBuffer expected = ByteBuffer.allocate(30);
            expected.put((byte) 9).put((byte) 0xFF).putShort((short) 0x0203).putInt(0x04050607).putLong(0x08090A0B0C0D0E0FL);
            expected.order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x1011).putInt(0x12131415).putLong(0x161718191A1B1C1DL);
            assertArrayEquals(expected.array(), rb.toByteArray(), "start " + start);
            assertEquals(32, rb.capacity());
            assertEquals(2, rb.peekSegments(30, new ByteBuffer[2]), "start " + start);
            assertEquals(9, rb.readByte());
            assertEquals((byte) 0xFF, rb.readByte());
            assertEquals(0x0203, rb.readShort());
            assertEquals(0x04050607, rb.readInt());
            assertEquals(0x08090A0B0C0D0E0FL, rb.readLong());
            assertEquals(0x1011, rb.getShortLE(0));
            assertEquals(0x12131415, rb.getIntLE(2));
            assertEquals(0x161718191A1B1C1DL, rb.getLongLE(6));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void writeStringUtf8MatchesStringGetBytes(boolean direct) {
        String[] samples = {"", "hello", "h\u00e9llo w\u00f6rld", "\u20ac \u4e2d\u6587", "\ud83d\ude00 smile",
            "lone \ud800 high", "lone \udc00 low", "end \ud83d", "\u007f\u0080\u07ff\u0800\uffff"};
        for (String s : samples) {
            for (int start = 0; start < 8; start++) {
                RingBuffer rb = ringAt(direct, 32, 24 + start, new byte[] {9});
                rb.writeString(s, StandardCharsets.UTF_8);
                byte[] encoded = s.getBytes(StandardCharsets.UTF_8);
                assertEquals(encoded.length, RingBuffer.utf8Length(s), s);
                byte[] expected = new byte[encoded.length + 1];
                expected[0] = 9;
                System.arraycopy(encoded, 0, expected, 1, encoded.length);
                assertArrayEquals(expected, rb.toByteArray(), s);
                assertEquals(32, rb.capacity());
            }
            RingBuffer latin = ring(direct, 0);
            latin.writeString(s, StandardCharsets.ISO_8859_1);
            assertArrayEquals(s.getBytes(StandardCharsets.ISO_8859_1), latin.toByteArray(), s);
        }
        RingBuffer rb = ring(direct, 0);
        rb.writeString(new StringBuilder("sb"), StandardCharsets.UTF_8);
        assertArrayEquals(new byte[] {'s', 'b'}, rb.toByteArray());
    }

    // ---------------------------------------------------------------------------------- peek

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void peeksPrimitivesStraddlingTheEnd(boolean direct) {
        byte[] content = bytes(12, 0x81);
        ByteBuffer be = ByteBuffer.wrap(content);
        ByteBuffer le = ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN);
        for (int start = 4; start < 16; start++) {
            RingBuffer rb = ringAt(direct, 16, start, content);
            String where = "start " + start;
            assertEquals(be.get(0), rb.peekByte(), where);
            assertEquals(be.getShort(0), rb.peekShort(), where);
            assertEquals(be.getInt(0), rb.peekInt(), where);
            assertEquals(be.getLong(0), rb.peekLong(), where);
            for (int offset = 0; offset <= 4; offset++) {
                assertEquals(be.get(offset), rb.getByte(offset), where);
                assertEquals(be.getShort(offset), rb.getShort(offset), where);
                assertEquals(be.getInt(offset), rb.getInt(offset), where);
                assertEquals(be.getLong(offset), rb.getLong(offset), where);
                assertEquals(le.getShort(offset), rb.getShortLE(offset), where);
                assertEquals(le.getInt(offset), rb.getIntLE(offset), where);
                assertEquals(le.getLong(offset), rb.getLongLE(offset), where);
            }
            assertEquals(12, rb.length(), "peeks do not consume");
        }
    }

    @Test
    void peeksBeyondTheReadableBytesNameTheCounts() {
        RingBuffer rb = RingBuffer.allocate(16);
        rb.write(bytes(5, 0));
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> rb.getInt(3));
        assertTrue(e.getMessage().contains("4") && e.getMessage().contains("offset 3")
                && e.getMessage().contains("5"), e.getMessage());
        e = assertThrows(IndexOutOfBoundsException.class, () -> rb.getLong(0));
        assertTrue(e.getMessage().contains("8") && e.getMessage().contains("5"), e.getMessage());
        e = assertThrows(IndexOutOfBoundsException.class, () -> rb.getByte(-1));
        assertTrue(e.getMessage().contains("offset"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> rb.getByte(5));
        assertThrows(IndexOutOfBoundsException.class, () -> rb.getShortLE(4));
        assertThrows(IndexOutOfBoundsException.class, () -> rb.getIntLE(2));
        assertThrows(IndexOutOfBoundsException.class, () -> rb.getLongLE(0));
        RingBuffer empty = RingBuffer.allocate(4);
        assertThrows(IndexOutOfBoundsException.class, empty::peekByte);
        assertThrows(IndexOutOfBoundsException.class, empty::peekShort);
        assertThrows(IndexOutOfBoundsException.class, empty::peekInt);
        assertThrows(IndexOutOfBoundsException.class, empty::peekLong);
        assertThrows(IndexOutOfBoundsException.class, empty::readByte);
        assertThrows(IndexOutOfBoundsException.class, empty::readShort);
        assertThrows(IndexOutOfBoundsException.class, empty::readInt);
        assertThrows(IndexOutOfBoundsException.class, empty::readLong);
        assertEquals(5, rb.length());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void peekCopiesWithoutConsuming(boolean direct) {
        RingBuffer rb = ringAt(direct, 8, 5, bytes(6, 0));
        byte[] out = new byte[10];
        assertEquals(6, rb.peek(out, 1, 9));
        assertArrayEquals(bytes(6, 0), Arrays.copyOfRange(out, 1, 7));
        assertEquals(3, rb.peek(out, 0, 3));
        assertEquals(0, rb.peek(out, 0, 0));
        assertEquals(6, rb.length());
        assertThrows(IndexOutOfBoundsException.class, () -> rb.peek(out, 8, 3));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void peekSegmentsOfWrappedAndUnwrappedContent(boolean direct) {
        ByteBuffer[] segments = new ByteBuffer[2];
        RingBuffer wrapped = ringAt(direct, 16, 10, bytes(12, 0));
        assertEquals(2, wrapped.peekSegments(100, segments));
        assertEquals(10, segments[0].position());
        assertEquals(6, segments[0].remaining());
        assertEquals(0, segments[1].position());
        assertEquals(6, segments[1].remaining());
        assertEquals(direct, segments[0].isDirect());
        assertEquals(ByteOrder.BIG_ENDIAN, segments[1].order());
        assertArrayEquals(bytes(12, 0), concat(segments, 2));
        ByteBuffer first = segments[0];
        ByteBuffer second = segments[1];

        assertEquals(2, wrapped.peekSegments(7, segments));
        assertArrayEquals(bytes(7, 0), concat(segments, 2));
        assertSame(first, segments[0], "views are reused");
        assertSame(second, segments[1], "views are reused");

        assertEquals(1, wrapped.peekSegments(4, segments));
        assertSame(first, segments[0]);
        assertArrayEquals(bytes(4, 0), concat(segments, 1));
        assertEquals(0, segments[1].remaining());

        assertEquals(0, wrapped.peekSegments(0, segments));
        assertEquals(0, segments[0].remaining());
        assertEquals(0, segments[1].remaining());
        assertEquals(12, wrapped.length());

        RingBuffer flat = ringAt(direct, 16, 2, bytes(5, 0));
        assertEquals(1, flat.peekSegments(5, segments));
        assertArrayEquals(bytes(5, 0), concat(segments, 1));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> flat.peekSegments(1, new ByteBuffer[1]));
        assertTrue(e.getMessage().contains("segments"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> flat.peekSegments(-1, segments));
        assertTrue(e.getMessage().contains("length"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void peekViewOfUnwrappedBytesIsInPlaceAndSurvivesRetrieve(boolean direct) {
        RingBuffer rb = ringAt(direct, 16, 3, bytes(8, 0));
        ByteBuffer view = rb.peekView(6);
        assertEquals(6, view.remaining());
        assertEquals(direct, view.isDirect());
        assertArrayEquals(bytes(6, 0), remaining(view));
        view.put(view.position(), (byte) 99);
        assertEquals(99, rb.peekByte(), "the view shares the ring's memory");
        rb.retrieve(8);
        assertTrue(rb.isEmpty());
        assertEquals(99, view.get(view.position()));
        assertArrayEquals(bytes(5, 1), Arrays.copyOfRange(remaining(view), 1, 6));
        view.order(ByteOrder.LITTLE_ENDIAN).position(view.limit());
        rb.write(bytes(4, 0));
        ByteBuffer again = rb.peekView(4);
        assertSame(view, again, "the view object is reused");
        assertEquals(ByteOrder.BIG_ENDIAN, again.order());
        assertArrayEquals(bytes(4, 0), remaining(again));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void peekViewOfWrappedBytesCopiesIntoReusedScratch(boolean direct) {
        RingBuffer rb = ringAt(direct, 16, 12, bytes(10, 0));
        ByteBuffer view = rb.peekView(9);
        assertEquals(direct, view.isDirect());
        assertEquals(0, view.position());
        assertArrayEquals(bytes(9, 0), remaining(view));
        rb.retrieve(9);
        rb.retrieve(1);
        assertArrayEquals(bytes(9, 0), remaining(view), "valid across retrieve");

        rb.write(bytes(14, 50));
        rb.retrieve(13);
        rb.write(bytes(6, 64));
        assertEquals(2, rb.peekSegments(7, new ByteBuffer[2]));
        ByteBuffer again = rb.peekView(7);
        assertSame(view, again, "scratch reused when big enough");
        assertArrayEquals(bytes(7, 63), remaining(again));

        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> rb.peekView(8));
        assertTrue(e.getMessage().contains("8") && e.getMessage().contains("7"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> rb.peekView(-1));
        assertEquals(0, rb.peekView(0).remaining());
    }

    @Test
    void peekViewProtocolIdiom() {
        RingBuffer in = ringAt(false, 32, 20, bytes(30, 0));
        // The second frame wraps and is copied; the others are viewed in place.
        for (int i = 0; i < 3; i++) {
            ByteBuffer p = in.peekView(10);
            in.retrieve(10);
            assertArrayEquals(bytes(10, 10 * i), remaining(p), "frame " + i);
        }
        assertTrue(in.isEmpty());
    }

    // ------------------------------------------------------------------------------- consume

    @Test
    void retrieveValidatesAndResetsIndexesWhenEmpty() {
        RingBuffer rb = ringAt(false, 16, 10, bytes(4, 0));
        IllegalArgumentException iae = assertThrows(IllegalArgumentException.class, () -> rb.retrieve(-1));
        assertTrue(iae.getMessage().contains("n") && iae.getMessage().contains("-1"), iae.getMessage());
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> rb.retrieve(5));
        assertTrue(e.getMessage().contains("5") && e.getMessage().contains("4"), e.getMessage());
        rb.retrieve(0);
        rb.retrieve(2);
        assertArrayEquals(bytes(2, 2), rb.toByteArray());
        rb.retrieve(2);
        assertTrue(rb.isEmpty());
        // Indexes are back at 0, so a full-capacity write is one segment.
        rb.write(bytes(16, 0));
        assertEquals(1, rb.peekSegments(16, new ByteBuffer[2]));
        rb.retrieveAll();
        assertEquals(0, rb.length());
        assertEquals(0, rb.writableSegment(0).position());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void readIntoByteBuffers(boolean direct) {
        RingBuffer rb = ringAt(direct, 16, 11, bytes(12, 0));
        ByteBuffer heap = ByteBuffer.allocate(20);
        heap.position(2).limit(7);
        assertEquals(5, rb.read(heap));
        assertEquals(7, heap.position());
        assertArrayEquals(bytes(5, 0), Arrays.copyOfRange(heap.array(), 2, 7));
        ByteBuffer directDst = ByteBuffer.allocateDirect(20);
        assertEquals(7, rb.read(directDst));
        assertEquals(7, directDst.position());
        directDst.flip();
        assertArrayEquals(bytes(7, 5), remaining(directDst));
        assertEquals(0, rb.read(ByteBuffer.allocate(4)));
        rb.write(bytes(1, 0));
        assertThrows(ReadOnlyBufferException.class, () -> rb.read(ByteBuffer.allocate(4).asReadOnlyBuffer()));
    }

    @Test
    void readBytesAndToByteArray() {
        RingBuffer rb = ringAt(true, 8, 6, bytes(7, 0));
        assertArrayEquals(bytes(7, 0), rb.toByteArray());
        assertEquals(7, rb.length());
        assertArrayEquals(bytes(3, 0), rb.readBytes(3));
        assertArrayEquals(new byte[0], rb.readBytes(0));
        assertThrows(IndexOutOfBoundsException.class, () -> rb.readBytes(5));
        assertThrows(IllegalArgumentException.class, () -> rb.readBytes(-1));
        assertArrayEquals(bytes(4, 3), rb.readBytes(4));
        assertArrayEquals(new byte[0], rb.toByteArray());
    }

    // --------------------------------------------------------------------- transport access

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void writableSegmentOnEmptyRingIsTheWholeBuffer(boolean direct) {
        RingBuffer rb = ring(direct, 32);
        ByteBuffer seg = rb.writableSegment(1);
        assertEquals(0, seg.position());
        assertEquals(32, seg.remaining());
        assertEquals(direct, seg.isDirect());
        seg.put(bytes(10, 0));
        rb.advanceWriter(10);
        assertArrayEquals(bytes(10, 0), rb.toByteArray());
        ByteBuffer next = rb.writableSegment(0);
        assertSame(seg, next, "the view object is reused");
        assertEquals(10, next.position());
        assertEquals(22, next.remaining());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void writableSegmentWithWrappedFreeSpace(boolean direct) {
        // Content [12, 16) + [0, 4): the free space [4, 12) is one region.
        RingBuffer rb = ringAt(direct, 16, 12, bytes(8, 0));
        ByteBuffer seg = rb.writableSegment(8);
        assertEquals(4, seg.position());
        assertEquals(8, seg.remaining());
        seg.put(bytes(8, 8));
        rb.advanceWriter(8);
        assertTrue(rb.isFull());
        assertEquals(16, rb.capacity());
        assertArrayEquals(bytes(16, 0), rb.toByteArray());
        assertEquals(0, rb.writableSegment(0).remaining());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void writableSegmentFreeSpaceAtTheEndThatWrapsToTheStart(boolean direct) {
        // Content [6, 10): free space [10, 16) + [0, 6).
        RingBuffer rb = ringAt(direct, 16, 6, bytes(4, 0));
        ByteBuffer seg = rb.writableSegment(3);
        assertEquals(10, seg.position());
        assertEquals(6, seg.remaining());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rb.advanceWriter(7));
        assertTrue(e.getMessage().contains("6") && e.getMessage().contains("7"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> rb.advanceWriter(-1));
        seg.put(bytes(6, 4));
        rb.advanceWriter(6);
        // The next region starts at 0 and ends at the read index.
        seg = rb.writableSegment(1);
        assertEquals(0, seg.position());
        assertEquals(6, seg.remaining());
        seg.put(bytes(2, 10));
        rb.advanceWriter(2);
        assertArrayEquals(bytes(12, 0), rb.toByteArray());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void writableSegmentSmallerThanMinFreeCompactsWhenTheTotalIsEnough(boolean direct) {
        // Content [10, 14): 2 bytes free at the end, 10 at the start.
        RingBuffer rb = ringAt(direct, 16, 10, bytes(4, 0));
        ByteBuffer seg = rb.writableSegment(12);
        assertEquals(16, rb.capacity(), "no growth needed");
        assertEquals(4, seg.position());
        assertEquals(12, seg.remaining());
        seg.put(bytes(12, 4));
        rb.advanceWriter(12);
        assertArrayEquals(bytes(16, 0), rb.toByteArray());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void writableSegmentSmallerThanMinFreeGrows(boolean direct) {
        RingBuffer rb = ringAt(direct, 16, 12, bytes(10, 0));
        ByteBuffer seg = rb.writableSegment(100);
        assertTrue(rb.capacity() >= 110);
        assertEquals(direct, rb.isDirect());
        assertEquals(direct, seg.isDirect());
        assertEquals(10, seg.position());
        assertTrue(seg.remaining() >= 100);
        seg.put(bytes(100, 10));
        rb.advanceWriter(100);
        assertArrayEquals(bytes(110, 0), rb.toByteArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rb.writableSegment(-2));
        assertTrue(e.getMessage().contains("minFree"), e.getMessage());
    }

    // -------------------------------------------------------------------------------- search

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void indexOfByteScansBothSegments(boolean direct) {
        RingBuffer rb = ringAt(direct, 16, 10, bytes(12, 0));
        assertEquals(0, rb.indexOf((byte) 0));
        assertEquals(5, rb.indexOf((byte) 5));
        assertEquals(6, rb.indexOf((byte) 6), "first byte after the wrap");
        assertEquals(11, rb.indexOf((byte) 11));
        assertEquals(-1, rb.indexOf((byte) 12));
        assertEquals(8, rb.indexOf((byte) 8, 3));
        assertEquals(8, rb.indexOf((byte) 8, 8));
        assertEquals(-1, rb.indexOf((byte) 3, 4));
        assertEquals(-1, rb.indexOf((byte) 3, 12));
        assertEquals(-1, rb.indexOf((byte) 3, 1000));
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> rb.indexOf((byte) 1, -1));
        assertTrue(e.getMessage().contains("fromOffset"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void indexOfDelimiterStraddlingTheEnd(boolean direct) {
        byte[] content = "GET / HTTP/1.1\r\nHost: x\r\n\r\nbody".getBytes(StandardCharsets.US_ASCII);
        byte[] crlfcrlf = {'\r', '\n', '\r', '\n'};
        for (int start = 0; start < 64; start++) {
            RingBuffer rb = ringAt(direct, 64, start, content);
            String where = "start " + start;
            assertEquals(14, rb.indexOf(new byte[] {'\r', '\n'}, 0), where);
            assertEquals(23, rb.indexOf(new byte[] {'\r', '\n'}, 15), where);
            assertEquals(23, rb.indexOf(crlfcrlf, 0), where);
            assertEquals(-1, rb.indexOf(crlfcrlf, 24), where);
            assertEquals(27, rb.indexOf("body".getBytes(StandardCharsets.US_ASCII), 0), where);
            assertEquals(-1, rb.indexOf("body!".getBytes(StandardCharsets.US_ASCII), 0), where);
            assertEquals(-1, rb.indexOf("bodz".getBytes(StandardCharsets.US_ASCII), 0), where);
            assertEquals(0, rb.indexOf(content, 0), where);
            assertEquals(5, rb.indexOf(new byte[0], 5), where);
            assertEquals(-1, rb.indexOf(new byte[0], 32), where);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> RingBuffer.allocate(1).indexOf(new byte[1], -1));
    }

    // ------------------------------------------------------------------------------- virtual

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void virtualReadFlushAndRevert(boolean direct) {
        RingBuffer rb = ringAt(direct, 16, 13, bytes(10, 0));
        byte[] out = new byte[6];
        assertEquals(10, rb.virtualLength());
        assertEquals(4, rb.virtualRead(out, 0, 4));
        assertArrayEquals(bytes(4, 0), Arrays.copyOf(out, 4));
        assertEquals(6, rb.virtualLength());
        assertEquals(10, rb.length(), "virtual reads do not consume");
        rb.virtualRevert();
        assertEquals(10, rb.virtualLength());
        rb.virtualSkip(2);
        assertEquals(3, rb.virtualRead(out, 0, 3));
        assertArrayEquals(bytes(3, 2), Arrays.copyOf(out, 3));
        rb.virtualFlush();
        assertEquals(5, rb.length());
        assertEquals(5, rb.virtualLength());
        assertArrayEquals(bytes(5, 5), rb.toByteArray());

        rb.virtualSkip(3);
        rb.write(bytes(20, 10));
        assertEquals(22, rb.virtualLength(), "writes and growth keep the virtual position");
        assertEquals(2, rb.virtualRead(out, 0, 2));
        assertArrayEquals(bytes(2, 8), Arrays.copyOf(out, 2));
        rb.retrieve(1);
        assertEquals(rb.length(), rb.virtualLength(), "a real consume resets the virtual position");

        rb.virtualSkip(rb.length());
        assertEquals(0, rb.virtualRead(out, 0, 6));
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> rb.virtualSkip(1));
        assertTrue(e.getMessage().contains("1") && e.getMessage().contains("0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> rb.virtualSkip(-1));
        rb.virtualFlush();
        assertTrue(rb.isEmpty());
    }

    // --------------------------------------------------------------------------- maintenance

    @Test
    void resetKeepsMemory() {
        RingBuffer rb = ringAt(false, 16, 10, bytes(10, 0));
        rb.virtualSkip(3);
        rb.reset();
        assertTrue(rb.isEmpty());
        assertEquals(0, rb.virtualLength());
        assertEquals(16, rb.capacity());
        assertEquals(16, rb.writableSegment(16).remaining());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shrinkReturnsMemoryAfterTenMegabytes(boolean direct) {
        RingBuffer rb = ring(direct, 4096);
        byte[] chunk = bytes(64 * 1024, 0);
        for (int i = 0; i < 160; i++) {
            rb.write(chunk);
        }
        assertEquals(160 * chunk.length, rb.length());
        assertTrue(rb.capacity() >= 10 * 1024 * 1024);
        byte[] drain = new byte[100_000];
        while (rb.read(drain, 0, drain.length) > 0) {
            // drain
        }
        rb.shrink(4096);
        assertEquals(4096, rb.capacity());
        assertEquals(direct, rb.isDirect());
        rb.write(bytes(10, 0));
        assertArrayEquals(bytes(10, 0), rb.toByteArray());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shrinkKeepsWrappedContentAndDropsLargeScratch(boolean direct) {
        RingBuffer rb = ring(direct, 1024);
        rb.write(new byte[1000]);
        rb.retrieve(990);
        rb.write(bytes(990, 0));
        rb.retrieve(10);
        // 990 bytes wrapping from index 1000: the view is copied into a 1 KiB scratch.
        assertArrayEquals(bytes(990, 0), remaining(rb.peekView(990)));
        rb.retrieveAll();
        rb.write(new byte[1000]);
        rb.retrieve(999);
        rb.write(bytes(90, 0));
        rb.retrieve(1);
        assertEquals(2, rb.peekSegments(90, new ByteBuffer[2]), "90 bytes wrapping from index 1000");

        rb.shrink(16);
        assertEquals(128, rb.capacity(), "next power of two of the 90 bytes");
        assertEquals(direct, rb.isDirect());
        assertArrayEquals(bytes(90, 0), rb.toByteArray());
        rb.write(bytes(30, 90));
        rb.retrieve(60);
        rb.write(bytes(40, 120));
        assertEquals(2, rb.peekSegments(100, new ByteBuffer[2]));
        ByteBuffer view = rb.peekView(100);
        assertArrayEquals(bytes(100, 60), remaining(view));
        assertTrue(view.capacity() < 1024, "the large scratch was dropped, capacity " + view.capacity());

        rb.shrink(4096);
        assertEquals(128, rb.capacity(), "shrink never grows");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rb.shrink(-1));
        assertTrue(e.getMessage().contains("minCapacity"), e.getMessage());
        rb.retrieveAll();
        rb.shrink(0);
        assertEquals(0, rb.capacity());
        rb.write(bytes(3, 0));
        assertArrayEquals(bytes(3, 0), rb.toByteArray());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void releaseDropsMemoryButStaysUsable(boolean direct) {
        RingBuffer rb = ringAt(direct, 64, 60, bytes(10, 0));
        rb.peekView(10);
        rb.release();
        assertEquals(0, rb.capacity());
        assertEquals(0, rb.length());
        assertEquals(direct, rb.isDirect());
        rb.write(bytes(5, 1));
        assertArrayEquals(bytes(5, 1), rb.toByteArray());
        assertEquals(direct, rb.peekView(5).isDirect());
    }

    // ----------------------------------------------------------------------- property test

    static LongStream seeds() {
        return LongStream.range(0, 200);
    }

    private static final int[] INITIAL_CAPACITIES = {0, 1, 7, 16, 64};
    private static final int OPERATIONS = 2000;
    private static final String[] OPERATION_KINDS = {
        "write(byte[])", "write(byte[])", "write(byte[])", "write(ByteBuffer)",
        "writableSegment", "writableSegment", "write primitive", "write(RingBuffer)",
        "read(byte[])", "read(ByteBuffer)", "retrieve", "retrieve", "peek", "peekSegments",
        "peekView", "peekView", "get at offset", "read primitive", "indexOf(byte)", "indexOf(byte)",
        "indexOf(byte[])", "indexOf(byte[])", "virtual read/skip", "virtual read/skip",
        "virtualFlush", "virtualRevert", "shrink", "reset/release", "retrieveAll", "writeString"};

    /** The reference: a byte array with a head index, compacted when it fills. */
    private static final class Model {
        byte[] a = new byte[64];
        int head;
        int tail;
        int virtual;

        int length() {
            return tail - head;
        }

        byte get(int offset) {
            return a[head + offset];
        }

        void append(byte[] src, int off, int n) {
            if (tail + n > a.length) {
                byte[] b = new byte[Math.max(a.length * 2, length() + n)];
                System.arraycopy(a, head, b, 0, length());
                tail -= head;
                head = 0;
                a = b;
            }
            System.arraycopy(src, off, a, tail, n);
            tail += n;
        }

        void append(long value, int size, boolean littleEndian) {
            byte[] b = new byte[size];
            for (int i = 0; i < size; i++) {
                int shift = littleEndian ? i * 8 : (size - 1 - i) * 8;
                b[i] = (byte) (value >>> shift);
            }
            append(b, 0, size);
        }

        long get(int offset, int size) {
            long v = 0;
            for (int i = 0; i < size; i++) {
                v = (v << 8) | (get(offset + i) & 0xFF);
            }
            return v;
        }

        byte[] copy(int offset, int n) {
            return Arrays.copyOfRange(a, head + offset, head + offset + n);
        }

        void consume(int n) {
            head += n;
            virtual = 0;
            if (head == tail) {
                head = 0;
                tail = 0;
            }
        }

        int indexOf(byte[] d, int from) {
            outer:
            for (int i = from; i + d.length <= length(); i++) {
                for (int k = 0; k < d.length; k++) {
                    if (get(i + k) != d[k]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }

    private static byte[] randomBytes(Random rnd, int n) {
        byte[] b = new byte[n];
        if (rnd.nextBoolean()) {
            rnd.nextBytes(b);
        } else {
            // A small alphabet so that searches find something.
            for (int i = 0; i < n; i++) {
                b[i] = (byte) rnd.nextInt(6);
            }
        }
        return b;
    }

    private static int randomSize(Random rnd) {
        return rnd.nextInt(4) == 0 ? rnd.nextInt(3001) : rnd.nextInt(65);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void behavesLikeTheReferenceModel(long seed) {
        Random rnd = new Random(seed);
        int initialCapacity = INITIAL_CAPACITIES[(int) (seed % INITIAL_CAPACITIES.length)];
        boolean direct = (seed / INITIAL_CAPACITIES.length) % 2 == 1;
        RingBuffer rb = ring(direct, initialCapacity);
        Model m = new Model();
        ByteBuffer[] segments = new ByteBuffer[2];
        String previous = "none";
        for (int step = 0; step < OPERATIONS; step++) {
            // Drain more eagerly when large so that content checks stay cheap.
            int choice = m.length() > 20_000 ? 8 + rnd.nextInt(4) : rnd.nextInt(OPERATION_KINDS.length);
            try {
                previous = step(choice, rnd, rb, m, segments);
                check(rb, m, direct);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + ", operation #" + step + " ("
                        + OPERATION_KINDS[choice] + ", after " + previous + "), " + rb
                        + ", model length " + m.length() + ": " + e, e);
            }
        }
    }

    private static void check(RingBuffer rb, Model m, boolean direct) {
        assertEquals(m.length(), rb.length(), "length");
        assertTrue(rb.capacity() >= rb.length(), "capacity");
        assertEquals(rb.capacity() - rb.length(), rb.free(), "free");
        assertEquals(m.length() == 0, rb.isEmpty(), "isEmpty");
        assertEquals(rb.length() == rb.capacity(), rb.isFull(), "isFull");
        assertEquals(m.length() - m.virtual, rb.virtualLength(), "virtualLength");
        assertEquals(direct, rb.isDirect(), "isDirect");
        assertArrayEquals(m.copy(0, m.length()), rb.toByteArray(), "content");
    }

    /** Applies one random operation to both and checks its results; returns its description. */
    private static String step(int choice, Random rnd, RingBuffer rb, Model m, ByteBuffer[] segments) {
        int len = m.length();
        switch (choice) {
            case 0, 1, 2 -> {
                byte[] src = randomBytes(rnd, randomSize(rnd) + 4);
                int off = rnd.nextInt(4);
                int n = rnd.nextInt(src.length - off + 1);
                rb.write(src, off, n);
                m.append(src, off, n);
                return "write(byte[], " + off + ", " + n + ")";
            }
            case 3 -> {
                byte[] src = randomBytes(rnd, randomSize(rnd));
                ByteBuffer b;
                String kind;
                switch (rnd.nextInt(3)) {
                    case 0 -> {
                        kind = "heap";
                        b = ByteBuffer.allocate(src.length + 3);
                        b.position(3);
                        b.put(src).position(3);
                    }
                    case 1 -> {
                        kind = "direct";
                        b = ByteBuffer.allocateDirect(src.length).put(src).flip();
                    }
                    default -> {
                        kind = "read-only";
                        b = ByteBuffer.wrap(src).asReadOnlyBuffer();
                    }
                }
                rb.write(b);
                assertFalse(b.hasRemaining(), "source consumed");
                m.append(src, 0, src.length);
                return "write(" + kind + " ByteBuffer of " + src.length + ")";
            }
            case 4, 5 -> {
                int minFree = randomSize(rnd);
                ByteBuffer seg = rb.writableSegment(minFree);
                assertTrue(seg.remaining() >= minFree, "segment " + seg + " for minFree " + minFree);
                assertTrue(rb.free() >= seg.remaining(), "segment larger than the free space");
                int n = rnd.nextInt(Math.min(seg.remaining(), minFree + 100) + 1);
                byte[] src = randomBytes(rnd, n);
                seg.put(src);
                rb.advanceWriter(n);
                m.append(src, 0, n);
                return "writableSegment(" + minFree + ") + advanceWriter(" + n + ")";
            }
            case 6 -> {
                long v = rnd.nextLong();
                int kind = rnd.nextInt(7);
                switch (kind) {
                    case 0 -> {
                        rb.writeByte((int) v);
                        m.append(v, 1, false);
                    }
                    case 1 -> {
                        rb.writeShort((int) v);
                        m.append(v, 2, false);
                    }
                    case 2 -> {
                        rb.writeInt((int) v);
                        m.append(v, 4, false);
                    }
                    case 3 -> {
                        rb.writeLong(v);
                        m.append(v, 8, false);
                    }
                    case 4 -> {
                        rb.writeShortLE((int) v);
                        m.append(v, 2, true);
                    }
                    case 5 -> {
                        rb.writeIntLE((int) v);
                        m.append(v, 4, true);
                    }
                    default -> {
                        rb.writeLongLE(v);
                        m.append(v, 8, true);
                    }
                }
                return "write primitive kind " + kind;
            }
            case 7 -> {
                if (rnd.nextInt(4) == 0 && len < 5000) {
                    rb.write(rb);
                    m.append(m.copy(0, len), 0, len);
                    return "write(itself)";
                }
                RingBuffer other = ring(rnd.nextBoolean(), rnd.nextInt(8));
                byte[] src = randomBytes(rnd, randomSize(rnd));
                other.write(new byte[rnd.nextInt(3)]);
                other.write(src);
                other.retrieve(other.length() - src.length);
                rb.write(other);
                assertEquals(src.length, other.length(), "source not consumed");
                m.append(src, 0, src.length);
                return "write(RingBuffer of " + src.length + ")";
            }
            case 8 -> {
                int n = rnd.nextInt(len + 10);
                byte[] dst = new byte[n + 2];
                int got = rb.read(dst, 2, n);
                assertEquals(Math.min(n, len), got, "read count");
                assertArrayEquals(m.copy(0, got), Arrays.copyOfRange(dst, 2, 2 + got), "read bytes");
                m.consume(got);
                return "read(byte[], 2, " + n + ")";
            }
            case 9 -> {
                int n = rnd.nextInt(len + 10);
                ByteBuffer dst = rnd.nextBoolean() ? ByteBuffer.allocate(n + 1) : ByteBuffer.allocateDirect(n + 1);
                dst.position(1);
                int got = rb.read(dst);
                assertEquals(Math.min(n, len), got, "read count");
                assertEquals(1 + got, dst.position(), "destination position");
                byte[] out = new byte[got];
                dst.get(1, out);
                assertArrayEquals(m.copy(0, got), out, "read bytes");
                m.consume(got);
                return "read(ByteBuffer of " + n + ")";
            }
            case 10, 11 -> {
                int n = len == 0 ? 0 : rnd.nextInt(len + 1);
                rb.retrieve(n);
                m.consume(n);
                return "retrieve(" + n + ")";
            }
            case 12 -> {
                int n = rnd.nextInt(len + 10);
                byte[] dst = new byte[n];
                int got = rb.peek(dst, 0, n);
                assertEquals(Math.min(n, len), got, "peek count");
                assertArrayEquals(m.copy(0, got), Arrays.copyOf(dst, got), "peeked bytes");
                return "peek(" + n + ")";
            }
            case 13 -> {
                int n = rnd.nextInt(len + 10);
                int count = rb.peekSegments(n, segments);
                int expected = Math.min(n, len);
                assertEquals(expected == 0 ? 0 : segments[1].hasRemaining() ? 2 : 1, count, "segment count");
                if (count > 0) {
                    assertTrue(segments[0].hasRemaining(), "first segment non-empty");
                }
                if (count == 2) {
                    assertEquals(rb.capacity(), segments[0].limit(), "first segment runs to the end");
                    assertEquals(0, segments[1].position(), "second segment starts at 0");
                }
                assertArrayEquals(m.copy(0, expected), concat(segments, 2), "segments");
                return "peekSegments(" + n + ")";
            }
            case 14, 15 -> {
                int n = len == 0 ? 0 : rnd.nextInt(len + 1);
                ByteBuffer view = rb.peekView(n);
                byte[] expected = m.copy(0, n);
                assertArrayEquals(expected, remaining(view), "view");
                if (rnd.nextBoolean()) {
                    rb.retrieve(n);
                    m.consume(n);
                    assertArrayEquals(expected, remaining(view), "view after retrieve");
                    return "peekView(" + n + ") + retrieve";
                }
                return "peekView(" + n + ")";
            }
            case 16 -> {
                int size = new int[] {1, 2, 4, 8}[rnd.nextInt(4)];
                int offset = rnd.nextInt(len + 2);
                boolean le = rnd.nextBoolean();
                if (offset + size > len) {
                    assertThrows(IndexOutOfBoundsException.class, () -> get(rb, offset, size, le));
                } else {
                    long expected = m.get(offset, size);
                    if (le) {
                        expected = Long.reverseBytes(expected) >> (64 - 8 * size);
                    }
                    long mask = size == 8 ? -1L : (1L << (8 * size)) - 1;
                    assertEquals(expected & mask, get(rb, offset, size, le) & mask, "value");
                }
                return "get size " + size + " at " + offset + (le ? " LE" : "");
            }
            case 17 -> {
                if (len == 0) {
                    return "nothing to read";
                }
                int size = new int[] {1, 2, 4, 8}[rnd.nextInt(4)];
                if (size > len) {
                    return "too short to read";
                }
                long expected = m.get(0, size);
                long got = switch (size) {
                    case 1 -> rb.readByte();
                    case 2 -> rb.readShort();
                    case 4 -> rb.readInt();
                    default -> rb.readLong();
                };
                long mask = size == 8 ? -1L : (1L << (8 * size)) - 1;
                assertEquals(expected, got & mask, "read value");
                m.consume(size);
                return "read size " + size;
            }
            case 18, 19 -> {
                int from = rnd.nextInt(len + 2);
                byte b = (byte) rnd.nextInt(7);
                assertEquals(m.indexOf(new byte[] {b}, from), rb.indexOf(b, from), "indexOf byte");
                if (from == 0) {
                    assertEquals(m.indexOf(new byte[] {b}, 0), rb.indexOf(b), "indexOf byte");
                }
                return "indexOf(" + b + ", " + from + ")";
            }
            case 20, 21 -> {
                int from = rnd.nextInt(len + 2);
                byte[] d;
                if (len > 0 && rnd.nextBoolean()) {
                    int at = rnd.nextInt(len);
                    d = m.copy(at, Math.min(1 + rnd.nextInt(5), len - at));
                } else {
                    d = randomBytes(rnd, rnd.nextInt(4));
                }
                int expected = d.length == 0 ? (from <= len ? from : -1) : m.indexOf(d, from);
                assertEquals(expected, rb.indexOf(d, from), "indexOf " + Arrays.toString(d));
                return "indexOf(" + Arrays.toString(d) + ", " + from + ")";
            }
            case 22, 23 -> {
                int vlen = len - m.virtual;
                int n = rnd.nextInt(vlen + 5);
                if (rnd.nextBoolean()) {
                    byte[] dst = new byte[n];
                    int got = rb.virtualRead(dst, 0, n);
                    assertEquals(Math.min(n, vlen), got, "virtualRead count");
                    assertArrayEquals(m.copy(m.virtual, got), Arrays.copyOf(dst, got), "virtualRead bytes");
                    m.virtual += got;
                    return "virtualRead(" + n + ")";
                }
                if (n > vlen) {
                    assertThrows(IndexOutOfBoundsException.class, () -> rb.virtualSkip(n));
                } else {
                    rb.virtualSkip(n);
                    m.virtual += n;
                }
                return "virtualSkip(" + n + ")";
            }
            case 24 -> {
                rb.virtualFlush();
                m.consume(m.virtual);
                return "virtualFlush";
            }
            case 25 -> {
                rb.virtualRevert();
                m.virtual = 0;
                return "virtualRevert";
            }
            case 26 -> {
                int min = new int[] {0, 1, 16, 64, 4096}[rnd.nextInt(5)];
                int before = rb.capacity();
                rb.shrink(min);
                assertTrue(rb.capacity() <= before, "shrink grew");
                return "shrink(" + min + ")";
            }
            case 27 -> {
                if (rnd.nextInt(4) != 0) {
                    return "skipped reset";
                }
                if (rnd.nextBoolean()) {
                    rb.reset();
                    m.consume(len);
                    return "reset";
                }
                rb.release();
                m.consume(len);
                assertEquals(0, rb.capacity(), "released capacity");
                return "release";
            }
            case 28 -> {
                rb.retrieveAll();
                m.consume(len);
                return "retrieveAll";
            }
            default -> {
                StringBuilder s = new StringBuilder();
                int chars = rnd.nextInt(40);
                for (int i = 0; i < chars; i++) {
                    s.append((char) (rnd.nextBoolean() ? rnd.nextInt(128) : rnd.nextInt(0x10000)));
                }
                byte[] expected = s.toString().getBytes(StandardCharsets.UTF_8);
                rb.writeString(s, StandardCharsets.UTF_8);
                m.append(expected, 0, expected.length);
                return "writeString of " + chars + " chars";
            }
        }
    }

    private static long get(RingBuffer rb, int offset, int size, boolean le) {
        switch (size) {
            case 1:
                return rb.getByte(offset);
            case 2:
                return le ? rb.getShortLE(offset) : rb.getShort(offset);
            case 4:
                return le ? rb.getIntLE(offset) : rb.getInt(offset);
            default:
                return le ? rb.getLongLE(offset) : rb.getLong(offset);
        }
    }

    @Test
    void modelSelfCheck() {
        Model m = new Model();
        m.append(bytes(100, 0), 0, 100);
        m.consume(40);
        m.append(bytes(100, 100), 0, 100);
        assertEquals(160, m.length());
        assertEquals(40, m.get(0));
        assertEquals(3, m.indexOf(new byte[] {43, 44}, 0));
        assertEquals(-1, m.indexOf(new byte[] {1, 2, 3}, 0));
        m.consume(160);
        assertEquals(0, m.length());
    }
}
