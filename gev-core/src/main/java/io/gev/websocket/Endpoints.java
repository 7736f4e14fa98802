package io.gev.websocket;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the upgrades of one server go: each served path's handler, subprotocols and origin rules,
 * resolved against the server's {@link WebSocketOptions} once when the server is built. Immutable.
 */
final class Endpoints {

    /** The handler of one path and what it accepts. */
    static final class Endpoint {
        final WebSocketHandler handler;
        final List<String> subprotocols;
        final OriginRules origins;

        Endpoint(WebSocketHandler handler, List<String> subprotocols, OriginRules origins) {
            this.handler = handler;
            this.subprotocols = subprotocols;
            this.origins = origins;
        }
    }

    private final WebSocketOptions options;
    /** The endpoint of every path the options serve, or {@code null} for a routed server. */
    private final Endpoint only;
    private final Map<String, Endpoint> byPath;

    private Endpoints(WebSocketOptions options, Endpoint only, Map<String, Endpoint> byPath) {
        this.options = options;
        this.only = only;
        this.byPath = byPath;
    }

    /** One handler for every path {@code options} serve. */
    static Endpoints single(WebSocketHandler handler, WebSocketOptions options) {
        return new Endpoints(options, new Endpoint(handler, options.subprotocols(), options.originRules()), Map.of());
    }

    /**
     * The handler of each route; a route's subprotocols and origin rules where it sets them, the
     * options' where not.
     *
     * @throws IllegalArgumentException naming {@code paths} when the options have paths
     */
    static Endpoints routed(WebSocketRoutes routes, WebSocketOptions options) {
        if (!options.paths().isEmpty()) {
            throw new IllegalArgumentException("paths must be empty in the options of a routed server, whose routes "
                    + "say which paths it serves: " + options.paths());
        }
        Map<String, Endpoint> byPath = new HashMap<>();
        for (WebSocketRoute route : routes.routes()) {
            OriginRules origins = route.allowedOrigins().isEmpty() ? options.originRules()
                    : OriginRules.of(route.allowedOrigins().get(), route.allowedOriginPatterns().get());
            byPath.put(route.path(), new Endpoint(route.handler(),
                    route.subprotocols().orElse(options.subprotocols()), origins));
        }
        return new Endpoints(options, null, Map.copyOf(byPath));
    }

    /** The endpoint of {@code path} (without query), or {@code null} when it is not served. */
    Endpoint find(String path) {
        if (only != null) {
            return options.servesPath(path) ? only : null;
        }
        return byPath.get(path);
    }
}
