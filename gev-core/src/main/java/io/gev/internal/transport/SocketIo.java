package io.gev.internal.transport;

import io.gev.buffer.RingBuffer;
import io.gev.internal.watchdog.LoopProgress;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The narrow path between a socket and a connection's buffers. Everything a connection reads or
 * writes goes through these calls, so a layer such as TLS ({@code tls.TlsSocketIo}) wraps an
 * implementation without touching protocols or handlers; what goes the other way, from the socket
 * or the layer up to the connection, goes through {@link ConnectionEvents}. All calls happen on
 * the connection's loop thread.
 */
public interface SocketIo {

    /**
     * Binds this socket's events to {@code connection}, each marked as busy in {@code progress}
     * (what the loop's watchdog reads); called once, before registration.
     */
    void attach(ConnectionEvents connection, LoopProgress progress);

    /** Called on the loop once the socket is registered, before any other call below. */
    void registered(io.netty.channel.IoRegistration registration);

    /**
     * Called once after {@link #registered}, with read interest set.
     *
     * @return {@code true} when the connection carries application bytes from now on;
     *         {@code false} when a handshake comes first, after which this layer calls
     *         {@link ConnectionEvents#established()} (or closes the connection)
     */
    boolean start();

    /**
     * Reads into {@code dst} between its position and limit and advances its position.
     *
     * @return bytes read, 0 when none are available, -1 at end of stream
     * @throws IOException when reading failed; a layer that closed the connection itself (TLS on a
     *         bad record) throws too
     */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Writes from the first {@code count} buffers (position to limit each) in one system call:
     * the segments of a ring, so at most {@link RingBuffer#MAX_SEGMENTS}. Positions are left
     * unchanged.
     *
     * @return bytes written (taken by the layer, for TLS), possibly 0
     */
    long write(ByteBuffer[] srcs, int count) throws IOException;

    /** Sends FIN. */
    void shutdownOutput() throws IOException;

    /**
     * Whether readiness is reported only when it changes: the reader must then read until the
     * socket is drained (or say why it stopped), as no new event comes for bytes already there.
     * Decided once for a connection, where its socket path is chosen
     * ({@code ServerEngine.connectionIo}).
     */
    default boolean edgeTriggered() {
        return false;
    }

    /** Sets which readiness events the loop reports; cheap when nothing changes. */
    void interest(boolean read, boolean write);

    InetSocketAddress remoteAddress();

    InetSocketAddress localAddress();

    /** Cancels the registration and closes the socket; idempotent, never throws. */
    void closeSocket();

    /** The socket under this layer and any other: this one, when it is the socket. */
    AbstractSocketIo baseSocket();

    /** The connection's TLS session once established, or {@code null} for plain sockets. */
    io.gev.TlsInfo tls();
}
