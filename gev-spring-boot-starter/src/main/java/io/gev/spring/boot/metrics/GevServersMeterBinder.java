package io.gev.spring.boot.metrics;

import io.gev.metrics.GevMetrics;
import io.gev.spring.boot.context.GevServers;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Binds the meters of every server in {@link GevServers} ({@code gev.*}, tagged {@code side=server} and
 * {@code server=<name>}); see {@link GevMetrics}.
 */
public class GevServersMeterBinder implements MeterBinder {

    private final GevServers servers;

    public GevServersMeterBinder(GevServers servers) {
        this.servers = servers;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (GevServers.Managed managed : this.servers) {
            new GevMetrics(managed.server()).bindTo(registry);
        }
    }
}
