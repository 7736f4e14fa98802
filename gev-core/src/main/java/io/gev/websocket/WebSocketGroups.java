package io.gev.websocket;

import io.gev.cluster.ClusterOptions;
import io.gev.cluster.GroupBroker;
import io.gev.internal.watchdog.LogThrottle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The cluster-wide {@link WebSocketGroup}s of one instance, carried between instances by a
 * {@link GroupBroker}: {@link #group(String)} returns the one group of a name, subscribed to the
 * broker channel {@code channelPrefix + name}.
 *
 * <p>A broadcast on a named group queues the message to the local members directly and publishes
 * it once to the broker, in an envelope carrying this instance's id; each other instance decodes
 * it once and queues that one message to its members. Messages of this instance coming back from
 * the broker are skipped. While the broker is unavailable, or when it fails a publish, the
 * cross-instance copy is counted in {@link #dropped()} and lost: at most once across instances,
 * no replay. A malformed message from the broker is counted in {@link #rejected()} and logged,
 * rate-limited; it never throws into the broker's thread.
 *
 * <p>Thread-safe. The counters count messages, not deliveries to members.
 */
public final class WebSocketGroups implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebSocketGroups.class);
    private static final int MAX_NAME_LENGTH = 200;

    private final GroupBroker broker;
    private final ClusterOptions options;
    private final byte[] instanceId;
    private final ConcurrentMap<String, WebSocketGroup> groups = new ConcurrentHashMap<>();
    private final Set<GroupBroker.Subscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final LongAdder published = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LogThrottle rejectLog = new LogThrottle(TimeUnit.MINUTES.toNanos(1), 5);
    private final LogThrottle publishLog = new LogThrottle(TimeUnit.MINUTES.toNanos(1), 1);
    private volatile boolean closed;

    /**
     * Groups on {@code broker}; they subscribe as {@link #group(String)} makes them.
     *
     * @throws NullPointerException naming {@code broker} or {@code options}
     */
    public WebSocketGroups(GroupBroker broker, ClusterOptions options) {
        this.broker = Objects.requireNonNull(broker, "broker");
        this.options = Objects.requireNonNull(options, "options");
        this.instanceId = options.instanceId().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The group named {@code name}, made and subscribed to the broker on first use; the same
     * instance for the same name until {@link #close()}.
     *
     * @throws IllegalArgumentException naming {@code name} when it is empty, longer than 200
     *         characters or holds control characters
     * @throws IllegalStateException after {@link #close()}
     */
    public WebSocketGroup group(String name) {
        Objects.requireNonNull(name, "name");
        WebSocketGroup group = groups.get(name);
        if (group != null) {
            return group;
        }
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("name must be 1 to " + MAX_NAME_LENGTH
                    + " characters without control characters: " + name);
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            group = groups.get(name);
            if (group == null) {
                WebSocketGroup created = new WebSocketGroup(name, this);
                subscriptions.add(broker.subscribe(channel(name), message -> receive(created, message)));
                groups.put(name, created);
                group = created;
            }
            return group;
        }
    }

    /** The names of the groups made so far. */
    public Set<String> names() {
        return Set.copyOf(groups.keySet());
    }

    /** The broker channel of the group {@code name}. */
    public String channel(String name) {
        return options.channelPrefix() + name;
    }

    /** The options: this instance's id, the channel prefix, the size limit. */
    public ClusterOptions options() {
        return options;
    }

    /** Whether the broker is reachable, as it says. */
    public boolean isBrokerAvailable() {
        return broker.isAvailable();
    }

    /** Broadcasts the broker took for other instances. */
    public long published() {
        return published.sum();
    }

    /** Messages from other instances delivered to local members (once per message). */
    public long received() {
        return received.sum();
    }

    /** Broadcasts that did not reach the broker, so no other instance got them. */
    public long dropped() {
        return dropped.sum();
    }

    /** Messages from the broker refused as malformed or too large. */
    public long rejected() {
        return rejected.sum();
    }

    /**
     * Unsubscribes every group; their later broadcasts reach local members only and count as
     * dropped. Does not close any session.
     */
    @Override
    public void close() {
        List<GroupBroker.Subscription> toClose;
        synchronized (this) {
            closed = true;
            toClose = new ArrayList<>(subscriptions);
            subscriptions.clear();
        }
        for (GroupBroker.Subscription s : toClose) {
            try {
                s.close();
            } catch (RuntimeException e) {
                log.warn("gev cluster: closing a subscription failed", e);
            }
        }
    }

    void checkSize(int payloadLength) {
        if (payloadLength > options.maxMessageSize()) {
            throw new IllegalArgumentException("message of " + payloadLength
                    + " bytes exceeds the cluster's maxMessageSize of " + options.maxMessageSize());
        }
    }

    void publish(WebSocketGroup group, Outbound message) {
        if (closed || !broker.isAvailable()) {
            dropped.increment();
            return;
        }
        byte[] envelope = GroupEnvelope.encode(instanceId, message.opcode, message.payload);
        try {
            broker.publish(channel(group.name()), envelope).whenComplete((ok, failure) -> {
                if (failure == null) {
                    published.increment();
                } else {
                    publishFailed(group, failure);
                }
            });
        } catch (RuntimeException e) {
            publishFailed(group, e);
        }
    }

    private void publishFailed(WebSocketGroup group, Throwable failure) {
        dropped.increment();
        long held = publishLog.tryReport(System.nanoTime());
        if (held >= 0) {
            log.warn("gev cluster: publishing to group '{}' failed ({} more failures not logged): {}",
                    group.name(), held, String.valueOf(failure));
        }
    }

    private void receive(WebSocketGroup group, byte[] message) {
        try {
            Outbound outbound = GroupEnvelope.decode(message, instanceId, options.maxMessageSize());
            if (outbound != null) {
                received.increment();
                group.deliver(outbound);
            }
        } catch (RuntimeException e) {
            rejected.increment();
            long held = rejectLog.tryReport(System.nanoTime());
            if (held >= 0) {
                log.warn("gev cluster: dropped a message on channel '{}' ({} more not logged): {}",
                        channel(group.name()), held, e.getMessage());
            }
        }
    }
}
