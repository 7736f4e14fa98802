package io.gev;

import io.gev.internal.Arguments;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How a {@link Client} connects again after a connection it made was lost, or an attempt failed:
 * after a delay that starts at {@link #initialDelay()}, doubles with every failed attempt up to
 * {@link #maxDelay()}, and is shortened by up to {@link #jitter()} of itself at random so that
 * clients that lost one server together do not all come back at the same instant. Immutable;
 * from {@link #exponential(Duration, Duration)} or a {@link #builder()}.
 *
 * <p>A connection reconnects unless the application closed it ({@link Connection#close()}) or the
 * client stopped. The handler sees each new connection as a new {@code onConnect}. The attempts
 * count from one again once a connection opened.
 */
public final class Reconnect {

    /** The default of {@link #jitter()}: up to a fifth of each delay is taken off at random. */
    public static final double DEFAULT_JITTER = 0.2;

    /** Told of every attempt to connect again; called on the connection's loop, so it must not block. */
    @FunctionalInterface
    public interface Listener {

        /**
         * Attempt {@code attempt} (1 for the first after a loss) to connect to {@code address}
         * starts after {@code delay}; {@code cause} is why the last connection or attempt ended
         * ({@code null} when the peer closed it). {@code address} is what {@code connect} was
         * given: an {@code InetSocketAddress}, or a {@code UnixDomainSocketAddress}.
         */
        void reconnecting(SocketAddress address, int attempt, Duration delay, Throwable cause);

        /** The attempts ran out: the client gives up on {@code address}. */
        default void gaveUp(SocketAddress address, int attempts, Throwable cause) {
        }
    }

    private static final Listener NO_LISTENER = (address, attempt, delay, cause) -> { };

    private final Duration initialDelay;
    private final Duration maxDelay;
    private final double jitter;
    private final int maxAttempts;
    private final Listener listener;

    private Reconnect(Builder b) {
        this.initialDelay = b.initialDelay;
        this.maxDelay = b.maxDelay;
        this.jitter = b.jitter;
        this.maxAttempts = b.maxAttempts;
        this.listener = b.listener;
    }

    /** Reconnects forever, after delays from {@code initialDelay} doubling up to {@code maxDelay}. */
    public static Reconnect exponential(Duration initialDelay, Duration maxDelay) {
        return builder().initialDelay(initialDelay).maxDelay(maxDelay).build();
    }

    /** A builder with a first delay of 100 ms, at most 30 s, the default jitter and no limit of attempts. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to change some of them. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.initialDelay = initialDelay;
        b.maxDelay = maxDelay;
        b.jitter = jitter;
        b.maxAttempts = maxAttempts;
        b.listener = listener;
        return b;
    }

    /** The delay before the first attempt after a loss. */
    public Duration initialDelay() {
        return initialDelay;
    }

    /** The longest delay between two attempts. */
    public Duration maxDelay() {
        return maxDelay;
    }

    /** The share of each delay, in [0, 1], taken off at random. */
    public double jitter() {
        return jitter;
    }

    /** Attempts in a row before the client gives up; 0 for no limit. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** Told of every attempt. */
    public Listener listener() {
        return listener;
    }

    /** The delay before attempt {@code attempt} (from 1): doubled per attempt up to the maximum, jitter applied. */
    public Duration delay(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1: " + attempt);
        }
        long initial = initialDelay.toNanos();
        long max = maxDelay.toNanos();
        int doublings = Math.min(attempt - 1, 62);
        long nanos = initial > (max >> doublings) ? max : Math.min(max, initial << doublings);
        if (jitter > 0) {
            nanos -= (long) (nanos * jitter * ThreadLocalRandom.current().nextDouble());
        }
        return Duration.ofNanos(nanos);
    }

    @Override
    public String toString() {
        return "Reconnect[initialDelay=" + initialDelay + ", maxDelay=" + maxDelay + ", jitter=" + jitter
                + ", maxAttempts=" + (maxAttempts == 0 ? "unlimited" : maxAttempts) + "]";
    }

    /** Builds {@link Reconnect}; each setter names its argument when it is wrong. Not thread-safe. */
    public static final class Builder {

        private Duration initialDelay = Duration.ofMillis(100);
        private Duration maxDelay = Duration.ofSeconds(30);
        private double jitter = DEFAULT_JITTER;
        private int maxAttempts;
        private Listener listener = NO_LISTENER;

        private Builder() {
        }

        /** The delay before the first attempt after a loss; default 100 ms, may be zero. */
        public Builder initialDelay(Duration initialDelay) {
            this.initialDelay = Arguments.requireNonNegative(initialDelay, "initialDelay");
            return this;
        }

        /** The longest delay; default 30 s. */
        public Builder maxDelay(Duration maxDelay) {
            this.maxDelay = Arguments.requireNonNegative(maxDelay, "maxDelay");
            return this;
        }

        /** The share of each delay, in [0, 1], taken off at random; default {@value Reconnect#DEFAULT_JITTER}. */
        public Builder jitter(double jitter) {
            if (!(jitter >= 0 && jitter <= 1)) {
                throw new IllegalArgumentException("jitter must be in [0, 1]: " + jitter);
            }
            this.jitter = jitter;
            return this;
        }

        /** Attempts in a row before giving up; 0 (default) for no limit. */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = Arguments.requireNonNegative(maxAttempts, "maxAttempts");
            return this;
        }

        /** Told of every attempt, on the connection's loop. */
        public Builder listener(Listener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * The settings.
         *
         * @throws IllegalArgumentException when the initial delay exceeds the maximum
         */
        public Reconnect build() {
            if (initialDelay.compareTo(maxDelay) > 0) {
                throw new IllegalArgumentException("initialDelay (" + initialDelay + ") must not exceed maxDelay ("
                        + maxDelay + ")");
            }
            return new Reconnect(this);
        }
    }
}
