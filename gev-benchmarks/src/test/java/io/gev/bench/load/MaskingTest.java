package io.gev.bench.load;

import io.gev.bench.ws.Handshake;
import io.gev.bench.ws.Masking;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class MaskingTest {

    private static final long SEED = System.nanoTime();

    @RepeatedTest(20)
    void wordWiseMaskingEqualsTheRfcLoop() {
        Random random = new Random(SEED + 31L * System.identityHashCode(this));
        int len = random.nextInt(300);
        int srcOff = random.nextInt(9);
        int dstOff = random.nextInt(9);
        byte[] src = new byte[srcOff + len];
        random.nextBytes(src);
        int key = random.nextInt();
        byte[] fast = new byte[dstOff + len];
        byte[] slow = new byte[dstOff + len];
        Masking.mask(src, srcOff, fast, dstOff, len, key);
        Masking.maskBytewise(src, srcOff, slow, dstOff, len, key);
        assertArrayEquals(slow, fast, "seed " + SEED);
    }

    @Test
    void acceptKeyOfTheRfcExample() {
        // RFC 6455 §1.3.
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", Handshake.accept("dGhlIHNhbXBsZSBub25jZQ=="));
    }
}
