package io.gev.spring.boot.cluster;

import io.gev.websocket.WebSocketGroups;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * The health of cluster-wide groups ({@code gevCluster}): {@code UP} while Redis is reachable,
 * {@code OUT_OF_SERVICE} while it is not (local members still get every broadcast; other
 * instances miss them), with the reason, since when, and the message counters.
 */
public class GevClusterHealthIndicator extends AbstractHealthIndicator {

    private final RedisGroupBroker broker;
    private final WebSocketGroups groups;

    public GevClusterHealthIndicator(RedisGroupBroker broker, WebSocketGroups groups) {
        super("gev cluster health check failed");
        this.broker = broker;
        this.groups = groups;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        boolean available = this.broker.isAvailable();
        builder.status(available ? Status.UP : Status.OUT_OF_SERVICE)
            .withDetail("broker", available ? "reachable" : "unreachable")
            .withDetail("since", this.broker.since().toString())
            .withDetail("instanceId", this.groups.options().instanceId())
            .withDetail("groups", this.groups.names().size())
            .withDetail("published", this.groups.published())
            .withDetail("received", this.groups.received())
            .withDetail("dropped", this.groups.dropped())
            .withDetail("rejected", this.groups.rejected());
        if (!available) {
            builder.withDetail("error", String.valueOf(this.broker.lastError()));
        }
    }
}
