package io.gev.websocket;

import io.gev.buffer.RingBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The frame decoder as a client's ({@code fromServer}): a server's frames come unmasked, under
 * any segmentation (byte by byte, seeded random cuts, all at once), and a masked one is refused.
 */
class ClientFrameDecodingTest {

    private static final int BIG = 1 << 20;

    /** An unmasked frame, as a server sends it. */
    private static void frame(ByteArrayOutputStream out, boolean fin, int opcode, byte[] payload) {
        out.write((fin ? 0x80 : 0) | opcode);
        int n = payload.length;
        if (n < 126) {
            out.write(n);
        } else if (n < 65536) {
            out.write(126);
            out.write(n >>> 8);
            out.write(n);
        } else {
            out.write(127);
            out.writeBytes(new byte[] {0, 0, 0, 0, (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        }
        out.writeBytes(payload);
    }

    private static byte[] text(Random random, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) ('a' + random.nextInt(26));
        }
        return b;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 1000, 0})
    void decodesAServersFramesUnderAnyCuts(int maxChunk) {
        long seed = 0xC11E47L + maxChunk;
        Random random = new Random(seed);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            int length = i % 20 == 19 ? 70_000 : i % 7 == 6 ? 200 + random.nextInt(1000) : random.nextInt(126);
            byte[] payload = text(random, length);
            if (i % 5 == 4) {
                // Fragmented, with a ping between the fragments.
                int cut = length / 2;
                frame(wire, false, FrameDecoder.OP_TEXT, java.util.Arrays.copyOfRange(payload, 0, cut));
                frame(wire, true, FrameDecoder.OP_PING, "p".getBytes(StandardCharsets.US_ASCII));
                expected.add("ping");
                frame(wire, true, FrameDecoder.OP_CONTINUATION, java.util.Arrays.copyOfRange(payload, cut, length));
            } else {
                frame(wire, true, FrameDecoder.OP_TEXT, payload);
            }
            expected.add(new String(payload, StandardCharsets.US_ASCII));
        }
        FrameDecoder decoder = new FrameDecoder(BIG, BIG, null, true);
        List<String> events = new ArrayList<>();
        for (FrameDecoderTest.Event e : FrameDecoderTest.feed(decoder, wire.toByteArray(), random, maxChunk)) {
            events.add(e.kind == FrameDecoder.PING ? "ping" : new String(e.payload, StandardCharsets.US_ASCII));
        }
        assertEquals(expected, events, "seed " + seed);
        decoder.release();
    }

    @Test
    void refusesAMaskedFrameFromAServer() {
        FrameDecoder decoder = new FrameDecoder(BIG, BIG, null, true);
        RingBuffer in = RingBuffer.allocate(16);
        in.write(new byte[] {(byte) 0x81, (byte) 0x82, 1, 2, 3, 4, 'h', 'i'});
        WebSocketException e = assertThrows(WebSocketException.class, () -> decoder.decode(in));
        assertEquals(CloseStatus.PROTOCOL_ERROR, e.code());
        assertTrue(e.getMessage().contains("masked frame from a server"), e.getMessage());
    }

    @Test
    void aServersDecoderStillRefusesUnmaskedFrames() {
        FrameDecoder decoder = new FrameDecoder(BIG, BIG, null);
        RingBuffer in = RingBuffer.allocate(16);
        in.write(new byte[] {(byte) 0x81, 0x02, 'h', 'i'});
        WebSocketException e = assertThrows(WebSocketException.class, () -> decoder.decode(in));
        assertEquals(CloseStatus.PROTOCOL_ERROR, e.code());
    }
}
