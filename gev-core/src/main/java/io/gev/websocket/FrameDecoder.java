package io.gev.websocket;

import io.gev.buffer.RingBuffer;
import io.netty.util.internal.PlatformDependent;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decodes the frames a client sends (RFC 6455 section 5) into messages and control frames, one
 * connection's worth, and enforces the protocol's rules and the size limits.
 *
 * <p>An unfragmented, uncompressed frame is unmasked in place and handed out as a view of the
 * input ring: no copy, no allocation. While such a text frame arrives, the bytes that came are
 * unmasked and validated in place, so invalid UTF-8 fails with the segment that carries it. A
 * frame larger than {@link #STREAM_THRESHOLD} and every
 * fragment of a fragmented or compressed message is consumed as its bytes arrive into a message
 * buffer of the connection's own, so the input ring stays small, a text message is validated as
 * it arrives (failing at its first invalid byte) and a zip bomb stops at the message limit.
 *
 * <p>Every rule fails at the byte that breaks it: an opcode or reserved bit at the frame's first
 * byte, a missing mask or an oversized control frame at its second, a length over a limit at the
 * end of the length field.
 *
 * <p>{@link #decode} is called again after each result; a view it returned is valid until then.
 */
final class FrameDecoder {

    static final int NEED_MORE = 0;
    static final int MESSAGE = 1;
    static final int PING = 2;
    static final int PONG = 3;
    static final int CLOSE = 4;

    static final int OP_CONTINUATION = 0x0;
    static final int OP_TEXT = 0x1;
    static final int OP_BINARY = 0x2;
    static final int OP_CLOSE = 0x8;
    static final int OP_PING = 0x9;
    static final int OP_PONG = 0xA;

    /** Single frames up to this size wait whole in the input ring, to be delivered without a copy. */
    static final int STREAM_THRESHOLD = 64 * 1024;
    /** A message buffer that grew beyond this is dropped after its message, not kept. */
    private static final int KEEP_ASSEMBLY = 64 * 1024;
    private static final int INFLATE_STEP = 64 * 1024;
    private static final int MIN_INFLATE_ROOM = 4 * 1024;

    /** Whether direct buffers can be unmasked through their raw address (Netty found sun.misc.Unsafe). */
    private static final boolean UNSAFE_DIRECT = PlatformDependent.hasUnsafe();
    private static final boolean NATIVE_LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** Frames come from a server, unmasked; a client's come masked. */
    private final boolean fromServer;
    private final int maxFrameSize;
    /**
     * A compressed frame may be larger than the data it carries: deflate adds a few bytes per block
     * to data it cannot compress, so a client that compresses every message (as browsers do) sends
     * an incompressible message of maxFrameSize bytes in a slightly larger frame. Such frames are
     * accepted up to zlib's bound for maxFrameSize bytes; what they inflate to is held to
     * maxMessageSize as it is inflated.
     */
    private final int maxCompressedFrameSize;
    private final int maxMessageSize;
    private final PerMessageDeflate deflate;

    // The frame whose payload is being streamed.
    private boolean inFrame;
    private boolean fin;
    private long remaining;
    private int mask;
    private long maskOffset;

    // The fragmented, streamed or compressed message being assembled; opcode 0 when none.
    private int messageOpcode;
    private boolean compressed;
    private int utf8 = Utf8Validator.ACCEPT;
    private long messageSize;
    private RingBuffer assembly;
    private boolean delivered;

    // The unfragmented text frame waiting whole in the input: payload bytes already unmasked and
    // validated, and the validator's state after them.
    private int waited;
    private int waitedUtf8 = Utf8Validator.ACCEPT;
    private final ByteBuffer[] segments = new ByteBuffer[RingBuffer.MAX_SEGMENTS];

    // The result of the last decode.
    private int opcode;
    private ByteBuffer payload;
    private int closeCode;
    private String closeReason;

    FrameDecoder(int maxFrameSize, int maxMessageSize, PerMessageDeflate deflate) {
        this(maxFrameSize, maxMessageSize, deflate, false);
    }

    /**
     * A decoder of what a server sends when {@code fromServer} (a client's: frames must come
     * unmasked, RFC 6455 section 5.1), else of what a client sends (masked).
     */
    FrameDecoder(int maxFrameSize, int maxMessageSize, PerMessageDeflate deflate, boolean fromServer) {
        this.fromServer = fromServer;
        this.maxFrameSize = maxFrameSize;
        this.maxCompressedFrameSize = PerMessageDeflate.bound(maxFrameSize);
        this.maxMessageSize = maxMessageSize;
        this.deflate = deflate;
    }

    /** The opcode of the last {@link #MESSAGE}: {@link #OP_TEXT} or {@link #OP_BINARY}. */
    int opcode() {
        return opcode;
    }

    /** The payload of the last message or control frame, unmasked, valid until the next decode. */
    ByteBuffer payload() {
        return payload;
    }

    /** The code of the last {@link #CLOSE}: the peer's, or {@link CloseStatus#NO_STATUS_RECEIVED}. */
    int closeCode() {
        return closeCode;
    }

    /** The reason of the last {@link #CLOSE}, possibly empty. */
    String closeReason() {
        return closeReason;
    }

    /**
     * Consumes bytes of {@code in} up to the next complete message or control frame.
     *
     * @return {@link #NEED_MORE}, {@link #MESSAGE}, {@link #PING}, {@link #PONG} or {@link #CLOSE}
     * @throws WebSocketException with the close code to fail the connection with
     */
    int decode(RingBuffer in) {
        if (delivered) {
            delivered = false;
            if (assembly.capacity() > KEEP_ASSEMBLY) {
                assembly.release();
            } else {
                assembly.reset();
            }
        }
        while (true) {
            if (inFrame) {
                int n = (int) Math.min(remaining, in.length());
                if (n == 0) {
                    return NEED_MORE;
                }
                ByteBuffer chunk = in.peekView(n);
                unmask(chunk, mask, maskOffset);
                maskOffset += n;
                append(chunk);
                in.retrieve(n);
                remaining -= n;
                if (remaining > 0) {
                    return NEED_MORE;
                }
                inFrame = false;
                if (fin) {
                    return finishMessage();
                }
                continue;
            }
            int available = in.length();
            if (available == 0) {
                return NEED_MORE;
            }
            // Each rule fails as soon as the byte that breaks it arrives, not when the frame is complete.
            int b0 = in.getByte(0) & 0xFF;
            boolean finalFrame = (b0 & 0x80) != 0;
            int rsv = b0 & 0x70;
            int op = b0 & 0x0F;
            boolean control = (op & 0x08) != 0;
            if (op > OP_BINARY && op != OP_CLOSE && op != OP_PING && op != OP_PONG) {
                throw protocolError("reserved opcode 0x" + Integer.toHexString(op));
            }
            if (rsv != 0 && (rsv != 0x40 || deflate == null || control || op == OP_CONTINUATION)) {
                throw protocolError("reserved bits 0x" + Integer.toHexString(rsv >> 4) + " set on opcode 0x"
                        + Integer.toHexString(op) + (deflate == null ? " without a negotiated extension" : ""));
            }
            if (control) {
                if (!finalFrame) {
                    throw protocolError("fragmented control frame");
                }
            } else if (op == OP_CONTINUATION) {
                if (messageOpcode == 0) {
                    throw protocolError("continuation frame without a message to continue");
                }
            } else if (messageOpcode != 0) {
                throw protocolError("new data frame before the fragmented message ended");
            }
            if (available < 2) {
                return NEED_MORE;
            }
            int b1 = in.getByte(1) & 0xFF;
            int len7 = b1 & 0x7F;
            if ((b1 & 0x80) == 0 && !fromServer) {
                throw protocolError("unmasked frame from a client");
            }
            if ((b1 & 0x80) != 0 && fromServer) {
                throw protocolError("masked frame from a server");
            }
            if (control && len7 > 125) {
                throw protocolError("control frame payload longer than 125 bytes");
            }
            if (op == OP_CLOSE && len7 == 1) {
                throw protocolError("close frame with a 1-byte payload");
            }
            if (len7 == 127 && available > 2 && in.getByte(2) < 0) {
                throw protocolError("64-bit payload length with the most significant bit set");
            }
            int lengthEnd = len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
            if (available < lengthEnd) {
                return NEED_MORE;
            }
            long length = len7 == 126 ? in.getShort(2) & 0xFFFF : len7 == 127 ? in.getLong(2) : len7;
            if ((len7 == 126 && length < 126) || (len7 == 127 && length < 65536)) {
                // RFC 6455 5.2: "the minimal number of bytes MUST be used to encode the length".
                throw protocolError("payload length " + length + " not in its minimal encoding");
            }
            boolean deflated = rsv != 0 || (op == OP_CONTINUATION && compressed);
            if (length > (deflated ? maxCompressedFrameSize : maxFrameSize)) {
                throw new WebSocketException(CloseStatus.MESSAGE_TOO_BIG, "frame of " + length
                        + " bytes exceeds maxFrameSize " + maxFrameSize
                        + (deflated ? " (" + maxCompressedFrameSize + " compressed)" : ""));
            }
            long sizeSoFar = op == OP_CONTINUATION ? messageSize : 0;
            if (!deflated && sizeSoFar + length > maxMessageSize) {
                throw new WebSocketException(CloseStatus.MESSAGE_TOO_BIG,
                        "message of " + (sizeSoFar + length) + "+ bytes exceeds maxMessageSize " + maxMessageSize);
            }
            int headerLength = fromServer ? lengthEnd : lengthEnd + 4;
            if (available < headerLength) {
                return NEED_MORE;
            }
            // A server's frames have no key: unmasking with 0 leaves them as they are.
            int key = fromServer ? 0 : in.getInt(lengthEnd);
            boolean whole = available - headerLength >= length;
            if (control) {
                if (!whole) {
                    return NEED_MORE;
                }
                return control(in, op, headerLength, (int) length, key);
            }
            if (op != OP_CONTINUATION) {
                if (finalFrame && !deflated) {
                    if (whole) {
                        return wholeFrame(in, op, headerLength, (int) length, key);
                    }
                    if (length <= STREAM_THRESHOLD) {
                        if (op == OP_TEXT) {
                            checkWaiting(in, headerLength, available - headerLength, key);
                        }
                        return NEED_MORE;
                    }
                }
                messageOpcode = op;
                compressed = deflated;
                utf8 = Utf8Validator.ACCEPT;
                messageSize = 0;
            }
            in.retrieve(headerLength);
            fin = finalFrame;
            remaining = length;
            mask = key;
            maskOffset = 0;
            inFrame = length > 0;
            if (!inFrame && finalFrame) {
                return finishMessage();
            }
        }
    }

    /** Hands out an unfragmented frame that arrived whole as a view of {@code in}, unmasked in place. */
    private int wholeFrame(RingBuffer in, int op, int headerLength, int length, int key) {
        // What checkWaiting unmasked and validated while the frame arrived is not done again.
        int done = waited;
        int state = waitedUtf8;
        waited = 0;
        waitedUtf8 = Utf8Validator.ACCEPT;
        in.retrieve(headerLength);
        ByteBuffer view = in.peekView(length);
        int start = view.position();
        view.position(start + done);
        unmask(view, key, done);
        view.position(start);
        if (op == OP_TEXT && Utf8Validator.validate(state, view, start + done, start + length) != Utf8Validator.ACCEPT) {
            throw invalidUtf8();
        }
        in.retrieve(length);
        opcode = op;
        payload = view;
        return MESSAGE;
    }

    /**
     * Unmasks in place and validates the payload bytes of a waiting text frame that arrived since
     * the last call, so invalid UTF-8 fails when its segment arrives, not when the frame completes.
     * The frame's header stays at the front of {@code in} until then; the bytes may move (from the
     * loop's buffer into the connection's, or as the ring grows), but keep their order.
     */
    private void checkWaiting(RingBuffer in, int headerLength, int arrived, int key) {
        if (arrived <= waited) {
            return;
        }
        ByteBuffer[] segments = this.segments;
        // Views of the ring itself: peekView would copy wrapped bytes, and unmask the copy.
        int count = in.peekSegments(headerLength + arrived, segments);
        int skip = headerLength + waited;
        long offset = waited;
        for (int i = 0; i < count; i++) {
            ByteBuffer s = segments[i];
            int from = s.position() + skip;
            if (from >= s.limit()) {
                skip = from - s.limit();
                continue;
            }
            skip = 0;
            s.position(from);
            unmask(s, key, offset);
            offset += s.limit() - from;
            waitedUtf8 = Utf8Validator.validate(waitedUtf8, s, from, s.limit());
            if (waitedUtf8 == Utf8Validator.REJECT) {
                throw invalidUtf8();
            }
        }
        waited = arrived;
    }

    private int control(RingBuffer in, int op, int headerLength, int length, int key) {
        in.retrieve(headerLength);
        ByteBuffer view = in.peekView(length);
        unmask(view, key, 0);
        in.retrieve(length);
        payload = view;
        if (op == OP_PING) {
            return PING;
        }
        if (op == OP_PONG) {
            return PONG;
        }
        if (length == 0) {
            closeCode = CloseStatus.NO_STATUS_RECEIVED;
            closeReason = "";
        } else { // a 1-byte payload failed at its header
            int code = view.getShort(view.position()) & 0xFFFF;
            if (!CloseStatus.isValidCode(code)) {
                throw protocolError("invalid close code " + code);
            }
            int from = view.position() + 2;
            if (Utf8Validator.validate(Utf8Validator.ACCEPT, view, from, view.limit()) != Utf8Validator.ACCEPT) {
                throw new WebSocketException(CloseStatus.INVALID_PAYLOAD, "close reason is not valid UTF-8");
            }
            byte[] reason = new byte[length - 2];
            view.get(from, reason);
            closeCode = code;
            closeReason = new String(reason, StandardCharsets.UTF_8);
        }
        return CLOSE;
    }

    /** Adds an unmasked chunk of the current message's payload to the message buffer. */
    private void append(ByteBuffer chunk) {
        if (compressed) {
            Inflater inflater = deflate.inflater();
            inflater.setInput(chunk);
            inflate(inflater);
            return;
        }
        if (messageOpcode == OP_TEXT) {
            checkUtf8(chunk, chunk.position(), chunk.limit());
        }
        messageSize += chunk.remaining();
        assembly().write(chunk);
    }

    private int finishMessage() {
        if (compressed) {
            Inflater inflater = deflate.inflater();
            inflater.setInput(PerMessageDeflate.TAIL);
            inflate(inflater);
            if (deflate.clientNoContextTakeover || inflater.finished()) {
                inflater.reset();
            }
        }
        if (messageOpcode == OP_TEXT && utf8 != Utf8Validator.ACCEPT) {
            throw invalidUtf8();
        }
        opcode = messageOpcode;
        messageOpcode = 0;
        RingBuffer a = assembly();
        payload = a.peekView(a.length());
        delivered = true;
        return MESSAGE;
    }

    /** Inflates all input given to {@code inflater} into the message buffer, within the message limit. */
    private void inflate(Inflater inflater) {
        RingBuffer out = assembly();
        while (!inflater.finished()) {
            long budget = maxMessageSize - messageSize;
            // Fill the room the buffer has and grow it only when little is left: asking for a whole
            // step each call grew every message's buffer past KEEP_ASSEMBLY, to be dropped after it.
            int room = out.free() >= MIN_INFLATE_ROOM ? out.free() : INFLATE_STEP;
            ByteBuffer segment = out.writableSegment((int) Math.min(room, budget + 1));
            int start = segment.position();
            // One byte over the budget is enough to know the message is too big.
            segment.limit((int) Math.min(segment.limit(), start + budget + 1));
            int n;
            try {
                n = inflater.inflate(segment);
            } catch (DataFormatException e) {
                throw new WebSocketException(CloseStatus.INVALID_PAYLOAD, "invalid compressed data: " + e.getMessage());
            }
            if (n == 0) {
                if (inflater.needsInput() || inflater.finished()) {
                    return;
                }
                throw new WebSocketException(CloseStatus.INVALID_PAYLOAD, "compressed data needs a preset dictionary");
            }
            if (messageSize + n > maxMessageSize) {
                throw new WebSocketException(CloseStatus.MESSAGE_TOO_BIG,
                        "message exceeds maxMessageSize " + maxMessageSize + " once decompressed");
            }
            if (messageOpcode == OP_TEXT) {
                checkUtf8(segment, start, start + n);
            }
            out.advanceWriter(n);
            messageSize += n;
        }
    }

    private void checkUtf8(ByteBuffer bytes, int from, int to) {
        utf8 = Utf8Validator.validate(utf8, bytes, from, to);
        if (utf8 == Utf8Validator.REJECT) {
            throw invalidUtf8();
        }
    }

    private RingBuffer assembly() {
        if (assembly == null) {
            assembly = RingBuffer.allocate(0);
        }
        return assembly;
    }

    /** Forgets the message buffer; the connection is closing. */
    void release() {
        assembly = null;
        payload = null;
    }

    private static WebSocketException protocolError(String message) {
        return new WebSocketException(CloseStatus.PROTOCOL_ERROR, message);
    }

    private static WebSocketException invalidUtf8() {
        return new WebSocketException(CloseStatus.INVALID_PAYLOAD, "text message is not valid UTF-8");
    }

    /**
     * XORs {@code buf}'s remaining bytes with the 4-byte masking key {@code mask} (big-endian),
     * as bytes {@code offset}, {@code offset + 1}, ... of a frame's payload. The same call masks.
     */
    static void unmask(ByteBuffer buf, int mask, long offset) {
        if (mask == 0) {
            return; // a server's frame, or a client's key that happens to be 0
        }
        int m = Integer.rotateLeft(mask, (int) (offset & 3) * 8);
        long m64 = ((long) m << 32) | (m & 0xFFFFFFFFL);
        int i = buf.position();
        int end = buf.limit();
        if (end - i >= 8 && UNSAFE_DIRECT && buf.isDirect() && !buf.isReadOnly()) {
            // ByteBuffer.getLong/putLong check the index and the buffer's memory session on every
            // call, which kept this loop at about 4 bytes/ns; raw addresses run it near memory speed.
            long address = PlatformDependent.directBufferAddress(buf);
            long native64 = NATIVE_LITTLE_ENDIAN ? Long.reverseBytes(m64) : m64;
            for (; end - i >= 8; i += 8) {
                PlatformDependent.putLong(address + i, PlatformDependent.getLong(address + i) ^ native64);
            }
        } else {
            long ordered = buf.order() == ByteOrder.LITTLE_ENDIAN ? Long.reverseBytes(m64) : m64;
            for (; end - i >= 8; i += 8) {
                buf.putLong(i, buf.getLong(i) ^ ordered);
            }
        }
        for (int k = 0; i < end; i++, k++) {
            buf.put(i, (byte) (buf.get(i) ^ (m >>> (24 - 8 * (k & 3)))));
        }
    }
}
