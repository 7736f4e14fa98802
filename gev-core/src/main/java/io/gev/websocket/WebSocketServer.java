package io.gev.websocket;

import io.gev.Server;
import io.gev.ServerOptions;

import java.util.Objects;

/**
 * Entry point of a WebSocket server: a gev {@link Server.Builder} set up with the WebSocket
 * protocol and a {@link WebSocketHandler}, or several handlers each on its own path
 * ({@link WebSocketRoutes}), ready for port, loops and the other server options.
 *
 * <pre>{@code
 * Server server = WebSocketServer.builder(handler, WebSocketOptions.builder().paths("/echo").build())
 *         .port(1834)
 *         .build();
 * server.start();
 *
 * Server routed = WebSocketServer.builder(WebSocketRoutes.builder()
 *                 .route("/echo", echo)
 *                 .route("/chat", chat)
 *                 .build())
 *         .port(1835)
 *         .build();
 * }</pre>
 */
public final class WebSocketServer {

    /** The port of a WebSocket server when none is set (the sample application's). */
    public static final int DEFAULT_PORT = 1834;
    /** The name of a WebSocket server when none is set, used in thread names, logs and metrics. */
    public static final String DEFAULT_NAME = "websocket";
    /**
     * What the default write buffer limit allows beyond {@link WebSocketOptions#maxMessageSize()}:
     * the frame header, what compression may add to incompressible data, and the control frames
     * and other replies written with it.
     */
    public static final int WRITE_BUFFER_SLACK = 1024 * 1024;

    private WebSocketServer() {
    }

    /** A server builder for {@code handler} with the default {@link WebSocketOptions}. */
    public static Server.Builder builder(WebSocketHandler handler) {
        return builder(handler, WebSocketOptions.defaults());
    }

    /**
     * A server builder whose protocol is WebSocket with {@code options} and whose connections
     * {@code handler} serves; its port defaults to {@value #DEFAULT_PORT} and its name to
     * {@value #DEFAULT_NAME}. Its write buffer limit defaults to {@code maxMessageSize} plus
     * {@value #WRITE_BUFFER_SLACK} bytes, and to at least {@link Server#DEFAULT_WRITE_BUFFER_LIMIT},
     * so that a message as large as the server accepts can be sent back.
     */
    public static Server.Builder builder(WebSocketHandler handler, WebSocketOptions options) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(options, "options");
        return builder(options, Endpoints.single(handler, options));
    }

    /** A server builder for {@code routes} with the default {@link WebSocketOptions}. */
    public static Server.Builder builder(WebSocketRoutes routes) {
        return builder(routes, WebSocketOptions.defaults());
    }

    /**
     * A server builder whose protocol is WebSocket with {@code options} and whose upgrades go to
     * the route of their path (other paths get 404), as {@link #builder(WebSocketHandler,
     * WebSocketOptions)} otherwise. Each route speaks its own subprotocols and allows its own
     * origins where it sets them, those of {@code options} where not; every other option applies
     * to all routes.
     *
     * @throws IllegalArgumentException naming {@code paths} when {@code options} have paths: the
     *         routes say which paths are served
     */
    public static Server.Builder builder(WebSocketRoutes routes, WebSocketOptions options) {
        Objects.requireNonNull(routes, "routes");
        Objects.requireNonNull(options, "options");
        return builder(options, Endpoints.routed(routes, options));
    }

    private static Server.Builder builder(WebSocketOptions options, Endpoints endpoints) {
        WebSocketProtocol protocol = new WebSocketProtocol(options, endpoints);
        return Server.builder(protocol, new WebSocketAdapter(protocol))
                .name(DEFAULT_NAME)
                .port(DEFAULT_PORT)
                .writeBufferLimit(writeBufferLimit(options));
    }

    /** Whether {@code server} was built here: its connections speak WebSocket. */
    public static boolean isWebSocket(Server server) {
        return server.protocol() instanceof WebSocketProtocol;
    }

    static int writeBufferLimit(WebSocketOptions options) {
        long limit = Math.max(ServerOptions.DEFAULT_WRITE_BUFFER_LIMIT, (long) options.maxMessageSize() + WRITE_BUFFER_SLACK);
        return (int) Math.min(Integer.MAX_VALUE, limit);
    }

    /** Starts a server with default options on {@code port}; returns once it accepts connections. */
    public static Server start(int port, WebSocketHandler handler) {
        Server server = builder(handler).port(port).build();
        server.start();
        return server;
    }
}
