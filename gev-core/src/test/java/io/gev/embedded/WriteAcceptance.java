package io.gev.embedded;

import java.util.Objects;
import java.util.Random;
import java.util.function.IntUnaryOperator;

/**
 * How many of the bytes one write offers the embedded socket takes, as a socket whose send
 * buffer is full takes none and one with a little room takes a little. A write that takes none
 * leaves the connection waiting for {@link EmbeddedConnection#writable()}.
 */
@FunctionalInterface
public interface WriteAcceptance extends IntUnaryOperator {

    /**
     * @param offered bytes offered, at least 1
     * @return bytes taken, from 0 to {@code offered}; values outside are clamped
     */
    int accept(int offered);

    @Override
    default int applyAsInt(int offered) {
        return accept(offered);
    }

    /** Every write takes everything: a fast peer. The default. */
    static WriteAcceptance all() {
        return offered -> offered;
    }

    /** Every write takes nothing: a peer that stopped reading. */
    static WriteAcceptance none() {
        return offered -> 0;
    }

    /** Every write takes at most {@code bytes}. */
    static WriteAcceptance atMost(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0: " + bytes);
        }
        return offered -> Math.min(offered, bytes);
    }

    /** Random amounts: sometimes nothing, sometimes one byte, sometimes part, sometimes all. */
    static WriteAcceptance random(Random random) {
        Objects.requireNonNull(random, "random");
        return offered -> switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> random.nextInt(offered + 1);
            default -> offered;
        };
    }
}
