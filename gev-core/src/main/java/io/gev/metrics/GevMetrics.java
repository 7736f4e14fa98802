package io.gev.metrics;

import io.gev.CloseReason;
import io.gev.Server;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Binds one server's counters to a Micrometer registry. The meters read gev's per-loop counters
 * when scraped, so they add nothing to the hot path. Every meter carries the tag
 * {@code server=<name>} plus any extra tags given here.
 *
 * <ul>
 * <li>{@code gev.connections} (gauge): open connections</li>
 * <li>{@code gev.connections.accepted} (counter)</li>
 * <li>{@code gev.connections.closed} (counter, tag {@code reason}, see {@link CloseReason#tag()})</li>
 * <li>{@code gev.bytes.in}, {@code gev.bytes.out} (counters, bytes)</li>
 * <li>{@code gev.messages.in}, {@code gev.messages.out} (counters)</li>
 * <li>{@code gev.write.buffer} (gauge, bytes queued and not yet written)</li>
 * <li>{@code gev.loop.tasks.pending} (gauge, tag {@code loop})</li>
 * <li>{@code gev.handshake.duration} (timer of count and total time, tag {@code kind}: {@code tls} for
 * TLS handshakes, {@code upgrade} for a protocol's own such as the WebSocket upgrade)</li>
 * <li>{@code gev.sessions} (gauge, tag {@code kind}: open connections past their TLS handshake, or
 * past their upgrade: the WebSocket sessions)</li>
 * <li>{@code gev.loop.blocked} (counter): stalls the blocked-loop watchdog reported</li>
 * <li>{@code gev.handler.backlog} (gauge): messages waiting for an offloaded handler</li>
 * </ul>
 *
 * <p>May be bound before {@link Server#start()}: meters read zero until the server runs.
 */
public final class GevMetrics implements MeterBinder {

    private final Server server;
    private final Tags tags;

    public GevMetrics(Server server) {
        this(server, Tags.empty());
    }

    public GevMetrics(Server server, Iterable<Tag> extraTags) {
        this.server = Objects.requireNonNull(server, "server");
        this.tags = Tags.of("server", server.name()).and(extraTags);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        // Read through the server at each scrape: a restarted server counts on a new engine's
        // stats, and meters that kept the first engine's would read it forever.
        Gauge.builder("gev.connections", server, (s) -> s.stats().activeConnections())
                .tags(tags).description("Open connections").baseUnit(BaseUnits.CONNECTIONS).register(registry);
        FunctionCounter.builder("gev.connections.accepted", server, (s) -> s.stats().acceptedConnections())
                .tags(tags).description("Connections accepted").baseUnit(BaseUnits.CONNECTIONS).register(registry);
        for (CloseReason reason : CloseReason.values()) {
            FunctionCounter.builder("gev.connections.closed", server, (s) -> s.stats().closedConnections(reason))
                    .tags(tags).tag("reason", reason.tag()).description("Connections closed, by reason")
                    .baseUnit(BaseUnits.CONNECTIONS).register(registry);
        }
        FunctionCounter.builder("gev.bytes.in", server, (s) -> s.stats().bytesIn())
                .tags(tags).description("Bytes read from sockets").baseUnit(BaseUnits.BYTES).register(registry);
        FunctionCounter.builder("gev.bytes.out", server, (s) -> s.stats().bytesOut())
                .tags(tags).description("Bytes written to sockets").baseUnit(BaseUnits.BYTES).register(registry);
        FunctionCounter.builder("gev.messages.in", server, (s) -> s.stats().messagesIn())
                .tags(tags).description("Frames decoded and handed to the handler").baseUnit(BaseUnits.MESSAGES)
                .register(registry);
        FunctionCounter.builder("gev.messages.out", server, (s) -> s.stats().messagesOut())
                .tags(tags).description("Messages packed for sending").baseUnit(BaseUnits.MESSAGES).register(registry);
        Gauge.builder("gev.write.buffer", server, (s) -> s.stats().writeBufferBytes())
                .tags(tags).description("Bytes queued on connections and not yet written")
                .baseUnit(BaseUnits.BYTES).register(registry);
        FunctionTimer.builder("gev.handshake.duration", server, (s) -> s.stats().tlsHandshakes(),
                        (s) -> s.stats().tlsHandshakeNanos(), TimeUnit.NANOSECONDS)
                .tags(tags).tag("kind", "tls").description("TLS handshakes, from registration to the last message")
                .register(registry);
        FunctionTimer.builder("gev.handshake.duration", server, (s) -> s.stats().upgrades(),
                        (s) -> s.stats().upgradeNanos(), TimeUnit.NANOSECONDS)
                .tags(tags).tag("kind", "upgrade").description("Protocol handshakes such as WebSocket upgrades")
                .register(registry);
        Gauge.builder("gev.sessions", server, (s) -> s.stats().tlsSessions())
                .tags(tags).tag("kind", "tls").description("Open connections past their TLS handshake")
                .baseUnit(BaseUnits.SESSIONS).register(registry);
        Gauge.builder("gev.sessions", server, (s) -> s.stats().upgradedConnections())
                .tags(tags).tag("kind", "upgrade").description("Open connections past their protocol's handshake")
                .baseUnit(BaseUnits.SESSIONS).register(registry);
        Gauge.builder("gev.handler.backlog", server, (s) -> s.stats().handlerBacklog())
                .tags(tags).description("Messages waiting for an offloaded handler")
                .baseUnit(BaseUnits.MESSAGES).register(registry);
        FunctionCounter.builder("gev.loop.blocked", server, (s) -> s.stats().blockedLoopStalls())
                .tags(tags).description("Stalls of a loop in one callback or task, reported by the watchdog")
                .baseUnit(BaseUnits.EVENTS).register(registry);
        for (int i = 0; i < server.stats().loops(); i++) {
            int loop = i;
            Gauge.builder("gev.loop.tasks.pending", server, (s) -> s.stats().pendingTasks(loop))
                    .tags(tags).tag("loop", Integer.toString(loop)).description("Tasks waiting in a loop's queue")
                    .baseUnit(BaseUnits.TASKS).register(registry);
        }
    }
}
