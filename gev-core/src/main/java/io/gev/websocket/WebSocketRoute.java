package io.gev.websocket;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One path of a {@link WebSocketRoutes routed} WebSocket server: the handler of the upgrades to
 * that path and, where the route sets them, its own subprotocols and origin rules. What it does
 * not set comes from the server's {@link WebSocketOptions}. Immutable; build with
 * {@link #builder(String, WebSocketHandler)}, or {@link #of(String, WebSocketHandler)} for a
 * route that sets nothing of its own.
 *
 * <pre>{@code
 * WebSocketRoute chat = WebSocketRoute.builder("/chat", chatHandler)
 *         .subprotocols("chat.v2", "chat.v1")
 *         .allowedOriginPatterns("https://*.example.com")
 *         .build();
 * }</pre>
 */
public final class WebSocketRoute {

    private final String path;
    private final WebSocketHandler handler;
    private final List<String> subprotocols;
    private final List<String> allowedOrigins;
    private final List<String> allowedOriginPatterns;

    private WebSocketRoute(Builder b) {
        this.path = b.path;
        this.handler = b.handler;
        this.subprotocols = b.subprotocols;
        this.allowedOrigins = b.allowedOrigins;
        this.allowedOriginPatterns = b.allowedOriginPatterns;
    }

    /** A route of {@code path} to {@code handler} with the server's subprotocols and origin rules. */
    public static WebSocketRoute of(String path, WebSocketHandler handler) {
        return builder(path, handler).build();
    }

    /**
     * A builder of a route of {@code path} to {@code handler}.
     *
     * @param path the exact path served (see {@link #path()}), starting with {@code /}
     * @throws IllegalArgumentException naming {@code path} when it does not start with {@code /}
     *         or holds a query, fragment, {@code *}, space or control character
     * @throws NullPointerException naming {@code path} or {@code handler} when one is null
     */
    public static Builder builder(String path, WebSocketHandler handler) {
        return new Builder(checkPath(path), Objects.requireNonNull(handler, "handler"));
    }

    /** A builder holding this route. */
    public Builder toBuilder() {
        Builder b = new Builder(path, handler);
        b.subprotocols = subprotocols;
        b.allowedOrigins = allowedOrigins;
        b.allowedOriginPatterns = allowedOriginPatterns;
        return b;
    }

    /**
     * The path served, matched exactly against the request's path as sent (percent-encoding
     * kept, the query ignored): {@code /chat} serves {@code /chat?room=1} but neither
     * {@code /chat/} nor {@code /chat/1}.
     */
    public String path() {
        return path;
    }

    /** The handler of this route's connections. */
    public WebSocketHandler handler() {
        return handler;
    }

    /** This route's subprotocols, or empty when it speaks the server's {@link WebSocketOptions#subprotocols()}. */
    public Optional<List<String>> subprotocols() {
        return Optional.ofNullable(subprotocols);
    }

    /**
     * This route's allowed origins, or empty when it keeps the server's origin rules. A route
     * that sets allowed origins or origin patterns has origin rules of its own, and neither list
     * of the server's {@link WebSocketOptions} applies to it.
     */
    public Optional<List<String>> allowedOrigins() {
        return Optional.ofNullable(allowedOrigins);
    }

    /** This route's allowed origin patterns, or empty when it keeps the server's origin rules; see {@link #allowedOrigins()}. */
    public Optional<List<String>> allowedOriginPatterns() {
        return Optional.ofNullable(allowedOriginPatterns);
    }

    @Override
    public String toString() {
        return "WebSocketRoute[" + path + " -> " + handler
                + (subprotocols == null ? "" : ", subprotocols=" + subprotocols)
                + (allowedOrigins == null ? "" : ", allowedOrigins=" + allowedOrigins
                        + ", allowedOriginPatterns=" + allowedOriginPatterns)
                + "]";
    }

    static String checkPath(String path) {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= 0x20 || c == 0x7F || c == '?' || c == '#' || c == '*')) {
            throw new IllegalArgumentException("path must start with / and hold no query, fragment, '*' or spaces "
                    + "(routes match exact paths): '" + HttpHead.printable(path) + "'");
        }
        return path;
    }

    /** Builds a {@link WebSocketRoute}; not thread-safe. */
    public static final class Builder {

        private final String path;
        private final WebSocketHandler handler;
        private List<String> subprotocols;
        private List<String> allowedOrigins;
        private List<String> allowedOriginPatterns;

        private Builder(String path, WebSocketHandler handler) {
            this.path = path;
            this.handler = handler;
        }

        /**
         * Subprotocols of this route, in the server's order of preference, instead of the
         * server's; an empty list speaks none. Unless set, the server's.
         *
         * @throws IllegalArgumentException naming {@code subprotocols} for an entry that is not an HTTP token
         */
        public Builder subprotocols(List<String> subprotocols) {
            this.subprotocols = WebSocketOptions.Builder.checkSubprotocols(subprotocols);
            return this;
        }

        /** {@link #subprotocols(List)} with the given names. */
        public Builder subprotocols(String... subprotocols) {
            return subprotocols(List.of(subprotocols));
        }

        /**
         * Origins allowed besides the server's own, as {@link WebSocketOptions.Builder#allowedOrigins(List)};
         * gives the route origin rules of its own (its origin patterns, unless set, are none).
         *
         * @throws IllegalArgumentException naming {@code allowedOrigins} for a malformed entry
         */
        public Builder allowedOrigins(List<String> allowedOrigins) {
            this.allowedOrigins = OriginRules.check(allowedOrigins, "allowedOrigins", false);
            if (this.allowedOriginPatterns == null) {
                this.allowedOriginPatterns = List.of();
            }
            return this;
        }

        /** {@link #allowedOrigins(List)} with the given origins. */
        public Builder allowedOrigins(String... allowedOrigins) {
            return allowedOrigins(List.of(allowedOrigins));
        }

        /**
         * Origin patterns allowed besides the server's own origin, as
         * {@link WebSocketOptions.Builder#allowedOriginPatterns(List)}; gives the route origin rules
         * of its own (its allowed origins, unless set, are none).
         *
         * @throws IllegalArgumentException naming {@code allowedOriginPatterns} for a malformed entry
         */
        public Builder allowedOriginPatterns(List<String> allowedOriginPatterns) {
            this.allowedOriginPatterns = OriginRules.check(allowedOriginPatterns, "allowedOriginPatterns", true);
            if (this.allowedOrigins == null) {
                this.allowedOrigins = List.of();
            }
            return this;
        }

        /** {@link #allowedOriginPatterns(List)} with the given patterns. */
        public Builder allowedOriginPatterns(String... allowedOriginPatterns) {
            return allowedOriginPatterns(List.of(allowedOriginPatterns));
        }

        /** The route. */
        public WebSocketRoute build() {
            return new WebSocketRoute(this);
        }
    }
}
