package io.gev.internal;

import io.gev.TlsInfo;
import io.netty.channel.IoHandle;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * What epoll and NIO sockets share: the connection they report to, registration and interest.
 * These are the handles registered with Netty.
 */
abstract class AbstractSocketIo implements SocketIo, IoHandle {

    private static final Logger log = LoggerFactory.getLogger(AbstractSocketIo.class);

    ConnectionImpl connection;
    /** Readiness is reported only when it changes (see {@link SocketIo#edgeTriggered()}). */
    private boolean edgeTriggered;
    private EventSink events;
    private LoopProgress progress;
    private IoRegistration registration;
    private IoOps current;

    @Override
    public final void attach(ConnectionImpl connection) {
        this.connection = connection;
        this.events = connection;
        this.progress = connection.loopProgress();
    }

    /** Sends this socket's events to {@code sink} (a layer in front of the connection) instead. */
    final void redirectEvents(EventSink sink) {
        this.events = sink;
    }

    @Override
    public final boolean start() {
        return true;
    }

    @Override
    public final TlsInfo tls() {
        return null;
    }

    @Override
    public final void registered(IoRegistration registration) {
        this.registration = registration;
    }

    AbstractSocketIo(boolean edgeTriggered) {
        this.edgeTriggered = edgeTriggered;
    }

    /**
     * Reports readiness again while it lasts, as a layer written for it (TLS) needs; called before
     * registration.
     */
    final void levelTriggered() {
        edgeTriggered = false;
    }

    @Override
    public final boolean edgeTriggered() {
        return edgeTriggered;
    }

    /** The transport's interest set for these wishes; the same instance for the same wishes. */
    abstract IoOps ops(boolean read, boolean write);

    abstract void closeChannel() throws IOException;

    @Override
    public final void interest(boolean read, boolean write) {
        IoOps ops = ops(read, write);
        if (ops != current && registration != null) {
            current = ops;
            registration.submit(ops);
        }
    }

    @Override
    public final void closeSocket() {
        IoRegistration r = registration;
        if (r != null) {
            r.cancel();
        }
        try {
            closeChannel();
        } catch (IOException e) {
            log.debug("Closing the socket of {} failed", connection, e);
        }
    }

    /** Called by Netty when the loop shuts down with the socket registered, or (NIO) its key died. */
    @Override
    public final void close() {
        if (connection != null && connection.isConnected()) {
            connection.loopClosedSocket();
        } else {
            closeSocket();
        }
    }

    /** Reports an event to the connection; an exception here would stall the loop for a second. */
    final void dispatch(boolean readable, boolean writable, boolean hangup) {
        LoopProgress progress = this.progress;
        progress.busy();
        try {
            events.onIoEvent(readable, writable, hangup);
        } catch (Throwable t) {
            log.error("Unexpected failure handling an event of {}", connection, t);
            closeSocket();
        } finally {
            progress.waiting();
        }
    }
}
