package io.gev;

import java.nio.ByteBuffer;

/**
 * Application callbacks of a gev server.
 *
 * <p>{@code M} is the type of message the server's {@link io.gev.protocol.Protocol Protocol}
 * decodes: {@link ByteBuffer} for the byte protocols (raw, line, length-field), so that an echo
 * handler is {@code (connection, context, payload) -> payload}; a decoding protocol's own type
 * otherwise, such as {@code com.google.protobuf.Message} for
 * {@link io.gev.protocol.protobuf.ProtobufProtocol}. A server's handler may also take a
 * supertype of what its protocol decodes
 * ({@link Server#builder(io.gev.protocol.Protocol, Handler)}).
 *
 * <p>Every callback of one connection runs on that connection's event-loop thread, in order, so a
 * handler needs no locking for per-connection state. Callbacks must not block there: a handler
 * that blocks (JDBC, a REST call) runs offloaded ({@link ServerOptions.AbstractBuilder#handlerExecution
 * handlerExecution}), still in order per connection, on virtual threads or an executor.
 *
 * <p>A callback that throws closes only its own connection (the exception is logged once and
 * counted as {@link CloseReason#HANDLER_ERROR}); the loop and every other connection carry on.
 */
public interface Handler<M> {

    /**
     * Called once when a connection is accepted and registered, before any message; on a server
     * with {@link Server.Builder#tls TLS}, once its handshake is complete (connections that fail
     * it are never seen).
     */
    default void onConnect(Connection connection) {
    }

    /**
     * Called for every message the server's {@link io.gev.protocol.Protocol Protocol} decodes.
     *
     * @param connection the connection the message came from
     * @param context what the protocol decoded besides the message (for example a message type),
     *                or {@code null}
     * @param message what the protocol decoded. From the byte protocols it is a {@link ByteBuffer}
     *                holding the frame's bytes between its position and limit: a view into gev's
     *                buffers, valid only until this method returns; copy it (see
     *                {@link io.gev.buffer.Buffers#copy(ByteBuffer)}) to keep it, or return it as
     *                the reply as it is. Other protocols say how long their messages stay valid
     *                (a parsed protobuf message is the handler's to keep).
     * @return the reply to send on this connection, or {@code null} for none. It is handed to
     *         {@link io.gev.protocol.Protocol#pack} before the next message is decoded, and all
     *         replies of one read are written with one system call. Its type need not be
     *         {@code M}: it is whatever the protocol packs.
     */
    Object onMessage(Connection connection, Object context, M message);

    /**
     * On a server whose handler runs offloaded ({@link HandlerExecution}), chooses where
     * {@link #onMessage} runs for this message: {@code true} (the default) hands it to the
     * handler's threads behind the connection's other callbacks; {@code false} runs it on the
     * loop now, for a message that is cheap to answer (a heartbeat), whose reply may then overtake
     * those of messages still waiting. Called on the loop, with the message's view; must not block.
     * Not called on a server whose handler runs on the loop.
     */
    default boolean offload(Object context, M message) {
        return true;
    }

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
