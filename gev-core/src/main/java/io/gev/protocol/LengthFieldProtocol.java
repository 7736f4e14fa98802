package io.gev.protocol;

import io.gev.Connection;
import io.gev.buffer.RingBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Frames whose header holds the length of what follows: {@code [prefix][length][body]}, where the
 * optional prefix is {@link Builder#lengthFieldOffset(int) lengthFieldOffset} bytes the protocol
 * does not interpret (a magic number, a message type) and the length field is 1, 2, 4 or 8 bytes,
 * big- or little-endian, unsigned (8-byte fields: non-negative). The defaults, a 4-byte
 * big-endian length of the body, are the framing of the original gev's example protocol.
 *
 * <p>A frame is {@code headerLength + length + lengthAdjustment} bytes long, where
 * {@code length} is the field's value and {@code headerLength = lengthFieldOffset +
 * lengthFieldLength}, as in Netty's {@code LengthFieldBasedFrameDecoder}: a length that counts the
 * whole frame needs an adjustment of minus the header's size
 * ({@link Builder#lengthIncludesHeader(boolean)} sets it).
 *
 * <p><b>Decoding</b> allocates nothing per frame: the handler gets a view of the body (or, with
 * {@link Builder#stripHeader(boolean) stripHeader(false)}, of the whole frame) and a {@code null}
 * context. The length is checked against {@link Builder#maxFrameLength(int) maxFrameLength} as soon
 * as the header is readable, so a frame that declares too many bytes is rejected before any of
 * them is buffered. Errors are {@link ProtocolException}s: a frame longer than maxFrameLength, a
 * negative 8-byte length, a length too short for the adjustment.
 *
 * <p><b>Packing</b> accepts {@code byte[]}, {@link ByteBuffer} (its remaining bytes, consumed) and
 * {@link CharSequence} (UTF-8) and writes the header before the bytes. By default the message is
 * the body; with {@code stripHeader(false)} it is a whole frame, header included, as the handler
 * receives them, and pack fills in its length field (the rest of the header is the caller's).
 * Without that, a protocol with prefix bytes cannot pack, since it would not know what to put in
 * them. Packing does not enforce maxFrameLength, a limit on what this side accepts; it fails with
 * {@link IllegalArgumentException} when the length does not fit the field.
 *
 * <p>Instances are immutable and shared by every connection and loop; build them with
 * {@link #builder()}.
 */
public final class LengthFieldProtocol implements Protocol<ByteBuffer> {

    /** Default {@link Builder#maxFrameLength(int)}: 1 MiB. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 1024 * 1024;

    /**
     * Field values above this exceed every int limit whatever the adjustment, so the frame length
     * is not computed for them (the sum could overflow).
     */
    private static final long LARGEST_COMPUTED_FIELD = 1L << 32;

    private final int lengthFieldOffset;
    private final int lengthFieldLength;
    private final boolean littleEndian;
    private final int lengthAdjustment;
    private final int maxFrameLength;
    private final boolean stripHeader;
    private final int headerLength;
    /** The largest value the length field holds: 2^(8*size)-1, or Long.MAX_VALUE for 8 bytes. */
    private final long maxFieldValue;

    private LengthFieldProtocol(Builder b) {
        this.lengthFieldOffset = b.lengthFieldOffset;
        this.lengthFieldLength = b.lengthFieldLength;
        this.littleEndian = b.byteOrder == ByteOrder.LITTLE_ENDIAN;
        this.headerLength = b.lengthFieldOffset + b.lengthFieldLength;
        this.lengthAdjustment = b.lengthAdjustment - (b.lengthIncludesHeader ? headerLength : 0);
        this.maxFrameLength = b.maxFrameLength;
        this.stripHeader = b.stripHeader;
        this.maxFieldValue = lengthFieldLength == 8 ? Long.MAX_VALUE : (1L << (8 * lengthFieldLength)) - 1;
    }

    /** A builder with the defaults: 4-byte big-endian length of the body, 1 MiB frames. */
    public static Builder builder() {
        return new Builder();
    }

    /** The largest frame accepted, header included. */
    public int maxFrameLength() {
        return maxFrameLength;
    }

    /** Bytes before the body: the prefix and the length field. */
    public int headerLength() {
        return headerLength;
    }

    @Override
    public boolean unpack(Connection connection, RingBuffer in, Frame<ByteBuffer> frame) {
        int available = in.length();
        if (available < headerLength) {
            return false;
        }
        int frameLength = frameLength(readLengthField(in));
        if (available < frameLength) {
            return false;
        }
        ByteBuffer payload;
        if (stripHeader) {
            in.retrieve(headerLength);
            int bodyLength = frameLength - headerLength;
            payload = in.peekView(bodyLength);
            in.retrieve(bodyLength);
        } else {
            payload = in.peekView(frameLength);
            in.retrieve(frameLength);
        }
        frame.set(null, payload);
        return true;
    }

    private long readLengthField(RingBuffer in) {
        int at = lengthFieldOffset;
        switch (lengthFieldLength) {
            case 1:
                return in.getByte(at) & 0xFFL;
            case 2:
                return (littleEndian ? in.getShortLE(at) : in.getShort(at)) & 0xFFFFL;
            case 4:
                return (littleEndian ? in.getIntLE(at) : in.getInt(at)) & 0xFFFF_FFFFL;
            default:
                return littleEndian ? in.getLongLE(at) : in.getLong(at);
        }
    }

    /** The declared frame length, header included, or a ProtocolException when it is not allowed. */
    private int frameLength(long field) {
        if (field < 0) {
            throw new ProtocolException("negative length field " + field);
        }
        if (field > LARGEST_COMPUTED_FIELD) {
            throw new ProtocolException("length field " + field + " exceeds maxFrameLength " + maxFrameLength);
        }
        long frameLength = field + lengthAdjustment + headerLength;
        if (frameLength > maxFrameLength) {
            throw new ProtocolException("frame length " + frameLength + " (length field " + field
                    + ") exceeds maxFrameLength " + maxFrameLength);
        }
        if (frameLength < headerLength) {
            throw new ProtocolException("length field " + field + " with lengthAdjustment " + lengthAdjustment
                    + " declares a frame of " + frameLength + " bytes, shorter than its " + headerLength
                    + "-byte header");
        }
        return (int) frameLength;
    }

    @Override
    public void pack(Connection connection, Object message, RingBuffer out) {
        // Encode text once: its length is needed before the header is written.
        Object bytes = message instanceof CharSequence
                ? StandardCharsets.UTF_8.encode(CharBuffer.wrap((CharSequence) message))
                : message;
        if (bytes instanceof byte[]) {
            byte[] array = (byte[]) bytes;
            int body = bodyLength(array.length);
            if (stripHeader) {
                writeLengthField(out, body);
                out.write(array);
            } else {
                out.write(array, 0, lengthFieldOffset);
                writeLengthField(out, body);
                out.write(array, headerLength, body);
            }
        } else if (bytes instanceof ByteBuffer) {
            ByteBuffer buffer = (ByteBuffer) bytes;
            int body = bodyLength(buffer.remaining());
            if (stripHeader) {
                writeLengthField(out, body);
                out.write(buffer);
            } else {
                int limit = buffer.limit();
                buffer.limit(buffer.position() + lengthFieldOffset);
                out.write(buffer);
                buffer.limit(limit).position(buffer.position() + lengthFieldLength);
                writeLengthField(out, body);
                out.write(buffer);
            }
        } else {
            throw Protocol.cannotPack(message, RawProtocol.BYTES);
        }
    }

    /** The body length of a message of {@code size} bytes; checks that a whole frame has a header. */
    private int bodyLength(int size) {
        if (stripHeader) {
            if (lengthFieldOffset > 0) {
                throw new IllegalArgumentException("Cannot pack a body: the " + lengthFieldOffset
                        + " bytes before the length field are unknown; use stripHeader(false) and send whole frames");
            }
            return size;
        }
        if (size < headerLength) {
            throw new IllegalArgumentException("A whole frame needs at least the " + headerLength
                    + "-byte header; got " + size + " bytes");
        }
        return size - headerLength;
    }

    private void writeLengthField(RingBuffer out, int bodyLength) {
        long value = (long) bodyLength - lengthAdjustment;
        if (value < 0 || value > maxFieldValue) {
            throw new IllegalArgumentException("A body of " + bodyLength + " bytes needs the length field value "
                    + value + ", which a " + lengthFieldLength + "-byte field cannot hold");
        }
        switch (lengthFieldLength) {
            case 1:
                out.writeByte((int) value);
                break;
            case 2:
                if (littleEndian) {
                    out.writeShortLE((int) value);
                } else {
                    out.writeShort((int) value);
                }
                break;
            case 4:
                if (littleEndian) {
                    out.writeIntLE((int) value);
                } else {
                    out.writeInt((int) value);
                }
                break;
            default:
                if (littleEndian) {
                    out.writeLongLE(value);
                } else {
                    out.writeLong(value);
                }
        }
    }

    @Override
    public String toString() {
        return "LengthFieldProtocol[lengthFieldOffset=" + lengthFieldOffset + ", lengthFieldLength="
                + lengthFieldLength + ", byteOrder=" + (littleEndian ? "LITTLE_ENDIAN" : "BIG_ENDIAN")
                + ", lengthAdjustment=" + lengthAdjustment + ", maxFrameLength=" + maxFrameLength
                + ", stripHeader=" + stripHeader + "]";
    }

    /**
     * Options of a {@link LengthFieldProtocol}. Each setter validates its argument and names it
     * when it is wrong. Not thread-safe; the protocol it builds is.
     */
    public static final class Builder {

        private int lengthFieldOffset;
        private int lengthFieldLength = 4;
        private ByteOrder byteOrder = ByteOrder.BIG_ENDIAN;
        private int lengthAdjustment;
        private boolean lengthIncludesHeader;
        private int maxFrameLength = DEFAULT_MAX_FRAME_LENGTH;
        private boolean stripHeader = true;

        private Builder() {
        }

        /** Bytes of the header before the length field; default 0. */
        public Builder lengthFieldOffset(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("lengthFieldOffset must be >= 0: " + bytes);
            }
            this.lengthFieldOffset = bytes;
            return this;
        }

        /** Size of the length field: 1, 2, 4 (default) or 8 bytes. */
        public Builder lengthFieldLength(int bytes) {
            if (bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8) {
                throw new IllegalArgumentException("lengthFieldLength must be 1, 2, 4 or 8: " + bytes);
            }
            this.lengthFieldLength = bytes;
            return this;
        }

        /** Byte order of the length field; default big-endian. */
        public Builder byteOrder(ByteOrder byteOrder) {
            this.byteOrder = Objects.requireNonNull(byteOrder, "byteOrder");
            return this;
        }

        /**
         * Added to the length field to get the number of bytes after the header; default 0 (the
         * field counts the body).
         */
        public Builder lengthAdjustment(int bytes) {
            this.lengthAdjustment = bytes;
            return this;
        }

        /**
         * Whether the length field counts the whole frame, header included; default
         * {@code false}. {@code true} subtracts the header's size from the length, in addition
         * to {@link #lengthAdjustment(int)}.
         */
        public Builder lengthIncludesHeader(boolean includesHeader) {
            this.lengthIncludesHeader = includesHeader;
            return this;
        }

        /**
         * The largest frame accepted, header included; default 1 MiB. A frame declaring more
         * closes the connection as soon as its header arrives. The server's
         * {@code readBufferLimit} (16 MiB by default) still applies to what is buffered.
         */
        public Builder maxFrameLength(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxFrameLength must be >= 1: " + bytes);
            }
            this.maxFrameLength = bytes;
            return this;
        }

        /**
         * {@code true} (default): handlers get the body and send bodies. {@code false}: they get
         * and send whole frames, header included, and pack fills in the length field.
         */
        public Builder stripHeader(boolean stripHeader) {
            this.stripHeader = stripHeader;
            return this;
        }

        /**
         * Creates the protocol.
         *
         * @throws IllegalArgumentException when the header does not fit in maxFrameLength or the
         *         adjustment overflows
         */
        public LengthFieldProtocol build() {
            long header = (long) lengthFieldOffset + lengthFieldLength;
            if (header > maxFrameLength) {
                throw new IllegalArgumentException("lengthFieldOffset + lengthFieldLength (" + header
                        + ") must not exceed maxFrameLength (" + maxFrameLength + ")");
            }
            long adjustment = lengthAdjustment - (lengthIncludesHeader ? header : 0);
            if (adjustment < Integer.MIN_VALUE) {
                throw new IllegalArgumentException("lengthAdjustment minus the header's size must not overflow: "
                        + adjustment);
            }
            return new LengthFieldProtocol(this);
        }
    }
}
