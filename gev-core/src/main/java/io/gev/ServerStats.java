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

    /** The number of worker loops, known before the server starts (metrics bind early). */
    int loops();
}
