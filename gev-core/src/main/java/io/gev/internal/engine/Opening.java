package io.gev.internal.engine;

import io.gev.CloseReason;
import io.gev.ProxyProtocol;
import io.gev.internal.proxy.ProxyHeader;
import io.gev.internal.transport.EventSink;
import io.gev.internal.transport.SocketIo;
import io.gev.protocol.Protocol;
import io.netty.channel.IoRegistration;

import static io.gev.internal.engine.ConnectionState.CLOSED;
import static io.gev.internal.engine.ConnectionState.HANDSHAKING;
import static io.gev.internal.engine.ConnectionState.OPEN;

/**
 * How a connection begins: registered with its loop, established once the layer under it is
 * (at once, or after a TLS handshake), upgraded once its protocol's own handshake is done. The
 * counterpart of {@link Closing}, stateless like it, and apart from {@link ConnectionImpl} for the
 * same reason: the connection's file is its read → decode → dispatch → write path. Loop thread
 * only, except where a method says.
 */
final class Opening {

    private Opening() {
    }

    /** The loop registered {@code c}'s socket: it is linked into the loop and its layers start. */
    static void registered(ConnectionImpl c, IoRegistration registration) {
        c.io().registered(registration);
        begin(c);
    }

    /**
     * {@code c}'s socket is registered and connected (accepted, or connected by a client): it is
     * linked into the loop and its layers start.
     */
    static void begin(ConnectionImpl c) {
        SocketIo io = c.io();
        GevLoop loop = c.loop;
        if (loop.engine().isStopping()) {
            drop(c);
            return;
        }
        c.addresses(io.remoteAddress(), io.localAddress());
        c.state(HANDSHAKING);
        loop.link(c);
        io.interest(true, false); // a TLS layer reads its handshake with it, and keeps it for later
        ProxyProtocol proxy = loop.engine().proxyProtocol;
        if (proxy != null) {
            new ProxyStage(c, io.baseSocket(), proxy).start(); // the layers start once it is read
            return;
        }
        if (io.start()) {
            established(c);
        }
    }

    /**
     * {@code c}'s PROXY protocol header is read: {@code c} takes the client's address from it,
     * the per-address limits admit it or not, and its layers start. {@code above} is where its
     * socket's events go again; it reads what came behind the header, as no new event may come
     * for it.
     */
    static void proxied(ConnectionImpl c, ProxyHeader header, EventSink above) {
        if (header.source() != null) {
            c.addresses(header.source(), c.localAddress());
        }
        if (!c.loop.engine().admit(c)) {
            return;
        }
        if (c.io().start()) {
            established(c);
        }
        if (c.state().live) {
            above.onIoEvent(true, false, false);
        }
    }

    /** Drops a connection that never registered: nobody knew of it, nothing was counted. */
    static void drop(ConnectionImpl c) {
        c.state(CLOSED);
        c.io().closeSocket();
        ServerEngine engine = c.loop.engine();
        engine.slotReleased();
        engine.addressReleased(c);
        if (engine.hooks != null) {
            engine.hooks.closed(c, CloseReason.SHUTDOWN, null);
        }
    }

    /** Hands {@code c} to the protocol and handler: at registration, or after a TLS handshake. */
    static void established(AbstractConnection c) {
        if (c.state() != HANDSHAKING) {
            return;
        }
        c.state(OPEN);
        GevLoop loop = c.loop;
        Protocol<Object> protocol = loop.protocol;
        loop.protocolConnecting = c;
        try {
            protocol.onConnect(c);
        } catch (Throwable t) {
            Closing.protocolFailed(c, "open it", t);
            return;
        } finally {
            loop.protocolConnecting = null;
        }
        if (!c.state().live) {
            return;
        }
        try {
            loop.handler.onConnect(c);
        } catch (Throwable t) {
            Closing.handlerFailed(c, "onConnect", t);
            return;
        }
        if (c.state().live) {
            c.flush();
        }
        ConnectionHooks hooks = loop.engine().hooks;
        if (hooks != null && c.state().live) {
            hooks.opened(c);
        }
    }

    /**
     * The protocol reported a handshake of its own done ({@link io.gev.Connection#upgraded}): the
     * loop counts {@code c} until it closes. Any thread, which is checked.
     */
    static void upgraded(AbstractConnection c, long handshakeNanos) {
        GevLoop loop = c.loop;
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("upgraded() was called on " + Thread.currentThread().getName()
                    + ", not on the loop of " + c);
        }
        if (c.isUpgraded() || !c.state().live) {
            return;
        }
        c.markUpgraded();
        loop.upgraded(handshakeNanos);
    }
}
