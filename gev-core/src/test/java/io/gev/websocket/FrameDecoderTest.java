package io.gev.websocket;

import io.gev.buffer.RingBuffer;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The frame decoder alone: every bad input, and property tests with random splits and garbage. */
@Timeout(60)
class FrameDecoderTest {

    private static final AtomicLong SEEDS = new AtomicLong(0xF4A3E);
    private static final int BIG = 1 << 20;

    static List<org.junit.jupiter.params.provider.Arguments> badFrames() {
        return BadInput.frames();
    }

    private static PerMessageDeflate deflate() {
        return PerMessageDeflate.negotiate(List.of("permessage-deflate"), BadInput.options());
    }

    /** What the decoder reported, with its payload copied. */
    static final class Event {
        final int kind;
        final int opcode;
        final byte[] payload;

        Event(int kind, int opcode, byte[] payload) {
            this.kind = kind;
            this.opcode = opcode;
            this.payload = payload;
        }

        static Event of(int kind, FrameDecoder d) {
            if (kind == FrameDecoder.CLOSE) {
                return new Event(kind, d.closeCode(), d.closeReason().getBytes(StandardCharsets.UTF_8));
            }
            ByteBuffer p = d.payload();
            byte[] copy = new byte[p.remaining()];
            p.get(p.position(), copy);
            return new Event(kind, kind == FrameDecoder.MESSAGE ? d.opcode() : 0, copy);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Event && ((Event) o).kind == kind && ((Event) o).opcode == opcode
                    && Arrays.equals(((Event) o).payload, payload);
        }

        @Override
        public int hashCode() {
            return kind * 31 + opcode;
        }

        @Override
        public String toString() {
            return "Event[kind=" + kind + ", opcode=" + opcode + ", " + payload.length + " bytes]";
        }
    }

