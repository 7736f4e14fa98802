package io.gev.metrics;

import io.gev.Client;
import io.gev.CloseReason;
import io.gev.Server;
import io.gev.ServerStats;
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
 * Binds one server's or one client's counters to a Micrometer registry. The meters read gev's
 * per-loop counters when scraped, so they add nothing to the hot path. Every meter carries the
 * tags {@code server=<name>} (the server's or the client's name) and {@code side}: {@code server}
 * for a {@link Server}'s, {@code client} for a {@link Client}'s, plus any extra tags given here.
 * A server and a client share the meter names and the tag keys, so that registries which insist
 * on one set of keys per name (Prometheus) take both.
 *
 * <ul>
 * <li>{@code gev.connections} (gauge): open connections</li>
 * <li>{@code gev.connections.accepted} (counter): connections accepted, or for a client opened</li>
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
 * <p>May be bound before {@link Server#start()} or a client's first connect: meters read zero
 * until it runs, and follow it through restarts. The meters hold the server or client weakly, as
 * Micrometer's gauges do: they read {@code NaN} once it is gone.
 */
public final class GevMetrics implements MeterBinder {

    /** The tag key of the server's or client's name. */
    public static final String NAME_TAG = "server";
    /** The tag key telling a server's meters ({@value #SERVER}) from a client's ({@value #CLIENT}). */
    public static final String SIDE_TAG = "side";
    /** The {@value #SIDE_TAG} of a server's meters. */
    public static final String SERVER = "server";
    /** The {@value #SIDE_TAG} of a client's meters. */
    public static final String CLIENT = "client";

    /** The server or the client; each meter reads its stats at each scrape. */
    private final Object endpoint;
    private final Tags tags;
    private final int loops;

    public GevMetrics(Server server) {
        this(server, Tags.empty());
    }

    public GevMetrics(Server server, Iterable<Tag> extraTags) {
        this(Objects.requireNonNull(server, "server"), server.name(), SERVER, server.stats().loops(), extraTags);
    }

    /** Binds a client's meters, tagged {@code side=client}. */
    public GevMetrics(Client client) {
        this(client, Tags.empty());
    }

    /** Binds a client's meters, tagged {@code side=client} and with {@code extraTags}. */
    public GevMetrics(Client client, Iterable<Tag> extraTags) {
        this(Objects.requireNonNull(client, "client"), client.name(), CLIENT, client.stats().loops(), extraTags);
    }

    private GevMetrics(Object endpoint, String name, String side, int loops, Iterable<Tag> extraTags) {
        this.endpoint = endpoint;
        this.tags = Tags.of(NAME_TAG, name, SIDE_TAG, side).and(Objects.requireNonNull(extraTags, "extraTags"));
        this.loops = loops;
    }

    /** Read through the server or client at each scrape: a restart counts on a new engine's stats. */
    private static ServerStats stats(Object endpoint) {
        return endpoint instanceof Server server ? server.stats() : ((Client) endpoint).stats();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        // Read through the server or client at each scrape: a restarted one counts on a new
        // engine's stats, and meters that kept the first engine's would read it forever.
        Gauge.builder("gev.connections", endpoint, (s) -> stats(s).activeConnections())
                .tags(tags).description("Open connections").baseUnit(BaseUnits.CONNECTIONS).register(registry);
        FunctionCounter.builder("gev.connections.accepted", endpoint, (s) -> stats(s).acceptedConnections())
                .tags(tags).description("Connections accepted").baseUnit(BaseUnits.CONNECTIONS).register(registry);
        for (CloseReason reason : CloseReason.values()) {
            FunctionCounter.builder("gev.connections.closed", endpoint, (s) -> stats(s).closedConnections(reason))
                    .tags(tags).tag("reason", reason.tag()).description("Connections closed, by reason")
                    .baseUnit(BaseUnits.CONNECTIONS).register(registry);
        }
        FunctionCounter.builder("gev.bytes.in", endpoint, (s) -> stats(s).bytesIn())
                .tags(tags).description("Bytes read from sockets").baseUnit(BaseUnits.BYTES).register(registry);
        FunctionCounter.builder("gev.bytes.out", endpoint, (s) -> stats(s).bytesOut())
                .tags(tags).description("Bytes written to sockets").baseUnit(BaseUnits.BYTES).register(registry);
        FunctionCounter.builder("gev.messages.in", endpoint, (s) -> stats(s).messagesIn())
                .tags(tags).description("Frames decoded and handed to the handler").baseUnit(BaseUnits.MESSAGES)
                .register(registry);
        FunctionCounter.builder("gev.messages.out", endpoint, (s) -> stats(s).messagesOut())
                .tags(tags).description("Messages packed for sending").baseUnit(BaseUnits.MESSAGES).register(registry);
        Gauge.builder("gev.write.buffer", endpoint, (s) -> stats(s).writeBufferBytes())
                .tags(tags).description("Bytes queued on connections and not yet written")
                .baseUnit(BaseUnits.BYTES).register(registry);
        FunctionTimer.builder("gev.handshake.duration", endpoint, (s) -> stats(s).tlsHandshakes(),
                        (s) -> stats(s).tlsHandshakeNanos(), TimeUnit.NANOSECONDS)
                .tags(tags).tag("kind", "tls").description("TLS handshakes, from registration to the last message")
                .register(registry);
        FunctionTimer.builder("gev.handshake.duration", endpoint, (s) -> stats(s).upgrades(),
                        (s) -> stats(s).upgradeNanos(), TimeUnit.NANOSECONDS)
                .tags(tags).tag("kind", "upgrade").description("Protocol handshakes such as WebSocket upgrades")
                .register(registry);
        Gauge.builder("gev.sessions", endpoint, (s) -> stats(s).tlsSessions())
                .tags(tags).tag("kind", "tls").description("Open connections past their TLS handshake")
                .baseUnit(BaseUnits.SESSIONS).register(registry);
        Gauge.builder("gev.sessions", endpoint, (s) -> stats(s).upgradedConnections())
                .tags(tags).tag("kind", "upgrade").description("Open connections past their protocol's handshake")
                .baseUnit(BaseUnits.SESSIONS).register(registry);
        Gauge.builder("gev.handler.backlog", endpoint, (s) -> stats(s).handlerBacklog())
                .tags(tags).description("Messages waiting for an offloaded handler")
                .baseUnit(BaseUnits.MESSAGES).register(registry);
        FunctionCounter.builder("gev.loop.blocked", endpoint, (s) -> stats(s).blockedLoopStalls())
                .tags(tags).description("Stalls of a loop in one callback or task, reported by the watchdog")
                .baseUnit(BaseUnits.EVENTS).register(registry);
        for (int i = 0; i < loops; i++) {
            int loop = i;
            Gauge.builder("gev.loop.tasks.pending", endpoint, (s) -> stats(s).pendingTasks(loop))
                    .tags(tags).tag("loop", Integer.toString(loop)).description("Tasks waiting in a loop's queue")
                    .baseUnit(BaseUnits.TASKS).register(registry);
        }
    }
}
