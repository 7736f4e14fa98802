package io.gev;

/** Why a connection was closed; metrics tag closed connections with {@link #tag()}. */
public enum CloseReason {

    /** The peer closed the connection (end of stream). */
    PEER("peer"),
    /** The application called {@link Connection#close()}. */
    LOCAL("local"),
    /** No bytes arrived for longer than the server's idle timeout. */
    IDLE("idle"),
    /** A socket error such as a connection reset. */
    IO_ERROR("io-error"),
    /** A {@link Handler} callback threw. */
    HANDLER_ERROR("handler-error"),
    /** The protocol rejected the bytes received (malformed or over a limit). */
    PROTOCOL_ERROR("protocol-error"),
    /** The peer stopped reading and the buffered outbound bytes passed the write buffer limit. */
    WRITE_LIMIT("write-limit"),
    /** The inbound bytes waiting for a complete frame passed the read buffer limit. */
    READ_LIMIT("read-limit"),
    /**
     * TLS failed: the handshake failed or timed out, the peer sent bytes that are not valid TLS
     * records, or it asked for a renegotiation.
     */
    TLS_ERROR("tls-error"),
    /** The server's connection limit was reached; the connection was accepted and closed at once. */
    REJECTED("rejected"),
    /** The server was stopped. */
    SHUTDOWN("shutdown");

    private final String tag;

    CloseReason(String tag) {
        this.tag = tag;
    }

    /** The lower-case name used in logs and as a metrics tag. */
    public String tag() {
        return tag;
    }
}
