package io.gev.bench.ws;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** RFC 6455 §5.3 masking: byte i is XORed with byte {@code i % 4} of the big-endian masking key. */
public final class Masking {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Masking() {
    }

    /** Masks (or unmasks: the same XOR) {@code len} bytes, eight at a time. */
    public static void mask(byte[] src, int srcOff, byte[] dst, int dstOff, int len, int key) {
        // As a little-endian long, key byte 0 (key >>> 24) must be the lowest byte.
        long le = Integer.reverseBytes(key) & 0xFFFF_FFFFL;
        long m = le | le << 32;
        int i = 0;
        for (; i <= len - 8; i += 8) {
            LONGS.set(dst, dstOff + i, (long) LONGS.get(src, srcOff + i) ^ m);
        }
        for (; i < len; i++) {
            dst[dstOff + i] = (byte) (src[srcOff + i] ^ keyByte(key, i));
        }
    }

    /** The plain byte-at-a-time loop, as the RFC writes it: the reference of tests and benchmarks. */
    public static void maskBytewise(byte[] src, int srcOff, byte[] dst, int dstOff, int len, int key) {
        for (int i = 0; i < len; i++) {
            dst[dstOff + i] = (byte) (src[srcOff + i] ^ keyByte(key, i));
        }
    }

    private static int keyByte(int key, int i) {
        return key >>> (24 - ((i & 3) << 3));
    }
}
