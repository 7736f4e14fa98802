package io.gev.protocol;

import io.gev.Connection;
import io.gev.buffer.RingBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Frames ending with a delimiter: lines of a text protocol ({@code \n} by default, or
 * {@code \r\n}, or any byte sequence).
 *
 * <p><b>Decoding</b> allocates nothing per line: the handler gets a view of the line, without the
 * delimiter unless {@link Builder#stripDelimiter(boolean) stripDelimiter(false)}, and a
 * {@code null} context. A line longer than {@link Builder#maxLineLength(int) maxLineLength}
 * (delimiter excluded) is a {@link ProtocolException}, thrown as soon as that many bytes (plus the
 * delimiter's length) are buffered without a delimiter, so a peer that never ends its line cannot
 * make the connection buffer more. Each byte is searched once: the connection's
 * {@link Connection#protocolState() protocol state} remembers how far an incomplete line was
 * scanned, so a line that arrives byte by byte costs linear, not quadratic, time. The delimiter is
 * matched on bytes, so any ASCII-compatible encoding such as UTF-8 works.
 *
 * <p><b>Packing</b> writes the message ({@code byte[]}, {@link ByteBuffer} or
 * {@link CharSequence} in UTF-8) followed by the delimiter; it does not check that the message is
 * free of delimiters.
 *
 * <p>Instances are immutable and shared by every connection and loop; build them with
 * {@link #builder()}.
 */
public final class LineProtocol implements Protocol<ByteBuffer> {

    /** Default {@link Builder#maxLineLength(int)}: 64 KiB. */
    public static final int DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

    private final byte[] delimiter;
    private final boolean stripDelimiter;
    private final int maxLineLength;

    private LineProtocol(Builder b) {
        this.delimiter = b.delimiter.clone();
        this.stripDelimiter = b.stripDelimiter;
        this.maxLineLength = b.maxLineLength;
    }

    /** A builder with the defaults: {@code \n}, stripped, lines of up to 64 KiB. */
    public static Builder builder() {
        return new Builder();
    }

    /** The longest line accepted, delimiter excluded. */
    public int maxLineLength() {
        return maxLineLength;
    }

    /** How far the incomplete line at the front of a connection's buffer has been searched. */
    private static final class ScanState {
        /** The first offset at which the delimiter may still start. */
        int resumeAt;
    }

    @Override
    public boolean unpack(Connection connection, RingBuffer in, Frame<ByteBuffer> frame) {
        int available = in.length();
        ScanState state = connection.protocolState();
        // Bytes before resumeAt were searched by an earlier call; the buffer only grew since, from
        // the same first byte (gev moves the unconsumed bytes, never part of them). Searching from
        // the start on every read instead would let a peer that trickles a 64 KiB line byte by
        // byte cost 2^31 comparisons: a cheap way to burn a loop's time.
        int from = state == null ? 0 : Math.min(state.resumeAt, available);
        int at = delimiter.length == 1 ? in.indexOf(delimiter[0], from) : in.indexOf(delimiter, from);
        if (at < 0 || at > maxLineLength) {
            if (at > maxLineLength || available >= maxLineLength + delimiter.length) {
                throw new ProtocolException("no " + printable(delimiter) + " within "
                        + (maxLineLength + delimiter.length) + " bytes: line exceeds maxLineLength " + maxLineLength);
            }
            int resumeAt = Math.max(0, available - delimiter.length + 1);
            if (state == null && resumeAt > 0) {
                // Once per connection, and only for one that ever sends a line in pieces.
                state = new ScanState();
                connection.setProtocolState(state);
            }
            if (state != null) {
                state.resumeAt = resumeAt;
            }
            return false;
        }
        if (state != null) {
            state.resumeAt = 0;
        }
        int lineLength = stripDelimiter ? at : at + delimiter.length;
        ByteBuffer payload = in.peekView(lineLength);
        in.retrieve(at + delimiter.length);
        frame.set(null, payload);
        return true;
    }

    @Override
    public void pack(Connection connection, Object message, RingBuffer out) {
        RawProtocol.writeBytes(message, out);
        out.write(delimiter);
    }

    @Override
    public String toString() {
        return "LineProtocol[delimiter=" + printable(delimiter) + ", stripDelimiter=" + stripDelimiter
                + ", maxLineLength=" + maxLineLength + "]";
    }

    /** The delimiter with control bytes escaped, for messages: {@code \r\n}. */
    private static String printable(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            if (b == '\n') {
                s.append("\\n");
            } else if (b == '\r') {
                s.append("\\r");
            } else if (b >= 0x20 && b < 0x7F) {
                s.append((char) b);
            } else {
                s.append(String.format("\\x%02x", b & 0xFF));
            }
        }
        return s.toString();
    }

    /**
     * Options of a {@link LineProtocol}. Each setter validates its argument and names it when it
     * is wrong. Not thread-safe; the protocol it builds is.
     */
    public static final class Builder {

        private byte[] delimiter = {'\n'};
        private boolean stripDelimiter = true;
        private int maxLineLength = DEFAULT_MAX_LINE_LENGTH;

        private Builder() {
        }

        /** The bytes that end a line, at least one; default {@code \n}. The array is copied. */
        public Builder delimiter(byte... delimiter) {
            Objects.requireNonNull(delimiter, "delimiter");
            if (delimiter.length == 0) {
                throw new IllegalArgumentException("delimiter must not be empty");
            }
            this.delimiter = delimiter.clone();
            return this;
        }

        /** The text that ends a line, in UTF-8, for example {@code "\r\n"}. */
        public Builder delimiter(String delimiter) {
            Objects.requireNonNull(delimiter, "delimiter");
            return delimiter(delimiter.getBytes(StandardCharsets.UTF_8));
        }

        /** Whether handlers get lines without the delimiter; default {@code true}. */
        public Builder stripDelimiter(boolean stripDelimiter) {
            this.stripDelimiter = stripDelimiter;
            return this;
        }

        /** The longest line accepted, delimiter excluded; default 64 KiB. */
        public Builder maxLineLength(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxLineLength must be >= 1: " + bytes);
            }
            this.maxLineLength = bytes;
            return this;
        }

        /**
         * Creates the protocol.
         *
         * @throws IllegalArgumentException when maxLineLength plus the delimiter overflows an int
         */
        public LineProtocol build() {
            if ((long) maxLineLength + delimiter.length > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("maxLineLength + the delimiter's length must fit an int: "
                        + maxLineLength + " + " + delimiter.length);
            }
            return new LineProtocol(this);
        }
    }
}
