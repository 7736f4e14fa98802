package io.gev;

import java.nio.ByteBuffer;

/**
 * Application callbacks of a gev server.
 *
 * <p>Every callback of one connection runs on that connection's event-loop thread, in order, so a
 * handler needs no locking for per-connection state. Callbacks must not block: hand blocking work
 * to an executor and {@link Connection#send(Object) send} the result from there.
 *
 * <p>A callback that throws closes only its own connection (the exception is logged once and
 * counted as {@link CloseReason#HANDLER_ERROR}); the loop and every other connection carry on.
 */
public interface Handler {

    /**
     * Called once when a connection is accepted and registered, before any message; on a server
     * with {@link Server.Builder#tls TLS}, once its handshake is complete (connections that fail
     * it are never seen).
     */
    default void onConnect(Connection connection) {
    }

    /**
     * Called for every frame the server's {@link io.gev.protocol.Protocol Protocol} decodes.
     *
     * @param connection the connection the frame came from
     * @param context what the protocol decoded besides the payload (for example a message type),
     *                or {@code null}
     * @param payload the frame's bytes between its position and limit. It is a view into gev's
     *                buffers and is valid only until this method returns: copy it (see
     *                {@link io.gev.buffer.Buffers#copy(ByteBuffer)}) to keep it. It may be
     *                returned as the reply as it is.
     * @return the reply to send on this connection, or {@code null} for none. It is handed to
     *         {@link io.gev.protocol.Protocol#pack} before the next frame is decoded, and all
     *         replies of one read are written with one system call.
     */
    Object onMessage(Connection connection, Object context, ByteBuffer payload);

    /** Called exactly once when a connection {@link #onConnect} saw is closed, for whatever reason. */
    default void onClose(Connection connection) {
    }

    /**
     * Called when {@link Connection#isWritable()} changes: it turns {@code false} when the bytes
     * waiting to be written exceed the high water mark and {@code true} again when they fall below
     * the low water mark.
     */
    default void onWritabilityChanged(Connection connection) {
    }
}
