package io.gev.buffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A growable circular byte buffer: a connection's inbound and outbound bytes (a port of
 * {@code github.com/Allenxuxu/ringbuffer}).
 *
 * <p>Not thread-safe and without locks: use one instance from one thread at a time, the
 * connection's event-loop thread.
 *
 * <p>Writes never fail for lack of room: a write that does not fit replaces the backing buffer
 * with one of at least twice the capacity (a power of two) of the same kind, heap or direct.
 * Multi-byte values are big-endian unless the method name ends in {@code LE}.
 *
 * <p>The {@link ByteBuffer}s returned by {@link #peekSegments}, {@link #peekView} and
 * {@link #writableSegment} are views owned by the ring and reused by later calls, so that steady
 * state allocates nothing; do not keep them beyond the validity each method documents. They are
 * writable: writing through them changes the ring's bytes (for example to unmask a payload in
 * place).
 *
 * <p>The virtual read position ({@link #virtualRead}, {@link #virtualSkip},
 * {@link #virtualFlush}, {@link #virtualRevert}) lets a protocol consume tentatively and give up
 * when a frame is incomplete. It is kept as a distance from the real read position; writes,
 * growth and {@link #shrink} preserve it, and every non-virtual consuming operation
 * ({@code retrieve*}, {@code read*}, {@link #reset}, {@link #release}) puts it back on the real
 * read position.
 */
public final class RingBuffer {

    /**
     * The most views {@link #peekSegments} returns: the bytes up to the end of the backing buffer,
     * and those that wrap around to its start. A gathering write of a ring's bytes (a socket's
     * {@code writev}, an engine's {@code wrap}) therefore never takes more buffers than this.
     */
    public static final int MAX_SEGMENTS = 2;

    /** Larger arrays fail on some VMs even with enough heap. */
    private static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;

    /** Growing a tiny ring byte by byte would reallocate on nearly every early write. */
    private static final int MIN_GROWTH = 64;

    /*
     * Zero-capacity buffers hold nothing, so one per kind can back every empty ring and fill every
     * unused segment slot. They stay writable because a channel refuses to read into a read-only
     * buffer even when it has no room.
     */
    private static final ByteBuffer EMPTY_HEAP = ByteBuffer.allocate(0);
    private static final ByteBuffer EMPTY_DIRECT = ByteBuffer.allocateDirect(0);

    private final boolean direct;
    private ByteBuffer buf;
    private int cap;
    /** Read index; when the ring is empty both indexes are 0, so new data starts contiguous. */
    private int r;
    /** Write index, always below {@code cap} (or 0 when {@code cap} is 0). */
    private int w;
    private int readable;
    /** Distance of the virtual read position from {@code r}. */
    private int virtualOffset;

    // Views over buf, made lazily and dropped whenever buf is replaced.
    private ByteBuffer segment0;
    private ByteBuffer segment1;
    private ByteBuffer view;
    private ByteBuffer writeView;
    /** Holds a wrapped peekView; kept across calls because protocols peek every frame. */
    private ByteBuffer scratch;

    /**
     * Creates a heap ring.
     *
     * @param initialCapacity bytes to allocate now; 0 defers allocation to the first write
     * @throws IllegalArgumentException if {@code initialCapacity} is negative
     */
    public RingBuffer(int initialCapacity) {
        this(initialCapacity, false);
    }

    private RingBuffer(int initialCapacity, boolean direct) {
        if (initialCapacity < 0) {
            throw new IllegalArgumentException("initialCapacity must be >= 0: " + initialCapacity);
        }
        if (initialCapacity > MAX_CAPACITY) {
            throw new IllegalArgumentException(
                    "initialCapacity must be <= " + MAX_CAPACITY + ": " + initialCapacity);
        }
        this.direct = direct;
        this.buf = newBuffer(initialCapacity);
        this.cap = initialCapacity;
    }

    /**
     * Creates a ring backed by heap memory.
     *
     * @throws IllegalArgumentException if {@code initialCapacity} is negative
     */
    public static RingBuffer allocate(int initialCapacity) {
        return new RingBuffer(initialCapacity, false);
    }

    /**
     * Creates a ring backed by direct memory; it stays direct when it grows or shrinks.
     *
     * @throws IllegalArgumentException if {@code initialCapacity} is negative
     */
    public static RingBuffer allocateDirect(int initialCapacity) {
        return new RingBuffer(initialCapacity, true);
    }

    /** Whether the backing memory (and the views handed out) is direct. */
    public boolean isDirect() {
        return direct;
    }

    // ---------------------------------------------------------------------------------- size

    /** The number of readable bytes. */
    public int length() {
        return readable;
    }

    /** The size of the backing buffer. */
    public int capacity() {
        return cap;
    }

    /** The number of bytes that can be written without growing: {@code capacity() - length()}. */
    public int free() {
        return cap - readable;
    }

    /** Whether no bytes are readable. */
    public boolean isEmpty() {
        return readable == 0;
    }

    /** Whether the next write must grow the ring; a ring of capacity 0 is both empty and full. */
    public boolean isFull() {
        return readable == cap;
    }

    // ---------------------------------------------------------------------------------- peek

    /**
     * The byte at the read position, not consumed.
     *
     * @throws IndexOutOfBoundsException if the ring is empty
     */
    public byte peekByte() {
        return getByte(0);
    }

    /**
     * The big-endian short at the read position, not consumed.
     *
     * @throws IndexOutOfBoundsException if fewer than 2 bytes are readable
     */
    public short peekShort() {
        return getShort(0);
    }

    /**
     * The big-endian int at the read position, not consumed.
     *
     * @throws IndexOutOfBoundsException if fewer than 4 bytes are readable
     */
    public int peekInt() {
        return getInt(0);
    }

    /**
     * The big-endian long at the read position, not consumed.
     *
     * @throws IndexOutOfBoundsException if fewer than 8 bytes are readable
     */
    public long peekLong() {
        return getLong(0);
    }

    /**
     * The byte {@code offset} bytes past the read position, not consumed.
     *
     * @throws IndexOutOfBoundsException if {@code offset} is negative or not readable
     */
    public byte getByte(int offset) {
        checkReadable(offset, 1);
        return buf.get(index(offset));
    }

    /**
     * The big-endian short {@code offset} bytes past the read position, not consumed.
     *
     * @throws IndexOutOfBoundsException if {@code offset} is negative or fewer than
     *         {@code offset + 2} bytes are readable
     */
    public short getShort(int offset) {
        checkReadable(offset, 2);
        int i = index(offset);
        return cap - i >= 2 ? buf.getShort(i) : (short) getAcrossEnd(i, 2);
    }

    /**
     * The big-endian int {@code offset} bytes past the read position, not consumed.
     *
     * @throws IndexOutOfBoundsException if {@code offset} is negative or fewer than
     *         {@code offset + 4} bytes are readable
     */
    public int getInt(int offset) {
        checkReadable(offset, 4);
        int i = index(offset);
        return cap - i >= 4 ? buf.getInt(i) : (int) getAcrossEnd(i, 4);
    }

    /**
     * The big-endian long {@code offset} bytes past the read position, not consumed.
     *
     * @throws IndexOutOfBoundsException if {@code offset} is negative or fewer than
     *         {@code offset + 8} bytes are readable
     */
    public long getLong(int offset) {
        checkReadable(offset, 8);
        int i = index(offset);
        return cap - i >= 8 ? buf.getLong(i) : getAcrossEnd(i, 8);
    }

    /**
     * The little-endian short {@code offset} bytes past the read position, not consumed.
     *
     * @throws IndexOutOfBoundsException as {@link #getShort(int)}
     */
    public short getShortLE(int offset) {
        return Short.reverseBytes(getShort(offset));
    }

    /**
     * The little-endian int {@code offset} bytes past the read position, not consumed.
     *
     * @throws IndexOutOfBoundsException as {@link #getInt(int)}
     */
    public int getIntLE(int offset) {
        return Integer.reverseBytes(getInt(offset));
    }

    /**
     * The little-endian long {@code offset} bytes past the read position, not consumed.
     *
     * @throws IndexOutOfBoundsException as {@link #getLong(int)}
     */
    public long getLongLE(int offset) {
        return Long.reverseBytes(getLong(offset));
    }

    /**
     * Copies up to {@code len} readable bytes into {@code dst} without consuming them.
     *
     * @return the number of bytes copied, {@code min(len, length())}
     * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not fit {@code dst}
     */
    public int peek(byte[] dst, int off, int len) {
        Objects.checkFromIndexSize(off, len, dst.length);
        int n = Math.min(len, readable);
        copyOut(0, dst, off, n);
        return n;
    }

    /**
     * Exposes the first {@code min(length, length())} readable bytes, without copying or
     * consuming them, as up to two views for a gathering write: {@code segments[0]} runs from the
     * read position towards the end of the backing buffer, {@code segments[1]} holds the bytes
     * that wrap around to its start. Each view's position..limit is its bytes; unused slots get an
     * empty buffer.
     *
     * <p>The views belong to the ring and are reused; they are valid until the ring is next
     * modified (written, consumed, grown, shrunk, reset).
     *
     * @param segments receives the views; only its first {@link #MAX_SEGMENTS} slots are touched
     * @return the number of non-empty segments: 0, 1 or 2
     * @throws IllegalArgumentException if {@code length} is negative or {@code segments} has fewer
     *         than {@link #MAX_SEGMENTS} slots
     */
    public int peekSegments(int length, ByteBuffer[] segments) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0: " + length);
        }
        if (segments.length < MAX_SEGMENTS) {
            throw new IllegalArgumentException(
                    "segments must have at least " + MAX_SEGMENTS + " slots: " + segments.length);
        }
        int n = Math.min(length, readable);
        ByteBuffer empty = direct ? EMPTY_DIRECT : EMPTY_HEAP;
        if (n == 0) {
            segments[0] = empty;
            segments[1] = empty;
            return 0;
        }
        int first = Math.min(n, cap - r);
        if (segment0 == null) {
            segment0 = buf.duplicate();
        }
        segments[0] = window(segment0, r, first);
        if (first == n) {
            segments[1] = empty;
            return 1;
        }
        if (segment1 == null) {
            segment1 = buf.duplicate();
        }
        segments[1] = window(segment1, 0, n - first);
        return 2;
    }

    /**
     * A contiguous view (position..limit) of the next {@code length} readable bytes, not
     * consumed. Bytes that do not wrap are viewed in place; bytes that wrap are copied into a
     * scratch buffer the ring keeps (and grows) for this purpose.
     *
     * <p>The view belongs to the ring and is reused. It stays valid across consuming operations
     * ({@code retrieve}, {@code read}, virtual ones), so a protocol may peek a payload, consume it
     * and hand the view on; it becomes invalid at the next write (including
     * {@link #writableSegment}), growth, {@link #shrink}, {@link #release}, {@code peekView} or
     * {@link #peekSegments} on this ring.
     *
     * @throws IllegalArgumentException if {@code length} is negative
     * @throws IndexOutOfBoundsException if fewer than {@code length} bytes are readable
     */
    public ByteBuffer peekView(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0: " + length);
        }
        if (length > readable) {
            throw new IndexOutOfBoundsException(
                    "need " + length + " bytes but only " + readable + " are readable");
        }
        int toEnd = cap - r;
        if (length <= toEnd) {
            if (view == null) {
                view = buf.duplicate();
            }
            return window(view, r, length);
        }
        ByteBuffer s = scratch;
        if (s == null || s.capacity() < length) {
            s = newBuffer(roundUp(length));
            scratch = s;
        }
        // The caller may have moved the previous view's limit, which bounds absolute puts too.
        s.clear();
        s.put(0, buf, r, toEnd);
        s.put(toEnd, buf, 0, length - toEnd);
        return window(s, 0, length);
    }

    /** A copy of all readable bytes; nothing is consumed. */
    public byte[] toByteArray() {
        byte[] bytes = new byte[readable];
        copyOut(0, bytes, 0, readable);
        return bytes;
    }

    // ------------------------------------------------------------------------------- consume

    /**
     * Consumes {@code n} bytes.
     *
     * @throws IllegalArgumentException if {@code n} is negative
     * @throws IndexOutOfBoundsException if fewer than {@code n} bytes are readable
     */
    public void retrieve(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0: " + n);
        }
        if (n > readable) {
            throw new IndexOutOfBoundsException(
                    "cannot retrieve " + n + " bytes: only " + readable + " are readable");
        }
        consume(n);
    }

    /** Consumes every readable byte. */
    public void retrieveAll() {
        consume(readable);
    }

    /**
     * Moves up to {@code len} bytes into {@code dst}.
     *
     * @return the number of bytes moved, {@code min(len, length())}
     * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not fit {@code dst}
     */
    public int read(byte[] dst, int off, int len) {
        int n = peek(dst, off, len);
        consume(n);
        return n;
    }

    /**
     * Moves {@code min(dst.remaining(), length())} bytes into {@code dst}, advancing its position.
     *
     * @return the number of bytes moved
     * @throws java.nio.ReadOnlyBufferException if {@code dst} is read-only and bytes are readable
     */
    public int read(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), readable);
        if (n > 0) {
            int pos = dst.position();
            int first = Math.min(n, cap - r);
            dst.put(pos, buf, r, first);
            if (n > first) {
                dst.put(pos + first, buf, 0, n - first);
            }
            dst.position(pos + n);
        }
        consume(n);
        return n;
    }

    /**
     * Consumes {@code n} bytes into a new array.
     *
     * @throws IllegalArgumentException if {@code n} is negative
     * @throws IndexOutOfBoundsException if fewer than {@code n} bytes are readable
     */
    public byte[] readBytes(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0: " + n);
        }
        checkReadable(0, n);
        byte[] bytes = new byte[n];
        copyOut(0, bytes, 0, n);
        consume(n);
        return bytes;
    }

    /**
     * Consumes one byte.
     *
     * @throws IndexOutOfBoundsException if the ring is empty
     */
    public byte readByte() {
        byte v = getByte(0);
        consume(1);
        return v;
    }

    /**
     * Consumes a big-endian short.
     *
     * @throws IndexOutOfBoundsException if fewer than 2 bytes are readable
     */
    public short readShort() {
        short v = getShort(0);
        consume(2);
        return v;
    }

    /**
     * Consumes a big-endian int.
     *
     * @throws IndexOutOfBoundsException if fewer than 4 bytes are readable
     */
    public int readInt() {
        int v = getInt(0);
        consume(4);
        return v;
    }

    /**
     * Consumes a big-endian long.
     *
     * @throws IndexOutOfBoundsException if fewer than 8 bytes are readable
     */
    public long readLong() {
        long v = getLong(0);
        consume(8);
        return v;
    }

    // --------------------------------------------------------------------------------- write

    /** Appends all of {@code src}. */
    public void write(byte[] src) {
        write(src, 0, src.length);
    }

    /**
     * Appends {@code len} bytes of {@code src} from {@code off}.
     *
     * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not fit {@code src}
     */
    public void write(byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        ensureWritable(len);
        int first = Math.min(len, cap - w);
        buf.put(w, src, off, first);
        if (len > first) {
            buf.put(0, src, off + first, len - first);
        }
        advance(len);
    }

    /**
     * Appends the remaining bytes of {@code src} (heap, direct or read-only) and advances its
     * position to its limit, like {@link ByteBuffer#put(ByteBuffer)}.
     */
    public void write(ByteBuffer src) {
        int pos = src.position();
        int n = src.limit() - pos;
        ensureWritable(n);
        append(src, pos, n);
        src.position(pos + n);
    }

    /** Appends a copy of all readable bytes of {@code src}, which is not consumed; may be this. */
    public void write(RingBuffer src) {
        int n = src.readable;
        if (n == 0) {
            return;
        }
        ensureWritable(n);
        // Read src's indexes only now: when src is this ring, growing has just moved them.
        ByteBuffer from = src.buf;
        int start = src.r;
        int first = Math.min(n, src.cap - start);
        append(from, start, first);
        append(from, 0, n - first);
    }

    /** Appends the low 8 bits of {@code b}. */
    public void writeByte(int b) {
        ensureWritable(1);
        buf.put(w, (byte) b);
        advance(1);
    }

    /** Appends the low 16 bits of {@code v}, big-endian. */
    public void writeShort(int v) {
        ensureWritable(2);
        if (cap - w >= 2) {
            buf.putShort(w, (short) v);
        } else {
            putAcrossEnd(v, 2);
        }
        advance(2);
    }

    /** Appends {@code v}, big-endian. */
    public void writeInt(int v) {
        ensureWritable(4);
        if (cap - w >= 4) {
            buf.putInt(w, v);
        } else {
            putAcrossEnd(v, 4);
        }
        advance(4);
    }

    /** Appends {@code v}, big-endian. */
    public void writeLong(long v) {
        ensureWritable(8);
        if (cap - w >= 8) {
            buf.putLong(w, v);
        } else {
            putAcrossEnd(v, 8);
        }
        advance(8);
    }

    /** Appends the low 16 bits of {@code v}, little-endian. */
    public void writeShortLE(int v) {
        writeShort(Short.reverseBytes((short) v));
    }

    /** Appends {@code v}, little-endian. */
    public void writeIntLE(int v) {
        writeInt(Integer.reverseBytes(v));
    }

    /** Appends {@code v}, little-endian. */
    public void writeLongLE(long v) {
        writeLong(Long.reverseBytes(v));
    }

    /**
     * Appends {@code s} encoded in {@code charset}; unpaired surrogates and unmappable characters
     * become the charset's replacement, as {@link String#getBytes(Charset)} does. UTF-8 is
     * encoded straight into the ring without allocating.
     */
    public void writeString(CharSequence s, Charset charset) {
        if (charset.equals(StandardCharsets.UTF_8)) {
            writeUtf8(s);
        } else {
            write(charset.encode(CharBuffer.wrap(s)));
        }
    }

    /**
     * The number of bytes {@link #writeString writeString(s, UTF_8)} appends for {@code s}
     * (an unpaired surrogate counts as the one byte of its replacement {@code ?}), computed
     * without encoding: for protocols that write a text's length before the text.
     *
     * @throws IllegalArgumentException if that is more than {@link Integer#MAX_VALUE} bytes
     */
    public static int utf8Length(CharSequence s) {
        long size = utf8Size(s);
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("text too long: " + size + " bytes in UTF-8");
        }
        return (int) size;
    }

    /**
     * Makes at least {@code minFree} bytes writable in one piece, growing or compacting the ring
     * if needed, and returns a view whose position..limit is the contiguous free region at the
     * write position (at least {@code minFree} bytes; it may be more). Fill it, for example with a
     * channel read, then commit with {@link #advanceWriter(int)}.
     *
     * <p>The view belongs to the ring and is reused; it is valid until the ring is next written,
     * grown or shrunk. Calling this invalidates views from {@link #peekView} and
     * {@link #peekSegments}.
     *
     * @throws IllegalArgumentException if {@code minFree} is negative
     */
    public ByteBuffer writableSegment(int minFree) {
        if (minFree < 0) {
            throw new IllegalArgumentException("minFree must be >= 0: " + minFree);
        }
        if (minFree > cap - readable) {
            grow(minFree);
        } else if (contiguousFree() < minFree) {
            compact();
        }
        if (writeView == null) {
            writeView = buf.duplicate();
        }
        return window(writeView, w, contiguousFree());
    }

    /**
     * Commits {@code n} bytes written into the view returned by {@link #writableSegment(int)}.
     *
     * @throws IllegalArgumentException if {@code n} is negative or larger than that view's region
     */
    public void advanceWriter(int n) {
        int region = contiguousFree();
        if (n < 0 || n > region) {
            throw new IllegalArgumentException(
                    "n must be between 0 and the writable segment's size " + region + ": " + n);
        }
        advance(n);
    }

    // -------------------------------------------------------------------------------- search

    /** The offset from the read position of the first {@code b}, or -1. */
    public int indexOf(byte b) {
        return scan(b, 0, readable);
    }

    /**
     * The offset from the read position of the first {@code b} at or after {@code fromOffset},
     * or -1 (also when {@code fromOffset >= length()}).
     *
     * @throws IndexOutOfBoundsException if {@code fromOffset} is negative
     */
    public int indexOf(byte b, int fromOffset) {
        checkFromOffset(fromOffset);
        return scan(b, fromOffset, readable);
    }

    /**
     * The offset from the read position of the first occurrence of {@code delimiter} starting at
     * or after {@code fromOffset}, or -1. An empty delimiter is found at {@code fromOffset} when
     * that is at most {@code length()}.
     *
     * @throws IndexOutOfBoundsException if {@code fromOffset} is negative
     */
    public int indexOf(byte[] delimiter, int fromOffset) {
        checkFromOffset(fromOffset);
        int d = delimiter.length;
        if (d == 0) {
            return fromOffset <= readable ? fromOffset : -1;
        }
        int lastStart = readable - d;
        byte first = delimiter[0];
        int pos = fromOffset;
        while (pos <= lastStart && (pos = scan(first, pos, lastStart + 1)) >= 0) {
            if (matchesAt(pos, delimiter)) {
                return pos;
            }
            pos++;
        }
        return -1;
    }

    // ------------------------------------------------------------------------------- virtual

    /** The number of bytes readable from the virtual read position. */
    public int virtualLength() {
        return readable - virtualOffset;
    }

    /**
     * Copies up to {@code len} bytes from the virtual read position into {@code dst} and advances
     * only the virtual read position.
     *
     * @return the number of bytes copied, {@code min(len, virtualLength())}
     * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not fit {@code dst}
     */
    public int virtualRead(byte[] dst, int off, int len) {
        Objects.checkFromIndexSize(off, len, dst.length);
        int n = Math.min(len, readable - virtualOffset);
        copyOut(virtualOffset, dst, off, n);
        virtualOffset += n;
        return n;
    }

    /**
     * Advances the virtual read position by {@code n} bytes.
     *
     * @throws IllegalArgumentException if {@code n} is negative
     * @throws IndexOutOfBoundsException if fewer than {@code n} bytes are virtually readable
     */
    public void virtualSkip(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0: " + n);
        }
        if (n > readable - virtualOffset) {
            throw new IndexOutOfBoundsException("cannot skip " + n + " bytes: only "
                    + (readable - virtualOffset) + " are virtually readable");
        }
        virtualOffset += n;
    }

    /** Consumes the bytes read virtually: the real read position moves to the virtual one. */
    public void virtualFlush() {
        consume(virtualOffset);
    }

    /** Forgets the virtual reads: the virtual read position moves back to the real one. */
    public void virtualRevert() {
        virtualOffset = 0;
    }

    // --------------------------------------------------------------------------- maintenance

    /** Empties the ring, keeping its memory (not zeroed). */
    public void reset() {
        consume(readable);
    }

    /**
     * Gives memory back: if the capacity exceeds {@code max(minCapacity, length() rounded up to a
     * power of two)}, moves the content into a new buffer of that size. Also drops the
     * {@link #peekView} scratch buffer if it is larger than that. Invalidates the views handed
     * out.
     *
     * @throws IllegalArgumentException if {@code minCapacity} is negative
     */
    public void shrink(int minCapacity) {
        if (minCapacity < 0) {
            throw new IllegalArgumentException("minCapacity must be >= 0: " + minCapacity);
        }
        int target = Math.max(minCapacity, roundUp(readable));
        if (scratch != null && scratch.capacity() > target) {
            scratch = null;
        }
        if (cap > target) {
            relocate(target);
        }
    }

    /**
     * Empties the ring and drops all its memory (capacity becomes 0); it stays usable and
     * allocates again on the next write.
     */
    public void release() {
        consume(readable);
        buf = newBuffer(0);
        cap = 0;
        scratch = null;
        dropViews();
    }

    @Override
    public String toString() {
        return "RingBuffer[length=" + readable + ", capacity=" + cap + ", direct=" + direct + "]";
    }

    // ------------------------------------------------------------------------------ internals

    private ByteBuffer newBuffer(int capacity) {
        if (capacity == 0) {
            return direct ? EMPTY_DIRECT : EMPTY_HEAP;
        }
        return direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
    }

    /** The smallest power of two >= {@code n}, or {@link #MAX_CAPACITY} above 2^30. */
    private static int roundUp(int n) {
        if (n > 1 << 30) {
            return MAX_CAPACITY;
        }
        return n <= 1 ? n : Integer.highestOneBit(n - 1) << 1;
    }

    /** Physical index of the readable byte at {@code offset}; requires offset < cap. */
    private int index(int offset) {
        int toEnd = cap - r;
        return offset < toEnd ? r + offset : offset - toEnd;
    }

    private void checkReadable(int offset, int size) {
        if (offset < 0) {
            throw new IndexOutOfBoundsException("offset must be >= 0: " + offset);
        }
        if (size > readable - offset) {
            throw new IndexOutOfBoundsException("need " + size + " bytes at offset " + offset
                    + " but only " + readable + " are readable");
        }
    }

    private static void checkFromOffset(int fromOffset) {
        if (fromOffset < 0) {
            throw new IndexOutOfBoundsException("fromOffset must be >= 0: " + fromOffset);
        }
    }

    private long getAcrossEnd(int i, int size) {
        long v = 0;
        for (int k = 0; k < size; k++) {
            v = (v << 8) | (buf.get(i) & 0xFF);
            if (++i == cap) {
                i = 0;
            }
        }
        return v;
    }

    private void putAcrossEnd(long v, int size) {
        int i = w;
        for (int shift = (size - 1) * 8; shift >= 0; shift -= 8) {
            buf.put(i, (byte) (v >>> shift));
            if (++i == cap) {
                i = 0;
            }
        }
    }

    /** Copies {@code n} readable bytes starting {@code offset} past the read position. */
    private void copyOut(int offset, byte[] dst, int off, int n) {
        if (n == 0) {
            return;
        }
        int i = index(offset);
        int first = Math.min(n, cap - i);
        buf.get(i, dst, off, first);
        if (n > first) {
            buf.get(0, dst, off + first, n - first);
        }
    }

    private void consume(int n) {
        virtualOffset = 0;
        readable -= n;
        if (readable == 0) {
            r = 0;
            w = 0;
        } else {
            int toEnd = cap - r;
            r = n < toEnd ? r + n : n - toEnd;
        }
    }

    /** Commits {@code n} bytes already stored at the write position. */
    private void advance(int n) {
        readable += n;
        int toEnd = cap - w;
        w = n < toEnd ? w + n : n - toEnd;
    }

    /** Stores {@code n} bytes of {@code src} from {@code index} at the write position. */
    private void append(ByteBuffer src, int index, int n) {
        int first = Math.min(n, cap - w);
        buf.put(w, src, index, first);
        if (n > first) {
            buf.put(0, src, index + first, n - first);
        }
        advance(n);
    }

    private void ensureWritable(int n) {
        if (n > cap - readable) {
            grow(n);
        }
    }

    private void grow(int n) {
        if (n > MAX_CAPACITY - readable) {
            throw new IllegalStateException("cannot write " + n + " bytes: " + readable
                    + " are buffered and a RingBuffer holds at most " + MAX_CAPACITY);
        }
        int doubled = cap > MAX_CAPACITY / 2 ? MAX_CAPACITY : cap * 2;
        relocate(roundUp(Math.max(readable + n, Math.max(doubled, MIN_GROWTH))));
    }

    /** Moves the content to index 0 of a new buffer of {@code newCap} >= readable bytes. */
    private void relocate(int newCap) {
        ByteBuffer target = newBuffer(newCap);
        if (readable > 0) {
            int first = Math.min(readable, cap - r);
            target.put(0, buf, r, first);
            if (readable > first) {
                target.put(first, buf, 0, readable - first);
            }
        }
        buf = target;
        cap = newCap;
        r = 0;
        w = readable == newCap ? 0 : readable;
        dropViews();
    }

    private void dropViews() {
        segment0 = null;
        segment1 = null;
        view = null;
        writeView = null;
    }

    /** The size of the free region that starts at the write position. */
    private int contiguousFree() {
        if (readable == cap) {
            return 0;
        }
        return w < r ? r - w : cap - w;
    }

    /**
     * Moves unwrapped content [r, w) to index 0 so that all free space follows it; cheaper than
     * growing when a few leftover bytes sit in the middle of the buffer.
     */
    private void compact() {
        // The regions may overlap, which the absolute bulk put specifies to handle (since 16).
        buf.put(0, buf, r, readable);
        r = 0;
        w = readable;
    }

    private static ByteBuffer window(ByteBuffer b, int from, int length) {
        b.clear();
        b.limit(from + length);
        b.position(from);
        b.order(ByteOrder.BIG_ENDIAN);
        return b;
    }

    /** The UTF-8 size of {@code s} as {@link #writeString} encodes it. */
    private static long utf8Size(CharSequence s) {
        int chars = s.length();
        long size = 0;
        for (int k = 0; k < chars; k++) {
            char c = s.charAt(k);
            if (c < 0x80) {
                size += 1;
            } else if (c < 0x800) {
                size += 2;
            } else if (!Character.isSurrogate(c)) {
                size += 3;
            } else if (Character.isHighSurrogate(c) && k + 1 < chars
                    && Character.isLowSurrogate(s.charAt(k + 1))) {
                size += 4;
                k++;
            } else {
                size += 1;
            }
        }
        return size;
    }

    private void writeUtf8(CharSequence s) {
        int chars = s.length();
        int n = (int) Math.min(utf8Size(s), Integer.MAX_VALUE);
        ensureWritable(n);
        int i = w;
        for (int k = 0; k < chars; k++) {
            char c = s.charAt(k);
            if (c < 0x80) {
                i = putAt(i, c);
            } else if (c < 0x800) {
                i = putAt(i, 0xC0 | (c >> 6));
                i = putAt(i, 0x80 | (c & 0x3F));
            } else if (!Character.isSurrogate(c)) {
                i = putAt(i, 0xE0 | (c >> 12));
                i = putAt(i, 0x80 | ((c >> 6) & 0x3F));
                i = putAt(i, 0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && k + 1 < chars
                    && Character.isLowSurrogate(s.charAt(k + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++k));
                i = putAt(i, 0xF0 | (cp >> 18));
                i = putAt(i, 0x80 | ((cp >> 12) & 0x3F));
                i = putAt(i, 0x80 | ((cp >> 6) & 0x3F));
                i = putAt(i, 0x80 | (cp & 0x3F));
            } else {
                i = putAt(i, '?');
            }
        }
        advance(n);
    }

    private int putAt(int i, int b) {
        buf.put(i, (byte) b);
        return ++i == cap ? 0 : i;
    }

    /** Offset of the first {@code b} among readable offsets [from, to), scanning two runs. */
    private int scan(byte b, int from, int to) {
        if (from >= to) {
            return -1;
        }
        int toEnd = cap - r;
        if (from < toEnd) {
            int i = scanPhysical(b, r + from, r + Math.min(to, toEnd));
            if (i >= 0) {
                return i - r;
            }
        }
        if (to > toEnd) {
            int i = scanPhysical(b, Math.max(from, toEnd) - toEnd, to - toEnd);
            if (i >= 0) {
                return i + toEnd;
            }
        }
        return -1;
    }

    private int scanPhysical(byte b, int from, int to) {
        ByteBuffer bb = buf;
        if (bb.hasArray()) {
            byte[] a = bb.array();
            int base = bb.arrayOffset();
            for (int i = from + base, end = to + base; i < end; i++) {
                if (a[i] == b) {
                    return i - base;
                }
            }
            return -1;
        }
        for (int i = from; i < to; i++) {
            if (bb.get(i) == b) {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code delimiter} (non-empty, fully readable from pos) starts at {@code pos}. */
    private boolean matchesAt(int pos, byte[] delimiter) {
        int i = index(pos);
        for (int k = 1; k < delimiter.length; k++) {
            if (++i == cap) {
                i = 0;
            }
            if (buf.get(i) != delimiter[k]) {
                return false;
            }
        }
        return true;
    }
}
