package io.gev.websocket;

import io.gev.Server;

import java.util.Objects;

/**
 * Entry point of a WebSocket server: a gev {@link Server.Builder} set up with the WebSocket
 * protocol and a {@link WebSocketHandler}, ready for port, loops and the other server options.
 *
 * <pre>{@code
 * Server server = WebSocketServer.builder(handler, WebSocketOptions.builder().paths("/echo").build())
 *         .port(1834)
 *         .build();
 * server.start();
 * }</pre>
 */
public final class WebSocketServer {

    /** The port of a WebSocket server when none is set (the sample application's). */
    public static final int DEFAULT_PORT = 1834;
    /** The name of a WebSocket server when none is set, used in thread names, logs and metrics. */
    public static final String DEFAULT_NAME = "websocket";

    private WebSocketServer() {
    }

    /** A server builder for {@code handler} with the default {@link WebSocketOptions}. */
    public static Server.Builder builder(WebSocketHandler handler) {
        return builder(handler, WebSocketOptions.defaults());
    }

    /**
     * A server builder whose protocol is WebSocket with {@code options} and whose connections
     * {@code handler} serves; its port defaults to {@value #DEFAULT_PORT} and its name to
     * {@value #DEFAULT_NAME}. Do not replace its protocol.
     */
    public static Server.Builder builder(WebSocketHandler handler, WebSocketOptions options) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(options, "options");
        WebSocketProtocol protocol = new WebSocketProtocol(options);
        return Server.builder(new WebSocketAdapter(handler, protocol))
                .protocol(protocol)
                .name(DEFAULT_NAME)
                .port(DEFAULT_PORT);
    }

    /** Starts a server with default options on {@code port}; returns once it accepts connections. */
    public static Server start(int port, WebSocketHandler handler) {
        Server server = builder(handler).port(port).build();
        server.start();
        return server;
    }
}
