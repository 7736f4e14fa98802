package io.gev.spring.boot.autoconfigure;

import io.gev.udp.DatagramServer;

/**
 * Adjusts the auto-configured {@link DatagramServer} after {@code gev.udp.*} was applied: the
 * place for what has no property, such as an offloading
 * {@link io.gev.HandlerExecution handler execution}. Customizers run in their order.
 */
@FunctionalInterface
public interface GevDatagramServerCustomizer {

    void customize(DatagramServer.Builder builder);
}
