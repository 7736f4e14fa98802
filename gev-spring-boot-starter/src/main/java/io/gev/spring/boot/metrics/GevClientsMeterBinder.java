package io.gev.spring.boot.metrics;

import io.gev.Client;
import io.gev.metrics.GevMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Binds the meters of every {@link Client} bean ({@code gev.*}, tagged {@code server=<name>} and
 * {@code side=client}); see {@link GevMetrics}.
 */
public class GevClientsMeterBinder implements MeterBinder {

    private final ObjectProvider<Client> clients;

    public GevClientsMeterBinder(ObjectProvider<Client> clients) {
        this.clients = clients;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.clients.orderedStream().forEach((client) -> new GevMetrics(client).bindTo(registry));
    }
}
