package io.gev.protocol;

/**
 * Thrown by a {@link Protocol} when the received bytes are malformed or exceed a limit. The
 * connection is closed; the message is logged with the peer's address, so make it say what was
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
