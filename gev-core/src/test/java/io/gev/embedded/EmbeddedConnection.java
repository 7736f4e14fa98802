package io.gev.embedded;

import io.gev.CloseReason;
import io.gev.Connection;
import io.gev.buffer.RingBuffer;
import io.gev.internal.engine.EmbeddedLoop;
import io.gev.internal.engine.EmbeddedSocket;

import java.io.IOException;
import java.util.Objects;

/**
 * One connection of an {@link EmbeddedServer} and the in-memory socket under it. The test plays
 * the peer: {@link #receive} delivers bytes in the segments it chooses (each one read event, as
 * TCP segments reaching the server one by one), {@link #acceptWrites} sets how much each of the
 * connection's writes takes, {@link #takeSent()} returns what the connection wrote.
 *
 * <p>Every call runs the connection's reads, decoding, handler calls and writes to completion
 * before it returns; a write that took nothing waits for {@link #writable()}. Calls must come from
 * the thread that started the server.
 */
public final class EmbeddedConnection {

    /** Writable events without progress after which {@link #flush()} gives up. */
    private static final int MAX_IDLE_WRITABLE_EVENTS = 10_000;

    private final EmbeddedSocket socket;

    EmbeddedConnection(EmbeddedSocket socket) {
        this.socket = socket;
    }

    /** The real connection, as the handler sees it. */
    public Connection connection() {
        return socket.connection();
    }

    /**
     * Delivers {@code bytes} as one segment.
     *
     * @return bytes the connection has not read: 0, unless it closed or does not read now
     */
    public int receive(byte[] bytes) {
        return receive(bytes, 0, bytes.length);
    }

    /** Delivers {@code bytes[off, off + len)} as one segment. */
    public int receive(byte[] bytes, int off, int len) {
        Objects.checkFromIndexSize(off, len, bytes.length);
        return socket.receive(bytes, off, len);
    }

    /**
     * Delivers {@code bytes} in the segments {@code segmentation} cuts, each after the previous
     * one was handled; stops early once the connection closed or stopped reading.
     *
     * @return bytes the connection has not read, delivered or not
     */
    public int receive(byte[] bytes, Segmentation segmentation) {
        Objects.requireNonNull(segmentation, "segmentation");
        int off = 0;
        while (off < bytes.length) {
            int size = Math.min(bytes.length - off, segmentation.next(bytes.length - off));
            if (size < 1) {
                throw new IllegalArgumentException(segmentation + " returned a segment of " + size + " bytes");
            }
            int unread = socket.receive(bytes, off, size);
            off += size;
            if (unread > 0) {
                return unread + bytes.length - off;
            }
        }
        return 0;
    }

    /** The peer half-closes: reads reach the end of stream once the bytes before it are read. */
    public void receiveEnd() {
        socket.receiveEnd();
    }

    /** Reads fail with {@code failure} from now on, as after a reset by the peer. */
    public void failReads(IOException failure) {
        socket.failReads(Objects.requireNonNull(failure, "failure"));
    }

    /** Writes fail with {@code failure} from now on. */
    public void failWrites(IOException failure) {
        socket.failWrites(Objects.requireNonNull(failure, "failure"));
    }

    /** Sets how many bytes each write takes from now on; {@link WriteAcceptance#all()} at first. */
    public EmbeddedConnection acceptWrites(WriteAcceptance acceptance) {
        socket.acceptWrites(Objects.requireNonNull(acceptance, "acceptance"));
        return this;
    }

    /** The peer read: the socket has room again, and a connection waiting to write writes. */
    public void writable() {
        socket.writable();
    }

    /**
     * Reports the socket writable until everything written is out, or the socket closed; for a
     * write acceptance that sometimes takes nothing. That includes what a TLS connection, once
     * closed, still delivers: its last records and close_notify, while its socket lingers.
     *
     * @throws IllegalStateException when writes make no progress (the acceptance takes nothing)
     */
    public void flush() {
        int idle = 0;
        while (!socket.closed() && socket.writeInterest()) {
            int before = socket.sent().length();
            socket.writable();
            idle = socket.sent().length() == before ? idle + 1 : 0;
            if (idle == MAX_IDLE_WRITABLE_EVENTS) {
                throw new IllegalStateException("the socket takes nothing: " + idle
                        + " writable events without a byte written");
            }
        }
    }

    /** Runs tasks queued for the loop (sends from other threads, say), then what they cause. */
    public void runPendingTasks() {
        socket.settle();
    }

    /** How many writes the connection made: one per system call a real socket would take. */
    public long writeCalls() {
        return socket.writeCalls();
    }

    /** What the connection wrote since the last call; the socket forgets it. */
    public byte[] takeSent() {
        RingBuffer sent = socket.sent();
        byte[] bytes = sent.toByteArray();
        sent.reset();
        return bytes;
    }

    /** How many bytes were written and not taken yet. */
    public int sentLength() {
        return socket.sent().length();
    }

    /** Forgets what was written, without copying it (for long runs). */
    public void discardSent() {
        socket.sent().reset();
    }

    /** The connection is open: its {@code onClose} has not run. */
    public boolean isOpen() {
        return socket.connection().isConnected();
    }

    /** Why it closed; {@code null} while open. */
    public CloseReason closeReason() {
        return EmbeddedLoop.closeReason(socket.connection());
    }

    /**
     * What failed when it closed for a protocol, handler or I/O error (the
     * {@link io.gev.protocol.ProtocolException}, say); {@code null} otherwise.
     */
    public Throwable closeCause() {
        return EmbeddedLoop.closeCause(socket.connection());
    }

    /** The connection sent FIN ({@link Connection#shutdownWrite()}, or TLS's close). */
    public boolean outputShutdown() {
        return socket.outputShutdown();
    }

    /** The socket was closed (possibly after the connection, when TLS lingers to deliver its last records). */
    public boolean socketClosed() {
        return socket.closed();
    }

    /** The connection wants to read: its read interest is on. */
    public boolean isReading() {
        return socket.readInterest();
    }

    /** The connection holds bytes the socket did not take and waits for {@link #writable()}. */
    public boolean isWaitingToWrite() {
        return socket.writeInterest();
    }

    /**
     * The capacity of the ring the connection holds for an incomplete frame, 0 when it holds none:
     * what a half-received frame costs in memory.
     */
    public int readRingCapacity() {
        return EmbeddedLoop.readRingCapacity(socket.connection());
    }

    @Override
    public String toString() {
        return "EmbeddedConnection[" + connection() + (isOpen() ? "" : ", closed: " + closeReason()) + "]";
    }
}
