package io.gev.websocket;

import io.gev.websocket.GroupEnvelope.MalformedEnvelopeException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GroupEnvelopeTest {

    private static final byte[] OWN = "instance-a".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OTHER = "instance-b".getBytes(StandardCharsets.UTF_8);

    @Test
    void roundTripsTextAndBinaryFromAnotherInstance() {
        byte[] text = "héllo wörld".getBytes(StandardCharsets.UTF_8);
        Outbound t = GroupEnvelope.decode(GroupEnvelope.encode(OTHER, FrameDecoder.OP_TEXT, text), OWN, 1024);
        assertNotNull(t);
        assertEquals(FrameDecoder.OP_TEXT, t.opcode);
        assertArrayEquals(text, t.payload);

        byte[] binary = { 0, (byte) 0xFF, (byte) 0xC0, 7 };
        Outbound b = GroupEnvelope.decode(GroupEnvelope.encode(OTHER, FrameDecoder.OP_BINARY, binary), OWN, 1024);
        assertNotNull(b);
        assertEquals(FrameDecoder.OP_BINARY, b.opcode);
        assertArrayEquals(binary, b.payload);

        Outbound empty = GroupEnvelope.decode(GroupEnvelope.encode(OTHER, FrameDecoder.OP_TEXT, new byte[0]), OWN, 1024);
        assertNotNull(empty);
        assertEquals(0, empty.payload.length);
    }

    @Test
    void skipsItsOwnMessagesButNotAnIdThatOnlySharesAPrefix() {
        assertNull(GroupEnvelope.decode(GroupEnvelope.encode(OWN, FrameDecoder.OP_TEXT, new byte[] { 'x' }), OWN, 16));
        byte[] longer = "instance-aa".getBytes(StandardCharsets.UTF_8);
        assertNotNull(GroupEnvelope.decode(GroupEnvelope.encode(longer, FrameDecoder.OP_TEXT, new byte[] { 'x' }), OWN, 16));
        byte[] shorter = "instance-".getBytes(StandardCharsets.UTF_8);
        assertNotNull(GroupEnvelope.decode(GroupEnvelope.encode(shorter, FrameDecoder.OP_TEXT, new byte[] { 'x' }), OWN, 16));
    }

    @Test
    void payloadLimitAcceptsAtAndBelowAndRejectsAbove() {
        byte[] envelope = GroupEnvelope.encode(OTHER, FrameDecoder.OP_BINARY, new byte[100]);
        assertEquals(100, GroupEnvelope.decode(envelope, OWN, 101).payload.length);
        assertEquals(100, GroupEnvelope.decode(envelope, OWN, 100).payload.length);
        MalformedEnvelopeException e = assertThrows(MalformedEnvelopeException.class,
                () -> GroupEnvelope.decode(envelope, OWN, 99));
        assertTrue(e.getMessage().contains("exceeds 99"), e.getMessage());
    }

    @Test
    void rejectsEachKindOfMalformedInputWithAReason() {
        byte[] good = GroupEnvelope.encode(OTHER, FrameDecoder.OP_TEXT, "ok".getBytes(StandardCharsets.UTF_8));
        assertReason(null, "shorter than a header");
        assertReason(new byte[0], "shorter than a header");
        assertReason(Arrays.copyOf(good, 4), "shorter than a header");
        assertReason(with(good, 0, 0x47), "bad magic");
        assertReason(with(good, 1, 2), "unknown version");
        assertReason(with(good, 2, 0), "bad opcode");
        assertReason(with(good, 2, 8), "bad opcode");
        assertReason(with(good, 3, 0), "bad instance id length");
        assertReason(with(good, 3, 65), "bad instance id length");
        assertReason(with(good, 3, good.length), "bad instance id length");
        byte[] badUtf8 = GroupEnvelope.encode(OTHER, FrameDecoder.OP_TEXT, new byte[] { 'a', (byte) 0xC3 });
        assertReason(badUtf8, "not valid UTF-8");
        byte[] surrogate = GroupEnvelope.encode(OTHER, FrameDecoder.OP_TEXT,
                new byte[] { (byte) 0xED, (byte) 0xA0, (byte) 0x80 });
        assertReason(surrogate, "not valid UTF-8");
        // The same bytes are fine as binary.
        assertNotNull(GroupEnvelope.decode(with(badUtf8, 2, FrameDecoder.OP_BINARY), OWN, 16));
    }

    /** Random bytes, truncations and mutations of valid envelopes: a clean result or a MalformedEnvelopeException. */
    @Test
    void seededRandomInputDecodesOrIsRejectedCleanly() {
        Random random = new Random(0x6E76L);
        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < 50_000; i++) {
            byte[] input;
            byte[] payload = new byte[random.nextInt(40)];
            random.nextBytes(payload);
            int opcode = random.nextBoolean() ? FrameDecoder.OP_BINARY : FrameDecoder.OP_TEXT;
            byte[] id = new byte[1 + random.nextInt(64)];
            random.nextBytes(id);
            byte[] valid = GroupEnvelope.encode(id, opcode, payload);
            switch (random.nextInt(4)) {
                case 0 -> {
                    input = new byte[random.nextInt(80)];
                    random.nextBytes(input);
                }
                case 1 -> input = Arrays.copyOf(valid, random.nextInt(valid.length + 1));
                case 2 -> {
                    input = valid.clone();
                    for (int k = 1 + random.nextInt(3); k > 0; k--) {
                        input[random.nextInt(input.length)] = (byte) random.nextInt(256);
                    }
                }
                default -> input = valid;
            }
            try {
                Outbound out = GroupEnvelope.decode(input, OWN, 32);
                assertNotNull(out, "only OWN's messages decode to null");
                int idLength = input[3] & 0xFF;
                assertArrayEquals(Arrays.copyOfRange(input, 4 + idLength, input.length), out.payload);
                assertEquals(input[2], out.opcode);
                assertTrue(out.payload.length <= 32);
                decoded++;
            } catch (MalformedEnvelopeException e) {
                assertNotNull(e.getMessage());
                rejected++;
            }
        }
        assertTrue(decoded > 5_000, "decoded " + decoded);
        assertTrue(rejected > 5_000, "rejected " + rejected);
    }

    private static byte[] with(byte[] bytes, int index, int value) {
        byte[] copy = bytes.clone();
        copy[index] = (byte) value;
        return copy;
    }

    private static void assertReason(byte[] input, String reason) {
        MalformedEnvelopeException e = assertThrows(MalformedEnvelopeException.class,
                () -> GroupEnvelope.decode(input, OWN, 1024));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}