    /** Feeds {@code stream} in chunks of 1..maxChunk bytes (all at once for 0) and collects the events. */
    static List<Event> feed(FrameDecoder d, byte[] stream, Random random, int maxChunk) {
        RingBuffer in = RingBuffer.allocateDirect(16);
        List<Event> events = new ArrayList<>();
        int pos = 0;
        while (pos < stream.length) {
            int n = maxChunk == 0 ? stream.length : Math.min(stream.length - pos, 1 + random.nextInt(maxChunk));
            in.write(stream, pos, n);
            pos += n;
            int kind;
            while ((kind = d.decode(in)) != FrameDecoder.NEED_MORE) {
                events.add(Event.of(kind, d));
            }
        }
        return events;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFrames")
    void badFramesFailWithTheirCodeWholeAndByteByByte(String name, boolean deflate, byte[] bytes, int code) {
        for (int maxChunk : new int[]{0, 1}) {
            FrameDecoder d = new FrameDecoder(BadInput.MAX_FRAME, BadInput.MAX_MESSAGE, deflate ? deflate() : null);
            WebSocketException e = assertThrows(WebSocketException.class,
                    () -> feed(d, bytes, new Random(1), maxChunk), name);
            assertEquals(code, e.code(), name + ": " + e.getMessage());
        }
    }

    @Test
    void unmaskMatchesTheByteWiseDefinitionAtEveryOffsetAndOrder() {
        Random random = new Random(3);
        for (int round = 0; round < 200; round++) {
            byte[] data = new byte[random.nextInt(70)];
            random.nextBytes(data);
            int mask = random.nextInt();
            int offset = random.nextInt(7);
            byte[] expected = data.clone();
            for (int i = 0; i < expected.length; i++) {
                expected[i] ^= (byte) (mask >>> (24 - 8 * ((offset + i) & 3)));
            }
            // Heap, direct, and a direct slice (its address is not the allocation's) of each byte order.
            for (int kind = 0; kind < 3; kind++) {
                for (ByteOrder order : new ByteOrder[]{ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
                    ByteBuffer buf = switch (kind) {
                        case 0 -> ByteBuffer.allocate(data.length + 3);
                        case 1 -> ByteBuffer.allocateDirect(data.length + 3);
                        default -> ByteBuffer.allocateDirect(data.length + 8).position(5).slice();
                    };
                    buf.order(order);
                    buf.position(3);
                    buf.put(data).flip().position(3);
                    FrameDecoder.unmask(buf, mask, offset);
                    byte[] actual = new byte[data.length];
                    buf.get(3, actual);
                    assertArrayEquals(expected, actual, "round " + round + ", buffer kind " + kind + ", " + order);
                }
            }
        }
    }

    /** A random valid client stream and the events it must produce. */
    private static final class Script {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<Event> expected = new ArrayList<>();
        final Random random;
        final Deflater deflater;
        final int maxLarge;

        Script(Random random, boolean compression, int maxLarge) {
            this.random = random;
            this.maxLarge = maxLarge;
            this.deflater = compression ? new Deflater(random.nextInt(9) + 1, true) : null;
        }

        void frame(boolean fin, int rsv, int opcode, byte[] payload) {
            byte[] f = WsTestClient.frame(fin, rsv, opcode, payload, random.nextInt(), true);
            bytes.write(f, 0, f.length);
        }

        void control() {
            int opcode = random.nextBoolean() ? 9 : 10;
            byte[] payload = new byte[random.nextInt(126)];
            random.nextBytes(payload);
            frame(true, 0, opcode, payload);
            expected.add(new Event(opcode == 9 ? FrameDecoder.PING : FrameDecoder.PONG, 0, payload));
        }

        void message() {
            boolean text = random.nextBoolean();
            int size = random.nextInt(10) == 0 ? random.nextInt(maxLarge) : random.nextInt(300);
            byte[] payload;
            if (text) {
                StringBuilder sb = new StringBuilder();
                while (sb.length() < size / 2) {
                    sb.appendCodePoint(random.nextInt(3) == 0 ? 0x20 + random.nextInt(0x5F)
                            : new int[]{0xE9, 0x20AC, 0x6F22, 0x1F600}[random.nextInt(4)]);
                }
                payload = sb.toString().getBytes(StandardCharsets.UTF_8);
            } else {
                payload = new byte[size];
                if (random.nextBoolean()) {
                    random.nextBytes(payload);
                }
            }
            boolean compressed = deflater != null && random.nextBoolean();
            byte[] wire = compressed ? BadInput.deflate(deflater, payload) : payload;
            int fragments = random.nextInt(3) == 0 ? 1 + random.nextInt(4) : 1;
            int[] cuts = new int[fragments + 1];
            cuts[fragments] = wire.length;
            for (int i = 1; i < fragments; i++) {
                cuts[i] = random.nextInt(wire.length + 1);
            }
            Arrays.sort(cuts);
            for (int i = 0; i < fragments; i++) {
                frame(i == fragments - 1, i == 0 && compressed ? 4 : 0, i == 0 ? (text ? 1 : 2) : 0,
                        Arrays.copyOfRange(wire, cuts[i], cuts[i + 1]));
                if (i < fragments - 1 && random.nextInt(3) == 0) {
                    control();
                }
            }
            expected.add(new Event(FrameDecoder.MESSAGE, text ? 1 : 2, payload));
        }

        void close() {
            String reason = random.nextBoolean() ? "" : "bye \u00e9";
            frame(true, 0, 8, WsTestClient.closePayload(1000, reason));
            expected.add(new Event(FrameDecoder.CLOSE, 1000, reason.getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** A script whose large messages are up to {@code maxLarge} bytes. */
    private static Script script(Random random, boolean compression, int maxLarge) {
        Script s = new Script(random, compression, maxLarge);
        int items = 1 + random.nextInt(25);
        for (int i = 0; i < items; i++) {
            if (random.nextInt(5) == 0) {
                s.control();
            } else {
                s.message();
            }
        }
        s.close();
        return s;
    }

    @RepeatedTest(40)
    void randomStreamsDecodeTheSameWhateverTheSplits() {
        long seed = SEEDS.getAndIncrement();
        Random random = new Random(seed);
        boolean compression = seed % 2 == 0;
        Script s = script(random, compression, 200_000);
        byte[] stream = s.bytes.toByteArray();
        for (int maxChunk : new int[]{0, 1 + random.nextInt(7), 1 + random.nextInt(70_000)}) {
            if (maxChunk == 1 && stream.length > 100_000) {
                continue; // byte by byte through big messages is slow and adds nothing
            }
            FrameDecoder d = new FrameDecoder(BIG, BIG, compression ? deflate() : null);
            List<Event> events;
            try {
                events = feed(d, stream, random, maxChunk);
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ", chunks up to " + maxChunk, e);
            }
            assertEquals(s.expected, events, "seed " + seed + ", chunks up to " + maxChunk);
        }
    }

    @RepeatedTest(40)
    void garbageAndMutatedStreamsFailOnlyWithACloseCode() {
        long seed = SEEDS.getAndIncrement();
        Random random = new Random(seed);
        for (int round = 0; round < 50; round++) {
            byte[] stream;
            boolean compression = random.nextBoolean();
            if (round % 2 == 0) {
                stream = new byte[random.nextInt(3000)];
                random.nextBytes(stream);
            } else {
                stream = script(random, compression, 3000).bytes.toByteArray();
                int flips = 1 + random.nextInt(4);
                for (int i = 0; i < flips && stream.length > 0; i++) {
                    stream[random.nextInt(Math.min(stream.length, 200))] ^= (byte) (1 << random.nextInt(8));
                }
            }
            FrameDecoder d = new FrameDecoder(BadInput.MAX_FRAME * 100, BadInput.MAX_MESSAGE * 100,
                    compression ? deflate() : null);
            try {
                feed(d, stream, random, 1 + random.nextInt(100));
            } catch (WebSocketException e) {
                assertTrue(e.code() == 1002 || e.code() == 1007 || e.code() == 1009,
                        "seed " + seed + " round " + round + ": code " + e.code());
            } catch (RuntimeException e) {
                fail("seed " + seed + " round " + round + ": not a WebSocket failure", e);
            }
        }
    }

    /** Bytes, the 1-based count of bytes after which the decoder must fail, and the code. */
    static List<org.junit.jupiter.params.provider.Arguments> decidingBytes() {
        byte[] fragment = WsTestClient.frame(false, 0, 1, "frag".getBytes(StandardCharsets.UTF_8), 5, true);
        byte[] big = WsTestClient.frame(false, 0, 2, new byte[900], 5, true);
        byte[] more = WsTestClient.frame(false, 0, 0, new byte[900], 5, true);
        List<org.junit.jupiter.params.provider.Arguments> cases = new ArrayList<>();
        cases.add(org.junit.jupiter.params.provider.Arguments.of("reserved opcode", hex("83801234567800"), 1, 1002));
        cases.add(org.junit.jupiter.params.provider.Arguments.of("RSV2", hex("a1801234567800"), 1, 1002));
        cases.add(org.junit.jupiter.params.provider.Arguments.of("fragmented ping", hex("09801234567800"), 1, 1002));
        cases.add(org.junit.jupiter.params.provider.Arguments.of("continuation without a message", hex("80801234567800"), 1, 1002));
        cases.add(org.junit.jupiter.params.provider.Arguments.of("text inside a fragmented message",
                concat(fragment, hex("81801234567800")), fragment.length + 1, 1002));
        cases.add(org.junit.jupiter.params.provider.Arguments.of("unmasked", hex("810548656c6c6f"), 2, 1002));
        cases.add(org.junit.jupiter.params.provider.Arguments.of("ping of 126 bytes", hex("89fe007e12345678"), 2, 1002));
        cases.add(org.junit.jupiter.params.provider.Arguments.of("close of 1 byte", hex("88811234567803"), 2, 1002));
        cases.add(org.junit.jupiter.params.provider.Arguments.of("64-bit length, top bit set",
                hex("82ff80000000000000051234567801"), 3, 1002));
        cases.add(org.junit.jupiter.params.provider.Arguments.of("16-bit length of 125, not minimal",
                hex("81fe007d1234567801"), 4, 1002));
        cases.add(org.junit.jupiter.params.provider.Arguments.of("64-bit length of 65535, not minimal",
                hex("82ff000000000000ffff1234567801"), 10, 1002));
        cases.add(org.junit.jupiter.params.provider.Arguments.of("frame over maxFrameSize",
                hex("82fe03e91234567801"), 4, 1009));
        cases.add(org.junit.jupiter.params.provider.Arguments.of("64-bit length of 2^40",
                hex("82ff00000100000000001234567801"), 10, 1009));
        cases.add(org.junit.jupiter.params.provider.Arguments.of("message over maxMessageSize",
                concat(big, more, hex("80fe00c91234567801")), big.length + more.length + 4, 1009));
        return cases;
    }

    private static byte[] hex(String hex) {
        return java.util.HexFormat.of().parseHex(hex);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decidingBytes")
    void everyRuleFailsAtTheByteThatBreaksItNotLater(String name, byte[] bytes, int failAt, int code) {
        FrameDecoder d = new FrameDecoder(BadInput.MAX_FRAME, BadInput.MAX_MESSAGE, null);
        RingBuffer in = RingBuffer.allocate(16);
        for (int i = 0; i < bytes.length; i++) {
            in.write(bytes, i, 1);
            try {
                while (d.decode(in) != FrameDecoder.NEED_MORE) {
                    // earlier frames of the case decode
                }
            } catch (WebSocketException e) {
                assertEquals(failAt, i + 1, name + ": failed at byte " + (i + 1));
                assertEquals(code, e.code(), name);
                return;
            }
        }
        fail(name + ": never failed");
    }

    @Test
    void aTextFrameFailsWhenTheSegmentWithInvalidUtf8ArrivesNotWhenTheFrameCompletes() {
        byte[] text = "caf\u00e9 ".repeat(200).getBytes(StandardCharsets.UTF_8);
        text[700] = (byte) 0xFF;
        byte[] frame = WsTestClient.frame(true, 0, 1, text, 0x5A5A1234, true);
        int header = 8; // 2 bytes, a 16-bit length, the mask
        FrameDecoder d = new FrameDecoder(BIG, BIG, null);
        RingBuffer in = RingBuffer.allocateDirect(64);
        in.write(frame, 0, header + 400);
        assertEquals(FrameDecoder.NEED_MORE, d.decode(in), "valid so far");
        in.write(frame, header + 400, 301); // up to and with the bad byte; 499 bytes still to come
        WebSocketException e = assertThrows(WebSocketException.class, () -> d.decode(in));
        assertEquals(CloseStatus.INVALID_PAYLOAD, e.code());
    }

    @Test
    void aWaitingTextFrameThatWrapsRoundTheRingIsUnmaskedAndValidatedOnce() {
        byte[] text = "\u00e9".repeat(25).getBytes(StandardCharsets.UTF_8); // 50 bytes, every split odd or even
        for (boolean direct : new boolean[]{false, true}) {
            for (int bad : new int[]{-1, 3, 33, 49}) {
                byte[] payload = text.clone();
                if (bad >= 0) {
                    payload[bad] = (byte) 0xC0;
                }
                // A 36-byte frame first leaves the text frame's start at index 36 of a 64-byte ring,
                // so its later bytes wrap round to the ring's start.
                byte[] first = WsTestClient.frame(true, 0, 2, new byte[30], 7, true);
                byte[] second = WsTestClient.frame(true, 0, 1, payload, 0x0BADF00D, true);
                RingBuffer in = direct ? RingBuffer.allocateDirect(64) : RingBuffer.allocate(64);
                assertEquals(64, in.capacity());
                FrameDecoder d = new FrameDecoder(BIG, BIG, null);
                in.write(first);
                in.write(second, 0, 10);
                assertEquals(FrameDecoder.MESSAGE, d.decode(in));
                List<Integer> kinds = new ArrayList<>();
                try {
                    kinds.add(d.decode(in));
                    in.write(second, 10, 30);
                    kinds.add(d.decode(in));
                    in.write(second, 40, second.length - 40);
                    kinds.add(d.decode(in));
                } catch (WebSocketException e) {
                    assertEquals(CloseStatus.INVALID_PAYLOAD, e.code());
                    // The bad byte is payload byte `bad`, frame byte 6 + bad: it fails with its write.
                    int writes = 6 + bad < 10 ? 0 : 6 + bad < 40 ? 1 : 2;
                    assertEquals(writes, kinds.size(), "direct " + direct + ", bad byte " + bad);
                    continue;
                }
                assertEquals(-1, bad, "invalid UTF-8 at " + bad + " went through, direct " + direct);
                assertEquals(List.of(FrameDecoder.NEED_MORE, FrameDecoder.NEED_MORE, FrameDecoder.MESSAGE), kinds);
                byte[] got = new byte[d.payload().remaining()];
                d.payload().get(d.payload().position(), got);
                assertArrayEquals(text, got, "direct " + direct);
            }
        }
    }

    @Test
    void anIncompressibleMessageOfMaxFrameSizeIsAcceptedInTheLargerFrameDeflateMakesOfIt() {
        int limit = 4096;
        byte[] random = new byte[limit];
        new Random(21).nextBytes(random);
        byte[] deflated = BadInput.deflate(new Deflater(6, true), random);
        assertTrue(deflated.length > limit, "deflate grew random data to " + deflated.length);
        FrameDecoder d = new FrameDecoder(limit, limit, deflate());
        RingBuffer in = RingBuffer.allocate(0);
        in.write(WsTestClient.frame(true, 4, FrameDecoder.OP_BINARY, deflated, 7, true));
        assertEquals(FrameDecoder.MESSAGE, d.decode(in));
        assertArrayEquals(random, copy(d.payload()));

        int bound = PerMessageDeflate.bound(limit);
        for (int length : new int[] {bound - 1, bound, bound + 1}) {
            FrameDecoder fresh = new FrameDecoder(limit, limit, deflate());
            RingBuffer header = RingBuffer.allocate(0);
            header.write(WsTestClient.frame(true, 4, FrameDecoder.OP_BINARY, new byte[length], 7, true), 0, 8);
            if (length <= bound) {
                assertEquals(FrameDecoder.NEED_MORE, fresh.decode(header), "a compressed frame of " + length);
            } else {
                WebSocketException e = assertThrows(WebSocketException.class, () -> fresh.decode(header));
                assertEquals(CloseStatus.MESSAGE_TOO_BIG, e.code());
            }
        }
        // Uncompressed frames keep the exact limit.
        RingBuffer plain = RingBuffer.allocate(0);
        plain.write(WsTestClient.frame(true, 0, FrameDecoder.OP_BINARY, new byte[limit + 1], 7, true), 0, 8);
        WebSocketException e = assertThrows(WebSocketException.class,
                () -> new FrameDecoder(limit, limit, deflate()).decode(plain));
        assertEquals(CloseStatus.MESSAGE_TOO_BIG, e.code());
    }

    private static byte[] copy(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.get(b.position(), bytes);
        return bytes;
    }

    @Test
    void compressedMessagesReuseTheMessageBufferInsteadOfAllocatingOneEach() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)
                java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        Deflater deflater = new Deflater(6, true);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        byte[] text = "a compressed message, echoed and echoed again ".repeat(8).getBytes(StandardCharsets.UTF_8);
        int messages = 3000;
        for (int i = 0; i < messages; i++) {
            stream.writeBytes(WsTestClient.frame(true, 4, 1, BadInput.deflate(deflater, text), i, true));
        }
        byte[] bytes = stream.toByteArray();
        RingBuffer in = RingBuffer.allocate(bytes.length);
        in.write(bytes);
        FrameDecoder d = new FrameDecoder(BIG, BIG, deflate());
        int warmUp = 1000;
        for (int i = 0; i < warmUp; i++) {
            assertEquals(FrameDecoder.MESSAGE, d.decode(in));
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = warmUp; i < messages; i++) {
            assertEquals(FrameDecoder.MESSAGE, d.decode(in));
            assertEquals(text.length, d.payload().remaining());
        }
        long perMessage = (threads.getCurrentThreadAllocatedBytes() - before) / (messages - warmUp);
        // It grew the message buffer past the size it keeps, and dropped it, for every message.
        assertTrue(perMessage < 512, perMessage + " bytes allocated per compressed message");
    }

    @Test
    void anUnfragmentedFrameIsAViewOfTheInputWithoutCopy() {
        FrameDecoder d = new FrameDecoder(BIG, BIG, null);
        RingBuffer in = RingBuffer.allocateDirect(1024);
        byte[] payload = "zero copy".getBytes(StandardCharsets.UTF_8);
        in.write(WsTestClient.frame(true, 0, 2, payload, 0x01020304, true));
        assertEquals(FrameDecoder.MESSAGE, d.decode(in));
        assertTrue(d.payload().isDirect(), "a view of the (direct) input ring, not a copy");
        assertEquals(0, in.length());
        byte[] got = new byte[d.payload().remaining()];
        d.payload().get(d.payload().position(), got);
        assertArrayEquals(payload, got);
    }

    @Test
    void aLargeFrameIsStreamedSoTheInputRingStaysSmall() {
        FrameDecoder d = new FrameDecoder(BIG, BIG, null);
        RingBuffer in = RingBuffer.allocate(1024);
        byte[] payload = new byte[500_000];
        new Random(1).nextBytes(payload);
        byte[] frame = WsTestClient.frame(true, 0, 2, payload, 0x0A0B0C0D, true);
        int pos = 0;
        int kind = FrameDecoder.NEED_MORE;
        while (pos < frame.length) {
            int n = Math.min(frame.length - pos, 4096);
            in.write(frame, pos, n);
            pos += n;
            kind = d.decode(in);
            assertTrue(in.length() < 4096 + 14, "the decoder keeps consuming: " + in.length());
        }
        assertEquals(FrameDecoder.MESSAGE, kind);
        byte[] got = new byte[d.payload().remaining()];
        d.payload().get(d.payload().position(), got);
        assertArrayEquals(payload, got);
    }
}
