package io.gev;

/**
 * Told when a message given to {@link Connection#send(Object, SendCallback)} has been written.
 *
 * <p>Runs on the connection's event-loop thread and must not block.
 */
@FunctionalInterface
public interface SendCallback {

    /**
     * @param connection the connection the message was sent on
     * @param failure {@code null} when every byte of the message was handed to the socket; the
     *                reason otherwise (the connection closed first, or the protocol failed to pack
     *                the message)
     */
    void onComplete(Connection connection, Throwable failure);
}
