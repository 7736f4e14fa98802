package io.gev.spring.boot.metrics;

import io.gev.metrics.DatagramMetrics;
import io.gev.spring.boot.context.GevDatagramServers;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.function.Supplier;

/** Binds the {@code gev.udp.*} meters of every datagram server; see {@link DatagramMetrics}. */
public class GevDatagramServersMeterBinder implements MeterBinder {

    private final Supplier<GevDatagramServers> servers;

    /** @param servers the servers to bind when the registry binds, or {@code null} for none */
    public GevDatagramServersMeterBinder(Supplier<GevDatagramServers> servers) {
        this.servers = servers;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        GevDatagramServers all = this.servers.get();
        if (all != null) {
            all.servers().forEach((server) -> new DatagramMetrics(server).bindTo(registry));
        }
    }
}
