package io.gev.internal.transport;

/** Takes the sockets a {@link ListeningSocket} accepts: the server's engine, which gives each a connection. */
@FunctionalInterface
public interface Acceptor {

    /** Called on the listener's loop with an accepted socket, options applied, not registered. Never throws. */
    void accepted(AbstractSocketIo socket);
}
