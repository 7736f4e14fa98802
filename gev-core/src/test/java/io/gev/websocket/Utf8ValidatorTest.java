package io.gev.websocket;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(30)
class Utf8ValidatorTest {

    private static final AtomicLong SEEDS = new AtomicLong(0x5EED);

    /** The JDK's strict decoder is the reference: it too rejects overlongs, surrogates and > U+10FFFF. */
    private static boolean jdkValid(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Validates in random chunks, over heap arrays and direct buffers alike. */
    private static boolean chunkedValid(byte[] bytes, Random random, boolean direct) {
        ByteBuffer buf = direct ? ByteBuffer.allocateDirect(bytes.length) : ByteBuffer.allocate(bytes.length);
        buf.put(bytes).flip();
        int state = Utf8Validator.ACCEPT;
        int i = 0;
        while (i < bytes.length) {
            int n = 1 + random.nextInt(Math.min(bytes.length - i, 20));
            state = Utf8Validator.validate(state, buf, i, i + n);
            i += n;
        }
        return state == Utf8Validator.ACCEPT;
    }

    @Test
    void knownSequences() {
        String[] valid = {"", "41", "c2a9", "e282ac", "f09f9880", "efbfbf", "f48fbfbf", "ed9fbf", "ee8080",
                "e0a080", "f0908080", "4142434445464748494a4b4c"};
        String[] invalid = {"80", "bf", "c0af", "c1bf", "e080af", "f08080af", "eda080", "edbfbf", "f4908080",
                "f5808080", "ff", "c2", "e282", "f09f98", "c241", "e28241", "4142434445464748ff"};
        for (String hex : valid) {
            byte[] b = HexFormat.of().parseHex(hex);
            assertEquals(true, Utf8Validator.isValid(ByteBuffer.wrap(b)), hex);
            assertEquals(true, Utf8Validator.isValid(ByteBuffer.allocateDirect(b.length).put(b).flip()), hex);
        }
        for (String hex : invalid) {
            byte[] b = HexFormat.of().parseHex(hex);
            assertEquals(false, Utf8Validator.isValid(ByteBuffer.wrap(b)), hex);
            assertEquals(false, Utf8Validator.isValid(ByteBuffer.allocateDirect(b.length).put(b).flip()), hex);
        }
    }

    @Test
    void failsAtTheFirstInvalidByteAndStaysRejected() {
        byte[] b = HexFormat.of().parseHex("41f4908080");
        assertEquals(Utf8Validator.ACCEPT, Utf8Validator.validate(Utf8Validator.ACCEPT, b, 0, 1));
        int afterLead = Utf8Validator.validate(Utf8Validator.ACCEPT, b, 0, 2);
        assertEquals(true, afterLead != Utf8Validator.ACCEPT && afterLead != Utf8Validator.REJECT);
        assertEquals(Utf8Validator.REJECT, Utf8Validator.validate(Utf8Validator.ACCEPT, b, 0, 3));
        assertEquals(Utf8Validator.REJECT, Utf8Validator.validate(Utf8Validator.REJECT, new byte[]{0x41}, 0, 1));
    }

    @RepeatedTest(30)
    void agreesWithTheJdkOnRandomAndMutatedText() {
        long seed = SEEDS.getAndIncrement();
        Random random = new Random(seed);
        for (int round = 0; round < 300; round++) {
            byte[] bytes;
            if (round % 3 == 0) {
                bytes = new byte[random.nextInt(40)];
                random.nextBytes(bytes);
            } else {
                StringBuilder sb = new StringBuilder();
                int n = random.nextInt(60);
                for (int i = 0; i < n; i++) {
                    sb.appendCodePoint(random.nextInt(4) == 0 ? random.nextInt(0x80)
                            : randomCodePoint(random));
                }
                bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
                if (round % 3 == 2 && bytes.length > 0) {
                    bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            boolean expected = jdkValid(bytes);
            String where = "seed " + seed + " round " + round + ": " + HexFormat.of().formatHex(bytes);
            assertEquals(expected, chunkedValid(bytes, random, false), where);
            assertEquals(expected, chunkedValid(bytes, random, true), where);
        }
    }

    private static int randomCodePoint(Random random) {
        while (true) {
            int cp = random.nextInt(0x110000);
            if (cp < 0xD800 || cp > 0xDFFF) {
                return cp;
            }
        }
    }
}
