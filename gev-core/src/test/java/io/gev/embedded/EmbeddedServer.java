package io.gev.embedded;

import io.gev.Server;
import io.gev.ServerStats;
import io.gev.internal.engine.EmbeddedLoop;

import java.time.Duration;
import java.util.Objects;

/**
 * A gev server without sockets or threads, for testing protocols and handlers through gev's real
 * data path, as Netty's {@code EmbeddedChannel} tests a pipeline. Built from the
 * {@link Server.Builder} of the server under test, it runs that server's handler, protocol,
 * limits, read buffer size and TLS settings on one loop: the real connection, the loop's read
 * buffer and buffer pool and the real write path, over in-memory sockets whose reads and writes
 * the test controls ({@link EmbeddedConnection}).
 *
 * <p>Threading: everything runs on the thread that started the server, inside the calls the test
 * makes. Tasks other threads queue (a {@code send} from elsewhere, the end of a TLS handshake
 * step) run at the next call, or in {@link #runPendingTasks()}; timers run when
 * {@link #advanceTime} moves the loop's clock past them. The idle timeout is not applied.
 *
 * <pre>{@code
 * try (EmbeddedServer server = EmbeddedServer.start(Server.builder(myProtocol, handler))) {
 *     EmbeddedConnection c = server.connect();
 *     c.receive(request, Segmentation.byteByByte());
 *     assertArrayEquals(expectedReply, c.takeSent());
 * }
 * }</pre>
 */
public final class EmbeddedServer implements AutoCloseable {

    /** How the in-memory sockets report readiness. */
    public enum Polling {
        /** As epoll does for gev's plain connections: once per arrival. The default. */
        EDGE_TRIGGERED,
        /** As the JDK selector (and epoll under TLS) does: again and again while bytes wait. */
        LEVEL_TRIGGERED
    }

    private final EmbeddedLoop loop;

    private EmbeddedServer(EmbeddedLoop loop) {
        this.loop = loop;
    }

    /** Starts an embedded server with the options of {@code builder}, edge-triggered. */
    public static EmbeddedServer start(Server.Builder builder) {
        return start(builder, Polling.EDGE_TRIGGERED);
    }

    /**
     * Starts an embedded server with the options of {@code builder}.
     *
     * @throws IllegalArgumentException when the options contradict each other, as {@link Server.Builder#build()}
     */
    public static EmbeddedServer start(Server.Builder builder, Polling polling) {
        Objects.requireNonNull(builder, "builder");
        Objects.requireNonNull(polling, "polling");
        return new EmbeddedServer(new EmbeddedLoop(builder, polling == Polling.EDGE_TRIGGERED));
    }

    /**
     * A new connection from a client, opened as an accepted one is: the protocol's and the
     * handler's {@code onConnect} have run, and what they sent is in its {@link EmbeddedConnection#takeSent()}.
     * With TLS the handshake comes first: the connection opens once the test's client completed it.
     */
    public EmbeddedConnection connect() {
        return new EmbeddedConnection(loop.connect());
    }

    /** Runs the tasks queued meanwhile and the timers due; returns how many ran. */
    public int runPendingTasks() {
        return loop.runPendingTasks();
    }

    /**
     * Waits up to {@code timeout} for a task another thread queues for the loop, such as the end
     * of a TLS handshake step whose delegated work runs on the server's TLS threads, and runs it;
     * what it causes on a connection follows at that connection's next call (or
     * {@link EmbeddedConnection#runPendingTasks()}).
     *
     * @return {@code false} when no task came within {@code timeout}
     */
    public boolean awaitTask(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        try {
            return loop.awaitTask(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a task of the loop", e);
        }
    }

    /** Moves the loop's clock by {@code time} and runs the timers now due. */
    public void advanceTime(Duration time) {
        Objects.requireNonNull(time, "time");
        if (time.isNegative()) {
            throw new IllegalArgumentException("time must not be negative: " + time);
        }
        loop.advanceTime(time);
    }

    /** The server's counters, as {@link Server#stats()}. */
    public ServerStats stats() {
        return loop.stats();
    }

    /**
     * Buffers the loop's pool lent to connections and did not get back: 0 once every connection
     * closed or holds no bytes, unless gev leaks.
     */
    public int buffersLent() {
        return loop.buffersLent();
    }

    /**
     * Outbound buffers (a connection's queue of bytes and send callbacks) the loop lent to open
     * connections: 0 once none has anything queued, unless gev leaks.
     */
    public int outboundBuffersLent() {
        return loop.outboundBuffersLent();
    }

    /** Closes every open connection as a stopping server does ({@code reason=shutdown}). */
    @Override
    public void close() {
        loop.close();
    }

    @Override
    public String toString() {
        return "EmbeddedServer[" + loop.serverName() + "]";
    }
}
