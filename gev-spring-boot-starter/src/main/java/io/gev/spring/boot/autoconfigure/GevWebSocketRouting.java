package io.gev.spring.boot.autoconfigure;

import io.gev.Server;
import io.gev.websocket.WebSocketHandler;
import io.gev.websocket.WebSocketOptions;
import io.gev.websocket.WebSocketRoute;
import io.gev.websocket.WebSocketRoutes;
import io.gev.websocket.WebSocketServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.StringUtils;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the WebSocket server serves: the one {@link WebSocketHandler} bean on every path (or on
 * {@code gev.websocket.path}), or the routes of {@code gev.websocket.routes.*} and of the
 * {@link GevWebSocketConfigurer} beans, each handler on its paths.
 */
final class GevWebSocketRouting {

    private static final Logger log = LoggerFactory.getLogger(GevWebSocketRouting.class);

    private static final String ROUTES = "gev.websocket.routes";

    private final String name;
    private final WebSocketHandler handler;
    private final WebSocketRoutes routes;

    private GevWebSocketRouting(String name, WebSocketHandler handler, WebSocketRoutes routes) {
        this.name = name;
        this.handler = handler;
        this.routes = routes;
    }

    /** The server's name: the bean's of a single handler, {@value WebSocketServer#DEFAULT_NAME} with routes. */
    String name() {
        return this.name;
    }

    /** A server builder serving the handler or the routes with {@code options}. */
    Server.Builder builder(WebSocketOptions options) {
        return (this.routes != null) ? WebSocketServer.builder(this.routes, options)
                : WebSocketServer.builder(this.handler, options);
    }

    /**
     * @param beans the WebSocketHandler beans by name
     * @param configurers the GevWebSocketConfigurer beans by name, in their order
     * @return what to serve, or {@code null} when there are neither beans nor routes
     * @throws GevServerConfigurationException when a route names no bean or a bad path, two routes
     *         claim one path, or several beans have no routes
     */
    static GevWebSocketRouting resolve(GevProperties.WebSocketProperties ws, Map<String, WebSocketHandler> beans,
            Map<String, GevWebSocketConfigurer> configurers) {
        Map<String, String> sources = new HashMap<>();
        WebSocketRoutes.Builder routes = WebSocketRoutes.builder();
        List<WebSocketHandler> routed = new ArrayList<>();
        ws.getRoutes().forEach((route, config) -> {
            String key = ROUTES + "." + route;
            WebSocketHandler handler = handler(key, config, beans);
            if (config.getPath().isEmpty()) {
                throw new GevServerConfigurationException(key + ".path is not set, so route '" + route
                        + "' serves no path.", "Set " + key + ".path to the paths its handler serves, such as /"
                                + route + ".");
            }
            for (String path : config.getPath()) {
                add(routes, sources, key, () -> route(path, handler, config.getSubprotocols(),
                        config.getAllowedOrigins(), config.getAllowedOriginPatterns()));
            }
            routed.add(handler);
        });
        for (Map.Entry<String, GevWebSocketConfigurer> configurer : configurers.entrySet()) {
            GevWebSocketHandlerRegistry registry = new GevWebSocketHandlerRegistry();
            configurer.getValue().registerHandlers(registry);
            String source = "GevWebSocketConfigurer bean '" + configurer.getKey() + "'";
            for (GevWebSocketHandlerRegistration registration : registry.registrations()) {
                for (String path : registration.paths()) {
                    add(routes, sources, source, () -> route(path, registration.handler(), registration.subprotocols(),
                            registration.allowedOrigins(), registration.allowedOriginPatterns()));
                }
                routed.add(registration.handler());
            }
        }
        if (!sources.isEmpty()) {
            if (!ws.getPath().isEmpty()) {
                throw new GevServerConfigurationException("gev.websocket.path is " + ws.getPath()
                        + " but the WebSocket server has routes, whose paths say what it serves: " + sources.keySet()
                        + ".", "Remove gev.websocket.path; add a route for each path instead.");
            }
            List<String> unrouted = new ArrayList<>();
            beans.forEach((bean, handler) -> {
                if (!routed.contains(handler)) {
                    unrouted.add(bean);
                }
            });
            if (!unrouted.isEmpty()) {
                log.info("WebSocketHandler beans {} are on no route and are not served", unrouted);
            }
            return new GevWebSocketRouting(WebSocketServer.DEFAULT_NAME, null, routes.build());
        }
        if (beans.size() > 1) {
            String first = beans.keySet().iterator().next();
            throw new GevServerConfigurationException("gev found " + beans.size() + " WebSocketHandler beans "
                    + beans.keySet() + " but no routes saying which path each serves on gev.websocket.port.",
                    "Map each handler to its paths: set " + ROUTES + ".<route>.path and " + ROUTES
                            + ".<route>.handler for each, for example " + ROUTES + "." + first + ".path=/" + first
                            + " and " + ROUTES + "." + first + ".handler=" + first
                            + ", or define a GevWebSocketConfigurer bean that calls "
                            + "registry.addHandler(handler, \"/path\") for each; or keep a single WebSocketHandler "
                            + "bean.");
        }
        if (beans.isEmpty()) {
            return null;
        }
        Map.Entry<String, WebSocketHandler> only = beans.entrySet().iterator().next();
        return new GevWebSocketRouting(only.getKey(), only.getValue(), null);
    }

