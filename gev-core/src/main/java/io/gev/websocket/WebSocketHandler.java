package io.gev.websocket;

/**
 * Application callbacks of a WebSocket server; every method has a default, so implement only
 * what you need.
 *
 * <p>As with any gev {@link io.gev.Handler}, all callbacks of one connection run on its event-loop
 * thread, in order, and must not block; a callback that throws closes its connection. Push from
 * other threads with the {@link WebSocketSession}'s methods. A handler that blocks runs offloaded
 * ({@link io.gev.HandlerExecution}): then {@code onOpen}, {@code onMessage},
 * {@code onWritabilityChanged} and {@code onClose} run on the handler's threads, one at a time and
 * in order per session, while {@code onHandshake} still runs on the loop, which holds the upgrade:
 * keep it to checks of the request, and do lookups in {@code onOpen}.
 *
 * <pre>{@code
 * WebSocketHandler echo = new WebSocketHandler() {
 *     public Object onMessage(WebSocketSession session, WebSocketMessage message) {
 *         return message; // echo, text as text and binary as binary
 *     }
 * };
 * }</pre>
 */
public interface WebSocketHandler {

    /**
     * Called with an upgrade request that passed the server's checks (method, version, path, key,
     * origin), before the server answers it: read its path, query and headers, then
     * {@link HandshakeRequest#reject(int, String) reject} it (for example with 401) or let it
     * through; {@link HandshakeRequest#setAttribute} keeps what you found for later. A hook that
     * throws answers 500.
     */
    default void onHandshake(HandshakeRequest request) {
    }

    /** Called once the server has accepted the upgrade, before any message. */
    default void onOpen(WebSocketSession session) {
    }

    /**
     * Called for every complete text or binary message; fragments have been joined, compressed
     * messages inflated and text checked to be UTF-8. Pings, pongs and the close handshake are
     * handled by the server.
     *
     * @param message valid during this call only (see {@link WebSocketMessage})
     * @return a reply or {@code null}: a {@link CharSequence} is sent as text, a
     *         {@link java.nio.ByteBuffer} or {@code byte[]} as binary, the {@code message} itself
     *         with its own type
     */
    default Object onMessage(WebSocketSession session, WebSocketMessage message) {
        return null;
    }

    /**
     * Called once when an opened session's connection has closed, for whatever reason.
     *
     * @param code the code of the close frame that began the close handshake, the client's or
     *             the server's (after {@link WebSocketSession#close(int, String)} or a protocol
     *             error, whether or not the client answered); {@link CloseStatus#NO_STATUS_RECEIVED}
     *             when the client's close frame was empty; {@link CloseStatus#ABNORMAL_CLOSURE}
     *             when the connection ended without a close frame (the client vanished, or did not
     *             answer a keep-alive ping)
     * @param reason the reason that came with {@code code}, possibly empty
     */
    default void onClose(WebSocketSession session, int code, String reason) {
    }

    /** See {@link io.gev.Handler#onWritabilityChanged}: {@link WebSocketSession#isWritable()} changed. */
    default void onWritabilityChanged(WebSocketSession session) {
    }
}
