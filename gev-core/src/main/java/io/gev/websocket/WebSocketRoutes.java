package io.gev.websocket;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The paths of one WebSocket server, each with its own {@link WebSocketHandler}: give it to
 * {@link WebSocketServer#builder(WebSocketRoutes, WebSocketOptions)} to serve several handlers on
 * one port. An upgrade goes to the route whose {@link WebSocketRoute#path() path} is exactly the
 * request's (the query ignored); a path no route serves gets 404. Immutable; build with
 * {@link #builder()}.
 *
 * <pre>{@code
 * WebSocketRoutes routes = WebSocketRoutes.builder()
 *         .route("/echo", echo)
 *         .route(WebSocketRoute.builder("/chat", chat).subprotocols("chat.v1").build())
 *         .build();
 * Server server = WebSocketServer.builder(routes, WebSocketOptions.defaults()).port(1834).build();
 * }</pre>
 */
public final class WebSocketRoutes {

    private final Map<String, WebSocketRoute> routes;
    private final List<WebSocketRoute> list;

    private WebSocketRoutes(Map<String, WebSocketRoute> routes) {
        this.routes = routes;
        this.list = List.copyOf(routes.values());
    }

    /** A builder without routes. */
    public static Builder builder() {
        return new Builder();
    }

    /** The routes in the order they were added. */
    public List<WebSocketRoute> routes() {
        return list;
    }

    /** The route of exactly {@code path} (without query), if there is one. */
    public Optional<WebSocketRoute> route(String path) {
        return Optional.ofNullable(routes.get(path));
    }

    @Override
    public String toString() {
        return "WebSocketRoutes" + list;
    }

    /** Builds {@link WebSocketRoutes}; not thread-safe. */
    public static final class Builder {

        private final Map<String, WebSocketRoute> routes = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Adds a route of {@code path} to {@code handler} with the server's subprotocols and origin rules.
         *
         * @throws IllegalArgumentException for a malformed path (see {@link WebSocketRoute#builder})
         *         or one routed already
         */
        public Builder route(String path, WebSocketHandler handler) {
            return route(WebSocketRoute.of(path, handler));
        }

        /**
         * Adds {@code route}.
         *
         * @throws IllegalArgumentException naming the path when it is routed already
         */
        public Builder route(WebSocketRoute route) {
            Objects.requireNonNull(route, "route");
            WebSocketRoute before = routes.putIfAbsent(route.path(), route);
            if (before != null) {
                throw new IllegalArgumentException("path " + route.path() + " is routed twice: to "
                        + before.handler() + " and to " + route.handler());
            }
            return this;
        }

        /**
         * The routes.
         *
         * @throws IllegalStateException when no route was added
         */
        public WebSocketRoutes build() {
            if (routes.isEmpty()) {
                throw new IllegalStateException("routes: none was added; add one with route(path, handler)");
            }
            return new WebSocketRoutes(new LinkedHashMap<>(routes));
        }
    }
}
