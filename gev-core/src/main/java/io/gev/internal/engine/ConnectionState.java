package io.gev.internal.engine;

/**
 * Where a connection is in its life; the connection keeps one of these and no other lifecycle
 * flag. It only moves forward:
 *
 * <ul>
 *   <li>{@code REGISTERING → HANDSHAKING} once registered with its loop (a connection whose
 *       registration failed, or whose server stopped meanwhile, is dropped instead);
 *   <li>{@code HANDSHAKING → OPEN} once the layer under it is established: at once for a plain
 *       socket, after the handshake under TLS;
 *   <li>{@code OPEN → SHUTTING_OUTPUT → OUTPUT_SHUT} on {@code shutdownWrite()} (straight to
 *       {@code OUTPUT_SHUT} when nothing is queued);
 *   <li>{@code OPEN or SHUTTING_OUTPUT → DRAINING} when reading stops with bytes still queued;
 *   <li>any registered state {@code → CLOSED}, through the connection's one close.
 * </ul>
 */
enum ConnectionState {

    /** Accepted; not registered with its loop yet. */
    REGISTERING(false, false, false, false),
    /** Registered; the layer under it (TLS) completes its handshake before anyone hears of it. */
    HANDSHAKING(true, false, false, false),
    /** The protocol and handler know it; it reads and sends. */
    OPEN(true, true, true, true),
    /** {@code shutdownWrite()} was called: it reads on, and sends FIN once what is queued is out. */
    SHUTTING_OUTPUT(true, true, true, false),
    /** FIN is sent; it reads on. */
    OUTPUT_SHUT(true, true, true, false),
    /**
     * Reading stopped (the peer's end of stream, or a server stop): it closes once what is queued
     * is out, for the reason recorded when it began.
     */
    DRAINING(true, true, false, false),
    /** Closed; its buffers are released and its {@code onClose} has run (if it was open). */
    CLOSED(false, false, false, false);

    /** Registered and not closed: what {@code Connection.isConnected()} reports. */
    final boolean live;
    /** Its protocol and handler were told of it and not yet of its close. */
    final boolean opened;
    /** It reads and decodes what arrives. */
    final boolean reads;
    /** It takes new messages to send. */
    final boolean sends;

    ConnectionState(boolean live, boolean opened, boolean reads, boolean sends) {
        this.live = live;
        this.opened = opened;
        this.reads = reads;
        this.sends = sends;
    }
}
