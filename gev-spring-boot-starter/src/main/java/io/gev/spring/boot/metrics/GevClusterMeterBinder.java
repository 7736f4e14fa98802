package io.gev.spring.boot.metrics;

import io.gev.websocket.WebSocketGroups;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.function.ToDoubleFunction;

/**
 * Binds the meters of cluster-wide groups: the counter {@code gev.cluster.messages} tagged
 * {@code outcome=published|received|dropped|rejected} (messages, not deliveries to members), and
 * the gauge {@code gev.cluster.broker.available} (1 while the broker is reachable).
 */
public class GevClusterMeterBinder implements MeterBinder {

    private final WebSocketGroups groups;

    public GevClusterMeterBinder(WebSocketGroups groups) {
        this.groups = groups;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        counter(registry, "published", "Group messages the broker took for other instances", WebSocketGroups::published);
        counter(registry, "received", "Group messages from other instances delivered here", WebSocketGroups::received);
        counter(registry, "dropped", "Group messages other instances missed: the broker was unreachable",
                WebSocketGroups::dropped);
        counter(registry, "rejected", "Malformed or too large messages from the broker", WebSocketGroups::rejected);
        Gauge.builder("gev.cluster.broker.available", this.groups, g -> g.isBrokerAvailable() ? 1 : 0)
            .description("1 while the group broker is reachable, else 0")
            .register(registry);
    }

    private void counter(MeterRegistry registry, String outcome, String description,
            ToDoubleFunction<WebSocketGroups> count) {
        FunctionCounter.builder("gev.cluster.messages", this.groups, count)
            .tag("outcome", outcome)
            .description(description)
            .register(registry);
    }
}
