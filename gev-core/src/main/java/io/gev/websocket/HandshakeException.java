package io.gev.websocket;

/** An upgrade request the server refuses, with the HTTP status and extra headers to answer with. */
final class HandshakeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String[] headers;

    /**
     * @param headers extra response headers as name, value, name, value...
     */
    HandshakeException(int status, String message, String... headers) {
        super(message, null, false, false);
        this.status = status;
        this.headers = headers;
    }

    int status() {
        return status;
    }

    String[] headers() {
        return headers;
    }
}
