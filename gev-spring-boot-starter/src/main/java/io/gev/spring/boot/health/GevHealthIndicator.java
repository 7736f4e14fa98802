package io.gev.spring.boot.health;

import io.gev.Server;
import io.gev.spring.boot.context.GevServers;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Health of the gev servers: UP while every server is bound and its loops run, DOWN otherwise,
 * with each server's transport, loops, open connections and port as details.
 */
public class GevHealthIndicator extends AbstractHealthIndicator {

    private final GevServers servers;

    public GevHealthIndicator(GevServers servers) {
        super("gev health check failed");
        this.servers = servers;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        boolean up = true;
        for (GevServers.Managed managed : this.servers) {
            Server server = managed.server();
            Map<String, Object> details = new LinkedHashMap<>();
            boolean running = server.isRunning();
            details.put("status", running ? "UP" : "DOWN");
            details.put("transport", server.transport().name());
            details.put("loops", server.stats().loops());
            details.put("connections", server.stats().activeConnections());
            if (running) {
                details.put("port", server.port());
            }
            builder.withDetail(managed.name(), details);
            up &= running;
        }
        if (up) {
            builder.up();
        } else {
            builder.down();
        }
    }
}
