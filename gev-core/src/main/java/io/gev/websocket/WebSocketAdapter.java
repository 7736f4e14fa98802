package io.gev.websocket;

import io.gev.Connection;
import io.gev.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/** The gev {@link Handler} that turns what {@link WebSocketProtocol} decodes into {@link WebSocketHandler} calls. */
final class WebSocketAdapter implements Handler<WebSocketMessage> {

    private static final Logger log = LoggerFactory.getLogger(WebSocketAdapter.class);

    private final WebSocketProtocol protocol;

    /** Calls the handler of each connection's endpoint (its route's, on a routed server). */
    WebSocketAdapter(WebSocketProtocol protocol) {
        this.protocol = protocol;
    }

    @Override
    public Object onMessage(Connection connection, Object context, WebSocketMessage message) {
        WebSocketProtocol.State st = connection.protocolState();
        WebSocketHandler handler = st.endpoint.handler;
        if (message != null) {
            return handler.onMessage(st.session, message);
        }
        if (context == WebSocketProtocol.OPENED) {
            st.opened = true;
            try {
                handler.onOpen(st.session);
            } finally {
                if (st.clientHandshake != null) {
                    st.clientHandshake.session.complete(st.session);
                }
            }
            return null;
        }
        // The protocol's one frame without a message: the upgrade request, as its context.
        HandshakeRequest request = (HandshakeRequest) context;
        try {
            handler.onHandshake(request);
        } catch (Throwable t) {
            log.warn("WebSocket handshake hook failed on {}; answering 500", connection, t);
            request.complete();
            protocol.reject(connection, st, 500, null, List.of());
            return null;
        }
        request.complete();
        if (request.isRejected()) {
            protocol.reject(connection, st, request.rejectStatus(), request.rejectMessage(), request.responseHeaders());
            return null;
        }
        protocol.accept(connection, st, request);
        return null;
    }

    /** The upgrade stays on the loop, where the protocol's state is; everything else may go. */
    @Override
    public boolean offload(Object context, WebSocketMessage message) {
        return !(context instanceof HandshakeRequest);
    }

    @Override
    public void onClose(Connection connection) {
        WebSocketProtocol.State st = connection.protocolState();
        if (st == null || !st.opened) {
            return;
        }
        st.session.closed();
        st.endpoint.handler.onClose(st.session, st.closeCode, st.closeReason);
    }

    @Override
    public void onWritabilityChanged(Connection connection) {
        WebSocketProtocol.State st = connection.protocolState();
        if (st != null && st.opened) {
            st.endpoint.handler.onWritabilityChanged(st.session);
        }
    }
}
