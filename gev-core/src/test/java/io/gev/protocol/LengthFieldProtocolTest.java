package io.gev.protocol;

import io.gev.Server;
import io.gev.buffer.Buffers;
import io.gev.embedded.EmbeddedConnection;
import io.gev.embedded.EmbeddedServer;
import io.gev.embedded.Segmentation;
import io.gev.testing.ProtocolContract;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LengthFieldProtocolTest extends ProtocolContract<LengthFieldProtocolTest.Config, ByteBuffer> {

    private static final int MIB = 1024 * 1024;

    /** A configuration: what the test needs to frame bytes on its own. */
    record Config(int offset, int fieldLength, ByteOrder order, int adjustment, boolean includesHeader,
                  int max, boolean strip) {

        LengthFieldProtocol build() {
            return LengthFieldProtocol.builder().lengthFieldOffset(offset).lengthFieldLength(fieldLength)
                    .byteOrder(order).lengthAdjustment(adjustment).lengthIncludesHeader(includesHeader)
                    .maxFrameLength(max).stripHeader(strip).build();
        }

        int header() {
            return offset + fieldLength;
        }

        /** The body length is the field plus this. */
        int bodyAdjustment() {
            return adjustment - (includesHeader ? header() : 0);
        }

        int maxBody() {
            // An 8-byte field holds any int length.
            long fieldLimit = fieldLength == 8 ? Long.MAX_VALUE : (1L << (8 * fieldLength)) - 1 + bodyAdjustment();
            return (int) Math.min(max - header(), fieldLimit);
        }

        /** The reference framing: prefix, length field, body. */
        byte[] frame(byte[] prefix, long field, byte[] body) {
            ByteBuffer b = ByteBuffer.allocate(header() + body.length).order(order);
            b.put(prefix, 0, offset);
            switch (fieldLength) {
                case 1 -> b.put((byte) field);
                case 2 -> b.putShort((short) field);
                case 4 -> b.putInt((int) field);
                default -> b.putLong(field);
            }
            return b.put(body).array();
        }

        byte[] frame(byte[] prefix, byte[] body) {
            return frame(prefix, body.length - bodyAdjustment(), body);
        }

        byte[] header(long field) {
            return frame(new byte[offset], field, new byte[0]);
        }
    }

    /** The original gev's example protocol: a 4-byte big-endian length of the body. */
    private static final Config DEFAULT = new Config(0, 4, BIG_ENDIAN, 0, false, MIB, true);
    private static final Config SHORT_LE_WHOLE_FRAME = new Config(0, 2, LITTLE_ENDIAN, 0, true, 65535, true);
    private static final Config LONG = new Config(0, 8, BIG_ENDIAN, 0, false, MIB, true);

    @Override
    protected Protocol<ByteBuffer> build(Config config) {
        return config.build();
    }

    @Override
    protected List<Config> variants() {
        return List.of(DEFAULT, SHORT_LE_WHOLE_FRAME,
                // A 2-byte prefix (a message type, say) before a 1-byte length; handlers see whole frames.
                new Config(2, 1, BIG_ENDIAN, 0, false, 1024, false),
                // The field counts two bytes more than the body.
                new Config(0, 8, BIG_ENDIAN, -2, false, MIB, true),
                new Config(3, 4, LITTLE_ENDIAN, 0, true, MIB, false));
    }

    @Override
    protected List<Config> fuzzVariants() {
        return List.of(new Config(0, 4, BIG_ENDIAN, 0, false, 4096, true),
                new Config(0, 2, LITTLE_ENDIAN, 0, true, 4096, true),
                new Config(2, 1, BIG_ENDIAN, 0, false, 200, false),
                new Config(1, 8, LITTLE_ENDIAN, -3, false, 4096, false));
    }

    @Override
    protected int maxMessage(Config config) {
        return config.maxBody();
    }

    @Override
    protected int limit(Config config) {
        return config.max();
    }

    @Override
    protected Object message(Config config, Random rnd, int size) {
        // A positive adjustment makes bodies at least that long.
        size = Math.max(size, config.bodyAdjustment());
        byte[] bytes;
        if (config.strip()) {
            if (rnd.nextInt(4) == 0) {
                return ascii(rnd, size);
            }
            bytes = randomBytes(rnd, size);
        } else {
            // A whole frame whose length field pack fills in.
            bytes = config.frame(randomBytes(rnd, config.offset()), 0, randomBytes(rnd, size));
        }
        if (rnd.nextBoolean()) {
            return bytes;
        }
        // A buffer whose bytes do not start at index 0.
        int skip = rnd.nextInt(8);
        ByteBuffer buffer = ByteBuffer.allocate(skip + bytes.length + 3);
        buffer.position(skip);
        buffer.put(bytes).flip().position(skip);
        return buffer;
    }

    @Override
    protected Received received(Config config, Object message) {
        byte[] bytes = bytes(message);
        if (config.strip()) {
            return new Received(null, bytes);
        }
        byte[] body = Arrays.copyOfRange(bytes, config.header(), bytes.length);
        return new Received(null, config.frame(bytes, body));
    }

    @Override
    protected List<BadInput<Config>> badInputs() {
        Config overflowing = new Config(0, 8, LITTLE_ENDIAN, 16, false, MIB, true);
        return List.of(
                new BadInput<>("declared length over the limit", DEFAULT, DEFAULT.header(0xFFFF_FFFFL),
                        "frame length 4294967299 (length field 4294967295) exceeds maxFrameLength 1048576"),
                new BadInput<>("one byte over the limit", DEFAULT, DEFAULT.header(MIB - 3),
                        "frame length 1048577 (length field 1048573) exceeds maxFrameLength 1048576"),
                new BadInput<>("negative length", LONG, LONG.header(-1), "negative length field -1"),
                new BadInput<>("length overflowing an int", DEFAULT, DEFAULT.header(1L << 31),
                        "frame length 2147483652 (length field 2147483648) exceeds maxFrameLength 1048576"),
                new BadInput<>("length overflowing a long", overflowing, overflowing.header(Long.MAX_VALUE),
                        "length field 9223372036854775807 exceeds maxFrameLength 1048576"),
                new BadInput<>("length shorter than its header", SHORT_LE_WHOLE_FRAME,
                        SHORT_LE_WHOLE_FRAME.header(1), "declares a frame of 1 bytes, shorter than its 2-byte header"));
    }

    // ---- specific to the length field --------------------------------------------------------

    @Test
    void framesLikeTheOriginalExampleProtocol() {
        LengthFieldProtocol protocol = LengthFieldProtocol.builder().build();
        byte[] packed = encode(protocol, List.of("hello"));
        assertArrayEquals(new byte[] {0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'}, packed);
        List<Received> got = decode(protocol, packed, 256, Segmentation.whole());
        assertEquals(List.of(new Received(null, "hello".getBytes(StandardCharsets.US_ASCII))), got);
    }

    @Test
    void writesEachHeaderLayout() {
        byte[] body = {'a', 'b', 'c'};
        assertArrayEquals(new byte[] {5, 0, 'a', 'b', 'c'}, encode(SHORT_LE_WHOLE_FRAME.build(), List.of(body)));
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 3, 'a', 'b', 'c'}, encode(LONG.build(), List.of(body)));
        assertArrayEquals(new byte[] {3, 'a', 'b', 'c'},
                encode(LengthFieldProtocol.builder().lengthFieldLength(1).build(), List.of(body)));
        // The field counts two bytes more than the body.
        assertArrayEquals(new byte[] {0, 5, 'a', 'b', 'c'}, encode(LengthFieldProtocol.builder().lengthFieldLength(2)
                .lengthAdjustment(-2).build(), List.of(body)));
        // Whole frames: the prefix is the caller's, the length field is filled in.
        LengthFieldProtocol prefixed = LengthFieldProtocol.builder().lengthFieldOffset(2).lengthFieldLength(2)
                .stripHeader(false).build();
        assertArrayEquals(new byte[] {(byte) 0xCA, (byte) 0xFE, 0, 3, 'a', 'b', 'c'},
                encode(prefixed, List.of(new byte[] {(byte) 0xCA, (byte) 0xFE, 9, 9, 'a', 'b', 'c'})));
    }

    @Test
    void countsTextInUtf8Bytes() {
        byte[] packed = encode(LengthFieldProtocol.builder().lengthFieldLength(2).build(), List.of("d\u00e9j\u00e0"));
        assertArrayEquals(new byte[] {0, 6, 'd', (byte) 0xC3, (byte) 0xA9, 'j', (byte) 0xC3, (byte) 0xA0}, packed);
    }

    @Test
    void acceptsAFrameOfExactlyMaxFrameLength() {
        LengthFieldProtocol protocol = LengthFieldProtocol.builder().maxFrameLength(104).build();
        for (int body : new int[] {99, 100}) {
            byte[] bytes = new byte[body];
            byte[] packed = encode(protocol, List.of(bytes));
            assertEquals(body + 4, packed.length);
            assertEquals(List.of(new Received(null, bytes)), decode(protocol, packed, 256, Segmentation.byteByByte()));
        }
        ProtocolException e = protocolError(protocol, encode(protocol, List.of(new byte[101])), Segmentation.whole(),
                "exceeds maxFrameLength");
        assertEquals("frame length 105 (length field 101) exceeds maxFrameLength 104", e.getMessage());
    }

    @Test
    void rejectsABogusLengthAsSoonAsTheHeaderIsReadableNotWhenTheBytesArrive() {
        // The first three header bytes say nothing yet; the fourth makes the length too large.
        byte[] header = DEFAULT.header(MIB);
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(DEFAULT.build(), (c, x, p) -> null)
                .readBufferSize(256))) {
            EmbeddedConnection c = server.connect();
            c.receive(header, 0, 3);
            assertTrue(c.isOpen());
            assertEquals(3, c.connection().readBufferLength());
            c.receive(header, 3, 1);
            assertProtocolError(c, "frame length 1048580 (length field 1048576) exceeds maxFrameLength 1048576");
            assertEquals(0, server.buffersLent());
        }
    }

    @Test
    void handsOutTheWholeFrameWithStripHeaderOff() {
        LengthFieldProtocol protocol = LengthFieldProtocol.builder().lengthFieldOffset(1).lengthFieldLength(1)
                .stripHeader(false).build();
        byte[] frame = {7, 2, 'h', 'i'};
        assertEquals(List.of(new Received(null, frame)), decode(protocol, frame, 256, Segmentation.whole()));
    }

    @Test
    void packingReportsMessagesItCannotFrame() {
        LengthFieldProtocol oneByte = LengthFieldProtocol.builder().lengthFieldLength(1).build();
        assertEquals(List.of(new Received(null, new byte[255])),
                decode(oneByte, encode(oneByte, List.of(new byte[255])), 256, Segmentation.whole()),
                "the largest body a 1-byte field holds");
        assertEquals("A body of 256 bytes needs the length field value 256, which a 1-byte field cannot hold",
                assertInstanceOf(IllegalArgumentException.class, packingFailure(oneByte, new byte[256])).getMessage());
        LengthFieldProtocol prefixed = LengthFieldProtocol.builder().lengthFieldOffset(2).build();
        assertTrue(assertInstanceOf(IllegalArgumentException.class, packingFailure(prefixed, new byte[1]))
                .getMessage().contains("use stripHeader(false)"));
        LengthFieldProtocol whole = LengthFieldProtocol.builder().stripHeader(false).build();
        assertEquals("A whole frame needs at least the 4-byte header; got 3 bytes",
                assertInstanceOf(IllegalArgumentException.class, packingFailure(whole, new byte[3])).getMessage());
        assertArrayEquals(new byte[] {0, 0, 0, 0}, encode(whole, List.of(new byte[4])), "a header alone is a frame");
        assertTrue(assertInstanceOf(IllegalArgumentException.class, packingFailure(whole, 42))
                .getMessage().contains("java.lang.Integer"));
    }

    @Test
    void packingConsumesAByteBuffer() {
        ByteBuffer message = ByteBuffer.wrap(new byte[] {1, 2, 3});
        byte[] packed = encode(LengthFieldProtocol.builder().build(), List.of(message));
        assertFalse(message.hasRemaining());
        assertArrayEquals(new byte[] {0, 0, 0, 3, 1, 2, 3}, packed);
    }

    @Test
    void builderNamesTheBadArgument() {
        assertEquals("lengthFieldLength must be 1, 2, 4 or 8: 3", assertThrows(IllegalArgumentException.class,
                () -> LengthFieldProtocol.builder().lengthFieldLength(3)).getMessage());
        assertEquals("lengthFieldOffset must be >= 0: -1", assertThrows(IllegalArgumentException.class,
                () -> LengthFieldProtocol.builder().lengthFieldOffset(-1)).getMessage());
        assertEquals("maxFrameLength must be >= 1: 0", assertThrows(IllegalArgumentException.class,
                () -> LengthFieldProtocol.builder().maxFrameLength(0)).getMessage());
        assertEquals("lengthFieldOffset + lengthFieldLength (12) must not exceed maxFrameLength (8)",
                assertThrows(IllegalArgumentException.class, () -> LengthFieldProtocol.builder()
                        .lengthFieldOffset(4).lengthFieldLength(8).maxFrameLength(8).build()).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LengthFieldProtocol.builder()
                .lengthAdjustment(Integer.MIN_VALUE).lengthIncludesHeader(true).build()).getMessage()
                .startsWith("lengthAdjustment minus the header's size must not overflow"));
        assertThrows(NullPointerException.class, () -> LengthFieldProtocol.builder().byteOrder(null));
        LengthFieldProtocol p = LengthFieldProtocol.builder().lengthFieldOffset(1).lengthFieldLength(2).build();
        assertEquals(3, p.headerLength());
        assertEquals(LengthFieldProtocol.DEFAULT_MAX_FRAME_LENGTH, p.maxFrameLength());
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static byte[] bytes(Object message) {
        if (message instanceof byte[] b) {
            return b;
        }
        if (message instanceof ByteBuffer b) {
            return Buffers.copy(b);
        }
        return message.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String ascii(Random rnd, int size) {
        StringBuilder s = new StringBuilder(size);
        for (int i = 0; i < size; i++) {
            s.append((char) (' ' + rnd.nextInt(95)));
        }
        return s.toString();
    }
}
