package io.gev.spring.boot.autoconfigure;

import io.gev.Client;

/**
 * Adjusts the builder of every gev client that {@link GevClients} hands out, after the
 * {@code gev.client.*} properties were applied and before the application sets its own options.
 * Beans of this type run in {@link org.springframework.core.annotation.Order order}.
 */
@FunctionalInterface
public interface GevClientCustomizer {

    /** Adjusts a client builder; its TLS options, reconnect listener or name, for example. */
    void customize(Client.Builder builder);
}
