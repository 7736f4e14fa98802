package io.gev;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * Where a server runs its {@link Handler}'s callbacks: on the connection's loop (the default), or
 * offloaded, for handlers that block (JDBC, a REST call, a file), to virtual threads or to an
 * {@link Executor}. Immutable; made by {@link #loop()}, {@link #virtualThreads()},
 * {@link #executor(Executor)} or a {@link #builder()}.
 *
 * <p>Offloaded, a server keeps these promises:
 * <ul>
 *   <li><b>Order.</b> One connection's callbacks run one at a time and in order: {@code onConnect},
 *       then {@code onMessage} for each message as it was decoded, with {@code onWritabilityChanged}
 *       where it happened, and {@code onClose} last. Different connections run in parallel. Each
 *       callback sees what the one before it did (no locking needed for per-connection state),
 *       though not always on the same thread.
 *   <li><b>Payload.</b> The loop hands the handler a message independent of gev's buffers
 *       ({@link io.gev.protocol.Protocol#detach}): the byte protocols copy the frame into a heap
 *       buffer, which is the handler's to keep. That copy is the one cost an on-loop handler does
 *       not pay.
 *   <li><b>Replies.</b> What {@code onMessage} returns is sent through the loop, in order with
 *       the connection's other sends; what the loop takes from other threads in one batch is
 *       written with one system call per connection.
 *   <li><b>Memory.</b> At most {@link #maxQueuedMessages()} messages of one connection wait for
 *       the handler. Above that the connection's reading pauses (TCP flow control then holds the
 *       peer back), and it resumes once half of them are handled: a flood costs a bounded amount
 *       of heap, and nothing is dropped.
 *   <li><b>Stop.</b> A graceful stop lets the callbacks in flight finish and their replies go out,
 *       within the shutdown timeout, before it closes a connection.
 *   <li><b>Errors.</b> A callback that throws closes its connection, as on the loop; so does an
 *       executor that rejects a connection's task.
 * </ul>
 *
 * <p>{@link Handler#offload} lets a handler keep some messages (a heartbeat) on the loop.
 */
public final class HandlerExecution {

    /** The default of {@link #maxQueuedMessages()}. */
    public static final int DEFAULT_MAX_QUEUED_MESSAGES = 128;

    /** Where callbacks run. */
    public enum Mode {
        /** On the connection's loop thread: the fastest, for handlers that never block. */
        LOOP,
        /** On virtual threads (Java 21 and later), one at a time per connection. */
        VIRTUAL_THREADS,
        /** On a given {@link Executor}, one task at a time per connection. */
        EXECUTOR
    }

    private static final HandlerExecution LOOP = builder().build();

    private final Mode mode;
    private final Executor executor;
    private final int maxQueuedMessages;

    private HandlerExecution(Builder b) {
        this.mode = b.mode;
        this.executor = b.executor;
        this.maxQueuedMessages = b.maxQueuedMessages;
    }

    /** Callbacks on the loop: the default. */
    public static HandlerExecution loop() {
        return LOOP;
    }

    /**
     * Callbacks on virtual threads, with the default bound.
     *
     * @throws UnsupportedOperationException on a JVM without virtual threads (before Java 21)
     */
    public static HandlerExecution virtualThreads() {
        return builder().virtualThreads().build();
    }

    /** Callbacks on {@code executor}, with the default bound. */
    public static HandlerExecution executor(Executor executor) {
        return builder().executor(executor).build();
    }

    /** A builder starting from the default: on the loop. Not thread-safe. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.mode = mode;
        b.executor = executor;
        b.maxQueuedMessages = maxQueuedMessages;
        return b;
    }

    /** Whether this JVM has virtual threads (Java 21 and later). */
    public static boolean virtualThreadsAvailable() {
        return Runtime.version().feature() >= 21;
    }

    /** Where callbacks run. */
    public Mode mode() {
        return mode;
    }

    /** Whether callbacks run off the loop. */
    public boolean offloads() {
        return mode != Mode.LOOP;
    }

    /** The executor of {@link Mode#EXECUTOR}; empty otherwise. */
    public Optional<Executor> executor() {
        return Optional.ofNullable(executor);
    }

    /** Messages of one connection that may wait for the handler before its reading pauses. */
    public int maxQueuedMessages() {
        return maxQueuedMessages;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof HandlerExecution)) {
            return false;
        }
        HandlerExecution other = (HandlerExecution) o;
        return mode == other.mode && executor == other.executor && maxQueuedMessages == other.maxQueuedMessages;
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, System.identityHashCode(executor), maxQueuedMessages);
    }

    @Override
    public String toString() {
        return mode == Mode.LOOP ? "HandlerExecution[LOOP]"
                : "HandlerExecution[" + mode + (executor == null ? "" : " " + executor)
                + ", maxQueuedMessages=" + maxQueuedMessages + "]";
    }

    /** Builds {@link HandlerExecution}; each setter names its argument when it is wrong. Not thread-safe. */
    public static final class Builder {

        private Mode mode = Mode.LOOP;
        private Executor executor;
        private int maxQueuedMessages = DEFAULT_MAX_QUEUED_MESSAGES;

        private Builder() {
        }

        /** Callbacks on the loop. */
        public Builder loop() {
            this.mode = Mode.LOOP;
            this.executor = null;
            return this;
        }

        /** Callbacks on virtual threads; {@link #build()} fails on a JVM without them. */
        public Builder virtualThreads() {
            this.mode = Mode.VIRTUAL_THREADS;
            this.executor = null;
            return this;
        }

        /**
         * Callbacks on {@code executor} (a pool, Spring's task executor): it must run each task
         * once, on any thread, and may run many at once; gev keeps each connection's order itself.
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            this.mode = Mode.EXECUTOR;
            return this;
        }

        /**
         * Messages of one connection that may wait for the offloaded handler, counting the one it
         * runs; default {@value #DEFAULT_MAX_QUEUED_MESSAGES}. Reading pauses above it and
         * resumes at half of it, so a connection holds at most this many messages (each up to
         * the protocol's largest frame) in memory.
         *
         * @throws IllegalArgumentException if {@code messages} is below 1
         */
        public Builder maxQueuedMessages(int messages) {
            if (messages < 1) {
                throw new IllegalArgumentException("maxQueuedMessages must be >= 1: " + messages);
            }
            this.maxQueuedMessages = messages;
            return this;
        }

        /**
         * Creates the settings.
         *
         * @throws UnsupportedOperationException for virtual threads on a JVM without them, naming
         *         the running Java version
         */
        public HandlerExecution build() {
            if (mode == Mode.VIRTUAL_THREADS && !virtualThreadsAvailable()) {
                throw new UnsupportedOperationException("Virtual threads need Java 21 or later; this is Java "
                        + Runtime.version().feature() + ": offload to an executor instead");
            }
            return new HandlerExecution(this);
        }
    }
}
