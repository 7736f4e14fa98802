package io.gev.spring.boot.autoconfigure;

import io.gev.Server;

/**
 * Adjusts a gev server's options after {@code gev.*} properties were applied, before the server
 * is built. Beans of this type run in {@link org.springframework.core.annotation.Order order} for
 * every auto-configured server.
 */
@FunctionalInterface
public interface GevServerCustomizer {

    /** Adjusts the builder of every auto-configured server. */
    void customize(Server.Builder builder);

    /**
     * Adjusts the builder of the server named {@code name}: its handler bean's name, or
     * {@code websocket} for a WebSocket server of routes (with {@code -tls} appended for the second,
     * wss:// server of {@code gev.websocket.ssl.port}). The
     * auto-configuration calls this method; by default it calls {@link #customize(Server.Builder)},
     * so override this one to treat servers differently by name.
     */
    default void customize(String name, Server.Builder builder) {
        customize(builder);
    }
}
