package io.gev;

/**
 * Counters of one server since it started, summed over its loops. Each loop counts in plain
 * fields on its own thread, so a value read from another thread may lag by a few events; the
 * counters cost nothing measurable on the hot path.
 */
public interface ServerStats {

    /** Connections open now. */
    int activeConnections();

    /** Connections accepted and registered on a loop. */
    long acceptedConnections();

    /** Connections closed for {@code reason}. */
    long closedConnections(CloseReason reason);

    /** Bytes read from sockets. */
    long bytesIn();

    /** Bytes written to sockets. */
    long bytesOut();

    /** Frames decoded and handed to the handler. */
    long messagesIn();

    /** Messages packed for sending (handler replies and {@code send} calls). */
    long messagesOut();

    /** Bytes queued on connections and not yet taken by their sockets. */
    long writeBufferBytes();

    /** Tasks waiting in the task queue of loop {@code loop}; 0 before the server starts. */
    int pendingTasks(int loop);

    /** Connections loop {@code loop} owns now; 0 before the server starts. */
    int connections(int loop);

    /** Bytes queued on the connections of loop {@code loop}; 0 before the server starts. */
    long writeBufferBytes(int loop);

    /** Connections open now whose TLS handshake completed; always 0 on a plain server. */
    int tlsSessions();

    /** TLS handshakes completed. */
    long tlsHandshakes();

    /**
     * Time the completed TLS handshakes took, summed, in nanoseconds: each from the connection's
     * registration on its loop to the handshake's last message (the client's round trips and
     * the server's key work).
     */
    long tlsHandshakeNanos();

    /**
     * Connections open now whose protocol completed a handshake of its own, such as the WebSocket
     * upgrade: the WebSocket sessions of a WebSocket server (see {@link Connection#upgraded(long)}).
     */
    int upgradedConnections();

    /** Protocol handshakes completed, such as WebSocket upgrades (see {@link Connection#upgraded(long)}). */
    long upgrades();

    /** Time the completed protocol handshakes took, summed, in nanoseconds, as their protocol measured it. */
    long upgradeNanos();

    /**
     * Times the blocked-loop watchdog found a loop running one callback or task for longer than
     * {@link ServerOptions#blockedLoopWarning()}: one per stall, however long it lasts. On shared
     * {@link EventLoops}, the stalls of those loops, whichever server's code blocked them.
     */
    long blockedLoopStalls();

    /**
     * Messages handed to a handler that runs offloaded ({@link HandlerExecution}) and not yet
     * handled, over all connections: what waits for the handler's threads. Always 0 when the
     * handler runs on the loop.
     */
    long handlerBacklog();

    /** The number of worker loops, known before the server starts (metrics bind early). */
    int loops();
}
