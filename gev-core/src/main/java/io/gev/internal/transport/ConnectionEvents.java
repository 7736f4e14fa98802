package io.gev.internal.transport;

import io.gev.CloseReason;

/**
 * What a socket, or the TLS layer in front of it, may tell its connection: everything that goes
 * up from the layers under a connection goes through these calls, and the layers know their
 * connection by this type only. All calls happen on the connection's loop thread.
 *
 * <p>An abstract class rather than an interface for the reason {@link EventSink} is one: the
 * connection is its only concrete subclass, so class hierarchy analysis turns every call into a
 * direct one, with or without TLS, whatever a call site has seen. (The readiness events it
 * inherits from {@link EventSink} go to the TLS layer instead when one sits in between: a call
 * with two targets then, as before this type existed.)
 */
public abstract class ConnectionEvents extends EventSink {

    /**
     * The socket is polled edge-triggered and the peer half-closed or the socket failed: the
     * connection reads on to the end of stream or EAGAIN, past short reads.
     */
    public abstract void readToEnd();

    /**
     * Input waits that no socket event will report (plaintext the TLS layer holds): the
     * connection reads again in a task of its loop.
     */
    public abstract void readAgainSoon();

    /**
     * The layer completed its handshake: the connection carries application bytes from now on
     * and tells its protocol and handler (see {@link SocketIo#start()}).
     */
    public abstract void established();

    /**
     * Closes the connection now for {@code reason}, recording {@code cause} (may be {@code null})
     * as what failed; nothing once it is closed, or before it was registered. The connection
     * closes its socket through {@link SocketIo#closeSocket()}.
     */
    public abstract void close(CloseReason reason, Throwable cause);
}
