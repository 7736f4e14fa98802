package io.gev.bench.jmh;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmark's reference validator agrees with the JDK's strict decoder. */
class Utf8ReferenceTest {

    private static final long SEED = System.nanoTime();

    private static boolean jdk(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    @RepeatedTest(50)
    void agreesWithTheJdkOnRandomText() {
        Random random = new Random(SEED + System.identityHashCode(new Object()));
        StringBuilder sb = new StringBuilder();
        for (int i = random.nextInt(40); i > 0; i--) {
            sb.appendCodePoint(random.nextBoolean() ? 'a' + random.nextInt(26) : random.nextInt(0x10FFFF));
        }
        byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
        if (b.length > 0 && random.nextBoolean()) {
            b[random.nextInt(b.length)] = (byte) random.nextInt(256);
        }
        assertEquals(jdk(b), Utf8Reference.isValid(b, 0, b.length), "seed " + SEED);
    }

    @Test
    void rejectsOverlongsSurrogatesAndTruncation() {
        assertTrue(Utf8Reference.isValid("héllo \u4e2d \uD83D\uDE00".getBytes(StandardCharsets.UTF_8), 0, 15));
        assertFalse(Utf8Reference.isValid(new byte[] {(byte) 0xC0, (byte) 0x80}, 0, 2));
        assertFalse(Utf8Reference.isValid(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, 0, 3));
        assertFalse(Utf8Reference.isValid(new byte[] {(byte) 0xE4, (byte) 0xB8}, 0, 2));
        assertFalse(Utf8Reference.isValid(new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, 0, 4));
    }
}
