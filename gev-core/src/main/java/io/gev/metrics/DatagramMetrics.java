package io.gev.metrics;

import io.gev.udp.DatagramServer;
import io.gev.udp.DatagramStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Binds a {@link DatagramServer}'s counters to a Micrometer registry; the meters read the
 * server's stats when scraped, so they cost the receive path nothing. Every meter carries the tag
 * {@code server=<name>} plus any extra tags given here.
 *
 * <ul>
 * <li>{@code gev.udp.datagrams.in}, {@code gev.udp.datagrams.out} (counters)</li>
 * <li>{@code gev.udp.bytes.in}, {@code gev.udp.bytes.out} (counters, bytes)</li>
 * <li>{@code gev.udp.dropped} (counter, tag {@code reason}: {@code oversize}, {@code send-queue-full},
 * {@code backlog-full}, and on epoll {@code kernel}: the socket's receive queue was full)</li>
 * <li>{@code gev.udp.send.failures}, {@code gev.udp.handler.failures} (counters)</li>
 * <li>{@code gev.udp.send.queue} (gauge): datagrams waiting to be sent</li>
 * <li>{@code gev.udp.handler.backlog} (gauge): datagrams waiting for an offloaded handler</li>
 * </ul>
 *
 * <p>May be bound before {@link DatagramServer#start()}; follows restarts. The meters hold the
 * server weakly, as Micrometer's do.
 */
public final class DatagramMetrics implements MeterBinder {

    private final DatagramServer server;
    private final Tags tags;

    public DatagramMetrics(DatagramServer server) {
        this(server, Tags.empty());
    }

    public DatagramMetrics(DatagramServer server, Iterable<Tag> extraTags) {
        this.server = Objects.requireNonNull(server, "server");
        this.tags = Tags.of(GevMetrics.NAME_TAG, server.name()).and(Objects.requireNonNull(extraTags, "extraTags"));
    }

    private static ToDoubleFunction<DatagramServer> read(ToDoubleFunction<DatagramStats> field) {
        return s -> field.applyAsDouble(s.stats());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        counter(registry, "gev.udp.datagrams.in", "Datagrams received and handed to the handler", BaseUnits.MESSAGES,
                read(DatagramStats::datagramsIn));
        counter(registry, "gev.udp.datagrams.out", "Datagrams sent", BaseUnits.MESSAGES,
                read(DatagramStats::datagramsOut));
        counter(registry, "gev.udp.bytes.in", "Bytes of the datagrams received", BaseUnits.BYTES,
                read(DatagramStats::bytesIn));
        counter(registry, "gev.udp.bytes.out", "Bytes of the datagrams sent", BaseUnits.BYTES,
                read(DatagramStats::bytesOut));
        FunctionCounter.builder("gev.udp.dropped", server, read(DatagramStats::droppedOversize)).tags(tags)
                .tag("reason", "oversize").description("Datagrams dropped, by reason").baseUnit(BaseUnits.MESSAGES)
                .register(registry);
        FunctionCounter.builder("gev.udp.dropped", server, read(DatagramStats::droppedSendQueueFull)).tags(tags)
                .tag("reason", "send-queue-full").description("Datagrams dropped, by reason")
                .baseUnit(BaseUnits.MESSAGES).register(registry);
        FunctionCounter.builder("gev.udp.dropped", server, read(DatagramStats::droppedBacklog)).tags(tags)
                .tag("reason", "backlog-full").description("Datagrams dropped, by reason")
                .baseUnit(BaseUnits.MESSAGES).register(registry);
        if (server.transport() != io.gev.loop.Transport.NIO) {
            FunctionCounter.builder("gev.udp.dropped", server, s -> {
                long drops = s.stats().kernelDrops();
                return drops < 0 ? Double.NaN : drops;
            }).tags(tags).tag("reason", "kernel").description("Datagrams dropped, by reason")
                    .baseUnit(BaseUnits.MESSAGES).register(registry);
        }
        counter(registry, "gev.udp.send.failures", "Sends the system refused, and replies over the size limit",
                BaseUnits.MESSAGES, read(DatagramStats::sendFailures));
        counter(registry, "gev.udp.handler.failures", "Datagrams whose handler threw", BaseUnits.MESSAGES,
                read(DatagramStats::handlerFailures));
        Gauge.builder("gev.udp.send.queue", server, read(DatagramStats::queuedSends)).tags(tags)
                .description("Datagrams waiting to be sent").baseUnit(BaseUnits.MESSAGES).register(registry);
        Gauge.builder("gev.udp.handler.backlog", server, read(DatagramStats::handlerBacklog)).tags(tags)
                .description("Datagrams waiting for an offloaded handler").baseUnit(BaseUnits.MESSAGES)
                .register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description, String unit,
            ToDoubleFunction<DatagramServer> f) {
        FunctionCounter.builder(name, server, f).tags(tags).description(description).baseUnit(unit)
                .register(registry);
    }
}
