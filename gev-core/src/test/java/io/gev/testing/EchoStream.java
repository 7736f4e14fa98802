package io.gev.testing;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToIntFunction;

/**
 * Sends random-sized messages of random bytes down a stream from one thread while checking, on
 * the caller's thread, that the same bytes come back from an echo, byte for byte. Sizes and bytes
 * come from a {@link Random} with the given seed, generated again where they are checked.
 */
public final class EchoStream {

    private EchoStream() {
    }

    /** 70% up to 1 KiB, 25% up to 16 KiB, 5% up to 256 KiB. */
    public static int mixedSize(Random random) {
        int p = random.nextInt(100);
        return 1 + random.nextInt(p < 70 ? 1024 : p < 95 ? 16 * 1024 : 256 * 1024);
    }

    /**
     * Writes {@code messages} messages (sizes from {@code sizes}) to {@code out} and verifies that
     * {@code in} returns them.
     *
     * @return the bytes verified
     * @throws AssertionError naming the message and offset of the first difference
     */
    public static long run(InputStream in, OutputStream out, long seed, int messages, ToIntFunction<Random> sizes)
            throws IOException, InterruptedException {
        AtomicReference<Throwable> writeFailure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            Random random = new Random(seed);
            try {
                for (int m = 0; m < messages; m++) {
                    out.write(message(random, sizes));
                    out.flush();
                }
            } catch (Throwable t) {
                writeFailure.set(t);
            }
        }, "echo-stream-writer");
        writer.setDaemon(true);
        writer.start();
        Random random = new Random(seed);
        long verified = 0;
        byte[] received = new byte[256 * 1024];
        for (int m = 0; m < messages; m++) {
            byte[] expected = message(random, sizes);
            int off = 0;
            while (off < expected.length) {
                int n = in.read(received, off, expected.length - off);
                if (n < 0) {
                    throw new EOFException("end of stream in message " + m + " after " + off + " of " + expected.length
                            + " bytes (seed " + seed + ", write failure: " + writeFailure.get() + ")");
                }
                off += n;
            }
            int mismatch = Arrays.mismatch(received, 0, expected.length, expected, 0, expected.length);
            if (mismatch >= 0) {
                throw new AssertionError("message " + m + " of " + expected.length + " bytes differs at offset "
                        + mismatch + " (seed " + seed + ")");
            }
            verified += expected.length;
        }
        writer.join(10_000);
        if (writeFailure.get() != null) {
            throw new AssertionError("writing failed (seed " + seed + ")", writeFailure.get());
        }
        return verified;
    }

    private static byte[] message(Random random, ToIntFunction<Random> sizes) {
        byte[] bytes = new byte[sizes.applyAsInt(random)];
        random.nextBytes(bytes);
        return bytes;
    }
}
