package io.gev.internal.engine;

import io.gev.CloseReason;
import io.gev.SendCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;

import static io.gev.internal.engine.ConnectionState.CLOSED;
import static io.gev.internal.engine.ConnectionState.OPEN;
import static io.gev.internal.engine.ConnectionState.OUTPUT_SHUT;
import static io.gev.internal.engine.ConnectionState.SHUTTING_OUTPUT;

/**
 * How a connection ends: the one {@link #close} every reason comes to, directly or after one
 * last write ({@link #closeAfterLastWrite}) or a drain ({@link #drainThenClose}), the
 * close-for-a-reason helpers with their logging, and the half-close of {@code shutdownWrite()}.
 * Stateless, and apart from {@link ConnectionImpl} so that the connection's file is its read →
 * decode → dispatch → write path; what it changes of a connection it changes through the
 * connection's package-private methods. Loop thread only.
 */
final class Closing {

    // The connection's logger: one logger setting covers a connection's whole life, and the
    // client fault log (ServerEngine.protocolErrors) writes to it too.
    private static final Logger log = LoggerFactory.getLogger(ConnectionImpl.class);

    private Closing() {
    }

    /**
     * Closes {@code c} now for {@code reason}, recording {@code cause} as what failed: the one
     * place where a connection ends, whatever the reason.
     */
    static void close(AbstractConnection c, CloseReason reason, Throwable cause) {
        ConnectionState was = c.state();
        if (!was.live) {
            return;
        }
        GevLoop loop = c.loop;
        c.state(CLOSED, reason, cause);
        // Before the socket closes, so that a peer that sees the close may connect again at once.
        loop.engine().addressReleased(c);
        OutboundBuffer ob = c.release(); // kept, not given back: see ConnectionImpl.flush()
        if (ob != null) {
            // Rings are released and the state is CLOSED: callbacks can no longer reach them.
            // What the socket took succeeds (the last write of close() may have sent it).
            SendCallback callback;
            while ((callback = ob.pollWritten()) != null) {
                c.notifyCallback(callback, null);
            }
            ClosedChannelException closed = null;
            while ((callback = ob.pollAny()) != null) {
                if (closed == null) {
                    closed = new ClosedChannelException();
                }
                c.notifyCallback(callback, closed);
            }
        }
        loop.closed[reason.ordinal()]++;
        if (c.isUpgraded()) {
            loop.upgradedConnections--;
        }
        loop.engine().slotReleased();
        log.debug("Closed {} ({})", c, reason.tag());
        // A TLS connection that never completed its handshake: nobody knew of it.
        if (was.opened) {
            // A protocol that closes in its onConnect (a refusal) closes before the handler knew.
            if (loop.protocolConnecting != c) {
                try {
                    loop.handler.onClose(c);
                } catch (Throwable t) {
                    log.warn("Handler onClose of {} failed", c, t);
                }
            }
            try {
                loop.protocol.onClose(c);
            } catch (Throwable t) {
                log.warn("Protocol onClose of {} failed", c, t);
            }
        }
        ConnectionHooks hooks = loop.engine().hooks;
        if (hooks != null) {
            hooks.closed(c, reason, cause);
        }
    }

    /** One last non-blocking write of what is queued, then {@link #close}: {@code close()}, a protocol error. */
    static void closeAfterLastWrite(AbstractConnection c, CloseReason reason, Throwable cause) {
        if (!c.state().live) {
            return;
        }
        try {
            c.writeOnce();
        } catch (IOException e) {
            log.debug("Last write before closing {} failed: {}", c, e.toString());
        }
        close(c, reason, cause);
    }

    /**
     * Stops reading, lets what is queued drain, then {@link #close}s: the peer's end of stream, a
     * server stop. Offloaded callbacks in flight are waited for first, so their replies go out.
     */
    static void drainThenClose(AbstractConnection c, CloseReason reason) {
        if (!c.state().live || c.drainAfterHandler(reason)) {
            return;
        }
        if (c.queuedLength() == 0) {
            close(c, reason, null);
        } else {
            c.drain(reason); // flush() closes once the queue is empty
        }
    }

