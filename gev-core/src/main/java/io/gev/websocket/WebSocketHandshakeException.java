package io.gev.websocket;

import java.io.IOException;

/**
 * A {@link WebSocketClient}'s upgrade failed: the server answered with something other than a
 * valid {@code 101 Switching Protocols} (another status, a wrong {@code Sec-WebSocket-Accept}, a
 * subprotocol or extension not offered), did not answer in time, or closed first. The message
 * names the server and what was wrong.
 */
public final class WebSocketHandshakeException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int status;

    public WebSocketHandshakeException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status the server answered with; 0 when it sent no status line. */
    public int status() {
        return status;
    }
}
