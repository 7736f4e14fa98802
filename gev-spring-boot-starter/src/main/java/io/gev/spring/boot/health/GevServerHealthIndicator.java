package io.gev.spring.boot.health;

import io.gev.Server;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of one gev server: UP while it is bound and its loops run, DOWN otherwise, with its
 * transport, TLS, loops, open connections and port as details. The starter registers one per
 * server under the {@code gev} contributor ({@code gev/<server-name>}), so that a health group
 * can include a single server.
 */
public class GevServerHealthIndicator extends AbstractHealthIndicator {

    private final Server server;

    public GevServerHealthIndicator(Server server) {
        super("gev health check failed");
        this.server = server;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        boolean running = this.server.isRunning();
        builder.status(running ? "UP" : "DOWN")
            .withDetail("transport", this.server.transport().name())
            .withDetail("tls", this.server.options().tls().isPresent())
            .withDetail("loops", this.server.stats().loops())
            .withDetail("connections", this.server.stats().activeConnections());
        if (running && this.server.unixSocket().isPresent()) {
            builder.withDetail("unixSocket", this.server.unixSocket().get().toString());
        } else if (running) {
            builder.withDetail("port", this.server.port());
        }
    }
}
