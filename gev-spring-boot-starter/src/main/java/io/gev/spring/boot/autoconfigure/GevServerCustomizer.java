package io.gev.spring.boot.autoconfigure;

import io.gev.Server;

/**
 * Adjusts a gev server's options after {@code gev.*} properties were applied. Beans of this type
 * run in {@link org.springframework.core.annotation.Order order} for every auto-configured
 * server; {@link Server.Builder#name()} tells which (the handler bean's name).
 */
@FunctionalInterface
public interface GevServerCustomizer {

    void customize(Server.Builder builder);
}
