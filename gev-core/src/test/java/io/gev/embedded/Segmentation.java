package io.gev.embedded;

import java.util.Arrays;
import java.util.Objects;
import java.util.Random;

/**
 * How bytes handed to {@link EmbeddedConnection#receive(byte[], Segmentation)} are cut into the
 * segments a socket delivers, one read event each. Implementations may keep state (a pattern's
 * position, a random generator); use a fresh one per stream to replay a run.
 */
@FunctionalInterface
public interface Segmentation {

    /**
     * The size of the next segment.
     *
     * @param remaining bytes still to deliver, at least 1
     * @return a size from 1 to {@code remaining}; larger values are cut to {@code remaining}
     */
    int next(int remaining);

    /** Everything in one segment: frames coalesced in one read. */
    static Segmentation whole() {
        return remaining -> remaining;
    }

    /** One byte per segment, as a chopping proxy or a slow link delivers. */
    static Segmentation byteByByte() {
        return remaining -> 1;
    }

    /** Segments of {@code size} bytes, the last one shorter. */
    static Segmentation fixed(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be >= 1: " + size);
        }
        return remaining -> size;
    }

    /** Segments of the given sizes in turn, repeated. */
    static Segmentation pattern(int... sizes) {
        if (sizes.length == 0 || Arrays.stream(sizes).anyMatch(s -> s < 1)) {
            throw new IllegalArgumentException("sizes must be >= 1: " + Arrays.toString(sizes));
        }
        int[] copy = sizes.clone();
        int[] next = {0};
        return remaining -> copy[next[0]++ % copy.length];
    }

    /** Cuts at the given offsets of the stream (ascending), then the rest in one segment. */
    static Segmentation at(int... offsets) {
        int[] copy = offsets.clone();
        long[] delivered = {0};
        int[] next = {0};
        return remaining -> {
            while (next[0] < copy.length && copy[next[0]] <= delivered[0]) {
                next[0]++;
            }
            int size = next[0] < copy.length ? (int) (copy[next[0]] - delivered[0]) : remaining;
            size = Math.min(size, remaining);
            delivered[0] += size;
            return size;
        };
    }

    /** Random sizes from 1 to {@code maxSize}, uniformly. */
    static Segmentation random(Random random, int maxSize) {
        Objects.requireNonNull(random, "random");
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be >= 1: " + maxSize);
        }
        return remaining -> 1 + random.nextInt(maxSize);
    }

    /**
     * Random sizes of every scale: mostly tiny (1 to 8 bytes), some up to a few kilobytes, some
     * up to {@code 2^17} bytes; the mix cuts inside every header field and spans many frames.
     */
    static Segmentation mixed(Random random) {
        Objects.requireNonNull(random, "random");
        return remaining -> random.nextBoolean() ? 1 + random.nextInt(8) : 1 + random.nextInt(1 << random.nextInt(18));
    }
}
