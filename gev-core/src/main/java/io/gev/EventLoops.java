package io.gev;

import io.gev.internal.Arguments;
import io.gev.internal.engine.LoopGroup;
import io.gev.internal.engine.SharedLoops;
import io.gev.loop.Transport;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Event loop threads that several servers share, as Reactor Netty shares its {@code LoopResources}:
 * N worker loops, one acceptor loop for every server's listener, and one blocked-loop watchdog,
 * however many servers run on them. Each server keeps its own listener, connection limits,
 * counters, idle timeout and stop.
 *
 * <pre>{@code
 * EventLoops loops = EventLoops.builder().name("app").build();
 * Server echo = Server.builder(echoHandler).port(1833).eventLoops(loops).build();
 * Server lines = Server.builder(lineProtocol, lineHandler).port(1834).eventLoops(loops).build();
 * echo.start();
 * lines.start();
 * ...
 * echo.stop(grace);
 * lines.stop(grace);
 * loops.close();
 * }</pre>
 *
 * <p>The threads start with the first server that starts on them and run until {@link #close()},
 * across stops and restarts of the servers. Thread-safe.
 */
public final class EventLoops implements AutoCloseable {

    /** The name of loops built without one; their threads are {@code gev-loops-<i>}. */
    public static final String DEFAULT_NAME = "loops";

    static {
        SharedLoops.bind(EventLoops::group);
    }

    private final LoopGroup group;

    private EventLoops(LoopGroup group) {
        this.group = group;
    }

    /** Starts building shared loops; the defaults are those of a server's own loops. */
    public static Builder builder() {
        return new Builder();
    }

    /** The name in the threads' names ({@code gev-<name>-<i>}, {@code gev-<name>-accept}). */
    public String name() {
        return group.name();
    }

    /** The number of worker loops. */
    public int size() {
        return group.size();
    }

    /** The transport as built, or as {@link Transport#AUTO} resolved once a server started. */
    public Transport transport() {
        return group.transport();
    }

    /** The names of the servers running on these loops now. */
    public List<String> servers() {
        return group.servers();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return group.isShutdown();
    }

    /**
     * Stops the threads and waits for them. Does nothing when none started or when closed
     * already; no server can start on the loops afterwards.
     *
     * @throws IllegalStateException while servers still run on the loops: stop them first (the
     *         message names them)
     */
    @Override
    public void close() {
        group.shutdown();
    }

    LoopGroup group() {
        return group;
    }

    @Override
    public String toString() {
        return group.toString();
    }

    /** Builds {@link EventLoops}; each setter names its argument when it is wrong. Not thread-safe. */
    public static final class Builder {

        private String name = DEFAULT_NAME;
        private int loops;
        private Transport transport = Transport.AUTO;
        private boolean daemonThreads;
        private Duration blockedLoopWarning = ServerOptions.DEFAULT_BLOCKED_LOOP_WARNING;

        private Builder() {
        }

        /** The name in the threads' names; default {@value EventLoops#DEFAULT_NAME}. */
        public Builder name(String name) {
            this.name = Arguments.requireName(name);
            return this;
        }

        /** Worker loops; 0 (default) means one per available processor. */
        public Builder loops(int loops) {
            this.loops = Arguments.requireNonNegative(loops, "loops");
            return this;
        }

        /** The I/O layer; default {@link Transport#AUTO}: epoll where Netty's native layer loads, else NIO. */
        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /** Whether the threads are daemon threads, which do not keep the JVM alive; default {@code false}. */
        public Builder daemonThreads(boolean daemonThreads) {
            this.daemonThreads = daemonThreads;
            return this;
        }

        /**
         * A loop busy in one callback or task for longer than this is reported in the log, once
         * per stall; {@link Duration#ZERO} turns the watchdog off. Default
         * {@link ServerOptions#DEFAULT_BLOCKED_LOOP_WARNING}.
         */
        public Builder blockedLoopWarning(Duration blockedLoopWarning) {
            this.blockedLoopWarning = Arguments.requireNonNegative(blockedLoopWarning,
                    "blockedLoopWarning");
            return this;
        }

        /** The loops, not started: their threads start with the first server. */
        public EventLoops build() {
            return new EventLoops(LoopGroup.create(name, "gev event loops '" + name + "'", loops, transport,
                    daemonThreads, blockedLoopWarning, true));
        }
    }
}
