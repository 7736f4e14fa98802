package io.gev.internal.transport;

/**
 * Receives a socket's readiness events: its connection, or the TLS layer in front of it. An
 * abstract class, not an interface, so that while no TLS server exists the connection is its only
 * subclass and the call from the socket compiles to a direct call, as before TLS.
 */
public abstract class EventSink {

    /** Handles readiness; never throws. */
    public abstract void onIoEvent(boolean readable, boolean writable, boolean hangup);

    /**
     * The loop closed the socket under this sink as it shut down (see
     * {@code AbstractSocketIo.close()}): a layer frees what it holds, even while it lingers.
     * Loop thread; never throws.
     */
    public void socketClosedByLoop() {
    }
}