    private static WebSocketHandler handler(String key, GevProperties.WebSocketProperties.Route config,
            Map<String, WebSocketHandler> beans) {
        String name = config.getHandler();
        if (!StringUtils.hasText(name)) {
            throw new GevServerConfigurationException(key + ".handler is not set, so the route has no handler.",
                    "Set " + key + ".handler to the name of a WebSocketHandler bean; WebSocketHandler beans: "
                            + beans.keySet() + ".");
        }
        WebSocketHandler handler = beans.get(name);
        if (handler == null) {
            throw new GevServerConfigurationException(key + ".handler is '" + name
                    + "', but there is no WebSocketHandler bean of that name; WebSocketHandler beans: " + beans.keySet()
                    + ".", "Set " + key + ".handler to the name of one of them, or define a WebSocketHandler bean "
                            + "named '" + name + "'.");
        }
        return handler;
    }

    /** Adds a route, naming {@code source} when core refuses it or another source has its path. */
    private static void add(WebSocketRoutes.Builder routes, Map<String, String> sources, String source,
            Supplier<WebSocketRoute> route) {
        WebSocketRoute built;
        try {
            built = route.get();
        } catch (IllegalArgumentException | NullPointerException ex) {
            throw new GevServerConfigurationException("gev cannot route WebSocket paths of " + source + ": "
                    + ex.getMessage() + ".", "Fix the route's " + ((source.startsWith(ROUTES)) ? "keys under "
                            + source : "registration") + ".", ex);
        }
        String before = sources.putIfAbsent(built.path(), source);
        if (before != null) {
            throw new GevServerConfigurationException("WebSocket path " + built.path() + " is routed twice: by "
                    + before + " and by " + source + ".", "Give each route paths of its own.");
        }
        routes.route(built);
    }

    /** A route with the settings given; {@code null} ones the server's. */
    static WebSocketRoute route(String path, WebSocketHandler handler, List<String> subprotocols,
            List<String> allowedOrigins, List<String> allowedOriginPatterns) {
        WebSocketRoute.Builder route = WebSocketRoute.builder(path, handler);
        if (subprotocols != null) {
            route.subprotocols(subprotocols);
        }
        if (allowedOrigins != null) {
            route.allowedOrigins(allowedOrigins);
        }
        if (allowedOriginPatterns != null) {
            route.allowedOriginPatterns(allowedOriginPatterns);
        }
        return route.build();
    }

    @Override
    public String toString() {
        return "GevWebSocketRouting[" + this.name + ", " + ((this.routes != null) ? this.routes : this.handler) + "]";
    }
}
