package io.gev.protocol;

/**
 * Thrown by a {@link Protocol} when the received bytes are malformed or exceed a limit. The
 * connection is closed after one last non-blocking write of what is queued, so a protocol may
 * {@link io.gev.Connection#send send} an error response (an HTTP 400, a WebSocket close frame)
 * and then throw; the message is logged with the peer's address, so make it say what was
 * wrong and which limit applied.
 */
public class ProtocolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
