package io.gev.spring.boot.autoconfigure;

import io.gev.websocket.WebSocketHandler;

import java.util.List;

/**
 * One {@link GevWebSocketHandlerRegistry#addHandler} call: a handler, its paths, and the
 * subprotocols and origins they accept where they differ from {@code gev.websocket.*}.
 */
public final class GevWebSocketHandlerRegistration {

    private final WebSocketHandler handler;
    private final List<String> paths;
    private List<String> subprotocols;
    private List<String> allowedOrigins;
    private List<String> allowedOriginPatterns;

    GevWebSocketHandlerRegistration(WebSocketHandler handler, List<String> paths) {
        this.handler = handler;
        this.paths = paths;
    }

    /** Subprotocols of these paths, in order of preference, instead of {@code gev.websocket.subprotocols}. */
    public GevWebSocketHandlerRegistration setSubprotocols(String... subprotocols) {
        this.subprotocols = List.of(subprotocols);
        return this;
    }

    /**
     * Origins allowed on these paths besides the server's own, {@code *} for any. Setting this or
     * {@link #setAllowedOriginPatterns} replaces both {@code gev.websocket.allowed-origins} and
     * {@code gev.websocket.allowed-origin-patterns} for these paths.
     */
    public GevWebSocketHandlerRegistration setAllowedOrigins(String... allowedOrigins) {
        this.allowedOrigins = List.of(allowedOrigins);
        return this;
    }

    /**
     * Origin patterns allowed on these paths besides the server's own, such as
     * {@code https://*.example.com} or {@code http://localhost:[*]}; see {@link #setAllowedOrigins}.
     */
    public GevWebSocketHandlerRegistration setAllowedOriginPatterns(String... allowedOriginPatterns) {
        this.allowedOriginPatterns = List.of(allowedOriginPatterns);
        return this;
    }

    WebSocketHandler handler() {
        return this.handler;
    }

    List<String> paths() {
        return this.paths;
    }

    List<String> subprotocols() {
        return this.subprotocols;
    }

    List<String> allowedOrigins() {
        return this.allowedOrigins;
    }

    List<String> allowedOriginPatterns() {
        return this.allowedOriginPatterns;
    }
}
