package io.gev.spring.boot.cluster;

import io.gev.cluster.GroupBroker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * gev's {@link GroupBroker} on Redis pub/sub through Spring Data Redis: publishes through the
 * reactive connection (never blocking the caller, so a handler on an event loop may broadcast),
 * subscribes through a {@link RedisMessageListenerContainer} whose listeners run one message at a
 * time on the connection's thread, in Redis's order.
 *
 * <p><b>Availability.</b> Every probe interval the broker publishes a probe on its own channel and
 * counts Redis as reachable while the probe comes back through the subscription within the
 * timeout: that checks the publishing and the subscribing connection end to end. A failed publish
 * counts as unreachable at once. Loss and recovery log one line each. While unreachable, gev's
 * groups publish nothing (their {@code dropped} counter counts what other instances miss); the
 * connections reconnect and resubscribe by themselves (Lettuce's reconnect, the container's
 * recovery), and the next probe that comes back restores cross-instance delivery.
 *
 * <p>Thread-safe. A {@link SmartLifecycle}: it stops before the connection factory it depends on.
 */
public final class RedisGroupBroker implements GroupBroker, SmartLifecycle, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisGroupBroker.class);

    private final ReactiveRedisConnection publisher;
    private final RedisMessageListenerContainer container;
    private final Duration probeInterval;
    private final Duration timeout;
    private final String probeChannel;
    private ScheduledExecutorService prober;
    private boolean running;

    private volatile boolean available;
    /** {@code null} before the first probe's outcome, then whether Redis was last reachable; guarded by this. */
    private Boolean reachable;
    private volatile String lastError;
    private volatile Instant since = Instant.now();
    /** The last probe sent and when; guarded by this. */
    private long probeSent;
    private long probeSentNanos;
    /** Whether the last probe came back; guarded by this. */
    private boolean probeReturned = true;

    /**
     * @param connectionFactory for the subscribing connection
     * @param reactiveConnectionFactory for publishing and probing
     * @param probeChannel a channel no group uses, for this instance's probes
     * @param probeInterval time between probes
     * @param timeout how long a publish or a probe may take before Redis counts as unreachable
     */
    public RedisGroupBroker(RedisConnectionFactory connectionFactory,
            ReactiveRedisConnectionFactory reactiveConnectionFactory, String probeChannel,
            Duration probeInterval, Duration timeout) {
        Objects.requireNonNull(connectionFactory, "connectionFactory");
        this.probeChannel = Objects.requireNonNull(probeChannel, "probeChannel");
        this.probeInterval = positive(probeInterval, "probeInterval");
        this.timeout = positive(timeout, "timeout");
        this.publisher = reactiveConnectionFactory.getReactiveConnection();
        this.container = new RedisMessageListenerContainer();
        this.container.setConnectionFactory(connectionFactory);
        // One message at a time, in Redis's order, on the connection's thread: listeners only queue.
        this.container.setTaskExecutor(new SyncTaskExecutor());
        this.container.setRecoveryInterval(probeInterval.toMillis());
        this.container.setBeanName("gevClusterListenerContainer");
        this.lastError = "not probed yet";
    }

    private static Duration positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
        return d;
    }

    /** Subscribes the probe channel and starts probing. */
    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        container.afterPropertiesSet();
        container.addMessageListener((MessageListener) (message, pattern) -> probeReturned(message.getBody()),
                new ChannelTopic(probeChannel));
        container.start();
        prober = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gev-cluster-probe");
            t.setDaemon(true);
            return t;
        });
        prober.scheduleWithFixedDelay(this::probe, 0, probeInterval.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Stops probing and subscribing; group messages then stay local. */
    @Override
    public void stop() {
        ScheduledExecutorService p;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            available = false;
            reachable = null;
            p = prober;
        }
        p.shutdownNow();
        container.stop();
    }

    @Override
    public synchronized boolean isRunning() {
        return running;
    }

    @Override
    public CompletionStage<Void> publish(String channel, byte[] message) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            publisher.pubSubCommands()
                    .publish(ByteBuffer.wrap(channel.getBytes(StandardCharsets.UTF_8)), ByteBuffer.wrap(message))
                    .timeout(timeout)
                    .subscribe(receivers -> done.complete(null), failure -> {
                        unavailable(failure);
                        done.completeExceptionally(failure);
                    }, () -> done.complete(null));
        } catch (RuntimeException e) {
            unavailable(e);
            done.completeExceptionally(e);
        }
        return done;
    }

    @Override
    public Subscription subscribe(String channel, Consumer<byte[]> listener) {
        Objects.requireNonNull(listener, "listener");
        ChannelTopic topic = new ChannelTopic(channel);
        MessageListener adapter = (message, pattern) -> {
            try {
                listener.accept(message.getBody());
            } catch (RuntimeException e) {
                log.warn("gev cluster: a listener of channel '{}' failed", channel, e);
            }
        };
        container.addMessageListener(adapter, topic);
        return () -> {
            try {
                container.removeMessageListener(adapter, topic);
            } catch (RuntimeException e) {
                // At shutdown the connection factory may have stopped first: nothing is subscribed then.
                log.debug("gev cluster: unsubscribing channel '{}' failed", channel, e);
            }
        };
    }

    @Override
    public boolean isAvailable() {
        return available;
    }

    /** Why Redis counts as unreachable, or {@code null} while it is reachable. */
    public String lastError() {
        return available ? null : lastError;
    }

    /** When the broker last became reachable or unreachable. */
    public Instant since() {
        return since;
    }

    /** Stops probing and subscribing and closes the publishing connection. */
    @Override
    public void close() {
        stop();
        try {
            container.destroy();
        } catch (Exception e) {
            log.debug("gev cluster: stopping the listener container failed", e);
        }
        publisher.close();
    }

    private void probe() {
        long seq;
        synchronized (this) {
            if (!running) {
                return;
            }
            if (!probeReturned) {
                if (System.nanoTime() - probeSentNanos <= timeout.toNanos()) {
                    return; // Still in flight: a new probe would make this one's return count for nothing.
                }
                unavailable(new IllegalStateException("no probe came back through Redis within " + timeout));
            }
            seq = ++probeSent;
            probeSentNanos = System.nanoTime();
            probeReturned = false;
        }
        publish(probeChannel, Long.toString(seq).getBytes(StandardCharsets.US_ASCII));
    }

    private void probeReturned(byte[] body) {
        long seq;
        try {
            seq = Long.parseLong(new String(body, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return;
        }
        Boolean before;
        Instant lost;
        synchronized (this) {
            if (seq != probeSent) {
                return;
            }
            probeReturned = true;
            before = reachable;
            if (Boolean.TRUE.equals(before)) {
                return;
            }
            reachable = Boolean.TRUE;
            lost = since;
            since = Instant.now();
            available = true;
        }
        if (before == null) {
            log.debug("gev cluster: Redis is reachable");
        } else {
            log.info("gev cluster: Redis is reachable again after {}; cross-instance group messages resume",
                    Duration.between(lost, since));
        }
    }

    private void unavailable(Throwable failure) {
        lastError = String.valueOf(failure);
        synchronized (this) {
            if (Boolean.FALSE.equals(reachable)) {
                return;
            }
            reachable = Boolean.FALSE;
            available = false;
            since = Instant.now();
        }
        log.warn("gev cluster: Redis is unreachable ({}); group messages reach local members only, "
                + "the cross-instance ones are dropped until it returns", lastError);
    }
}
