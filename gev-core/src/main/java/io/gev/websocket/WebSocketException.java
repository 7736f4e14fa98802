package io.gev.websocket;

/** A frame or message the server must refuse, with the close code that tells the peer why. */
final class WebSocketException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int code;

    WebSocketException(int code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    /** The close code to send, one of {@link CloseStatus}. */
    int code() {
        return code;
    }
}
