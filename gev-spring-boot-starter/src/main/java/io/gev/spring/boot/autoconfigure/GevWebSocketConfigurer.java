package io.gev.spring.boot.autoconfigure;

/**
 * Maps WebSocket handlers to paths on the auto-configured WebSocket server, as Spring's
 * {@code WebSocketConfigurer} does for its own WebSocket support. Beans of this type run in
 * {@link org.springframework.core.annotation.Order order} once, while the servers are made; their
 * routes and those of {@code gev.websocket.routes.*} are served side by side on
 * {@code gev.websocket.port}.
 *
 * <pre>{@code
 * @Bean
 * GevWebSocketConfigurer routes(EchoHandler echo, ChatHandler chat) {
 *     return (registry) -> {
 *         registry.addHandler(echo, "/echo");
 *         registry.addHandler(chat, "/chat").setSubprotocols("chat.v1")
 *                 .setAllowedOriginPatterns("https://*.example.com");
 *     };
 * }
 * }</pre>
 */
@FunctionalInterface
public interface GevWebSocketConfigurer {

    /** Adds the application's handlers, each on its paths, to {@code registry}. */
    void registerHandlers(GevWebSocketHandlerRegistry registry);
}