    /** {@code shutdownWrite()}: FIN now, or once what is queued is out ({@link ConnectionImpl#flush}). */
    static void shutdownWrite(AbstractConnection c) {
        if (c.state() != OPEN) {
            return;
        }
        if (c.queuedLength() == 0) {
            shutdownOutput(c);
        } else {
            c.state(SHUTTING_OUTPUT);
        }
    }

    static void shutdownOutput(AbstractConnection c) {
        c.state(OUTPUT_SHUT);
        try {
            c.io().shutdownOutput();
        } catch (IOException e) {
            ioFailed(c, "shutdown", e);
        }
    }

    /** Server stop: the protocol says goodbye, then what is queued drains and the connection closes. */
    static void shutdownGracefully(AbstractConnection c) {
        if (c.drainAfterHandler(CloseReason.SHUTDOWN)) {
            return; // the goodbye waits for the replies of the callbacks in flight
        }
        GevLoop loop = c.loop;
        if (c.state().opened) {
            try {
                loop.protocol.onServerStop(c);
            } catch (Throwable t) {
                log.warn("Protocol {} failed to say goodbye on {}", loop.protocol, c, t);
            }
        }
        drainThenClose(c, CloseReason.SHUTDOWN);
    }

    static void closeIdle(AbstractConnection c, long timeoutNanos) {
        log.debug("Closing {}: no bytes received for {} ms", c, TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
        close(c, CloseReason.IDLE, null);
    }

    static void ioFailed(AbstractConnection c, String operation, IOException e) {
        // Resets and broken pipes are routine on the internet: not worth a stack trace.
        log.debug("Closing {}: {} failed: {}", c, operation, e.toString());
        close(c, CloseReason.IO_ERROR, e);
    }

    static void unexpectedFailure(AbstractConnection c, Throwable t) {
        log.error("Unexpected failure on {}; closing it", c, t);
        close(c, CloseReason.IO_ERROR, t);
    }

    static void handlerFailed(AbstractConnection c, String callback, Throwable t) {
        log.warn("Closing {}: handler {} threw", c, callback, t);
        close(c, CloseReason.HANDLER_ERROR, t);
    }

    static void protocolFailed(AbstractConnection c, String what, Throwable t) {
        log.warn("Closing {}: protocol {} failed to {}", c, c.loop.protocol, what, t);
        close(c, CloseReason.PROTOCOL_ERROR, t);
    }

    static void protocolError(AbstractConnection c, Exception e) {
        GevLoop loop = c.loop;
        // Every bad client of a scanner ends here: the server's fault log keeps it to a few lines.
        loop.engine().protocolErrors.report(loop.netty(), "Closing {}: protocol error: {}", c, e.getMessage());
        // What the protocol queued before throwing (an error response) goes out first.
        closeAfterLastWrite(c, CloseReason.PROTOCOL_ERROR, e);
    }

    /** {@code c} sent no valid PROXY protocol header, for the reason {@code why} says. */
    static void proxyHeaderFailed(AbstractConnection c, String why) {
        GevLoop loop = c.loop;
        loop.engine().protocolErrors.report(loop.netty(), "Closing {}: {}", c, why);
        close(c, CloseReason.PROTOCOL_ERROR, null);
    }

    static void readLimitExceeded(AbstractConnection c, int pending) {
        log.warn("Closing {}: {} bytes received without a complete frame exceed the read buffer limit of {}",
                c, pending, c.loop.readBufferLimit);
        close(c, CloseReason.READ_LIMIT, null);
    }

    static void writeLimitExceeded(AbstractConnection c) {
        log.warn("Closing {}: {} bytes queued exceed the write buffer limit of {} (the peer stopped reading?)",
                c, c.queuedLength(), c.loop.outboundShared.limit);
        close(c, CloseReason.WRITE_LIMIT, null);
    }
}
