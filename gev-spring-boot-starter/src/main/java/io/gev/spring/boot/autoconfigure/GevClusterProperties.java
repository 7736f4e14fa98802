package io.gev.spring.boot.autoconfigure;

import io.gev.cluster.ClusterOptions;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import java.time.Duration;

/**
 * Cluster-wide WebSocket groups over Redis pub/sub ({@code gev.cluster.*}), auto-configured when
 * {@code enabled} is true and the application has a Lettuce {@code RedisConnectionFactory}
 * ({@code spring.data.redis.*}).
 */
@ConfigurationProperties("gev.cluster")
public class GevClusterProperties {

    /** Whether named WebSocket groups reach the members on every instance through Redis. */
    private boolean enabled;

    /**
     * This instance's id, unique among the instances on one Redis: at most 64 bytes. A random one
     * per start when unset.
     */
    private String instanceId;

    /** Prefix of the Redis channel of each group (the group "chat" uses "<prefix>chat"). */
    private String channelPrefix = ClusterOptions.DEFAULT_CHANNEL_PREFIX;

    /** Largest payload of a broadcast on a named group, and of a message accepted from Redis. */
    private DataSize maxMessageSize = DataSize.ofBytes(ClusterOptions.DEFAULT_MAX_MESSAGE_SIZE);

    /** Time between the probes that tell whether Redis is reachable. */
    private Duration probeInterval = Duration.ofSeconds(1);

    /** How long a publish or a probe may take before Redis counts as unreachable. */
    private Duration timeout = Duration.ofSeconds(2);

    /** Whether named WebSocket groups reach the members on every instance through Redis. */
    public boolean isEnabled() {
        return this.enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** This instance's id; {@code null} for a random one. */
    public String getInstanceId() {
        return this.instanceId;
    }

    public void setInstanceId(String instanceId) {
        this.instanceId = instanceId;
    }

    /** Prefix of the Redis channel of each group. */
    public String getChannelPrefix() {
        return this.channelPrefix;
    }

    public void setChannelPrefix(String channelPrefix) {
        this.channelPrefix = channelPrefix;
    }

    /** Largest payload of a cluster-wide broadcast. */
    public DataSize getMaxMessageSize() {
        return this.maxMessageSize;
    }

    public void setMaxMessageSize(DataSize maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    /** Time between reachability probes. */
    public Duration getProbeInterval() {
        return this.probeInterval;
    }

    public void setProbeInterval(Duration probeInterval) {
        this.probeInterval = probeInterval;
    }

    /** How long a publish or probe may take. */
    public Duration getTimeout() {
        return this.timeout;
    }

    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * The core options these properties stand for.
     *
     * @throws GevServerConfigurationException naming the bad {@code gev.cluster.*} key
     */
    ClusterOptions toOptions() {
        if (this.probeInterval == null || this.probeInterval.isNegative() || this.probeInterval.isZero()) {
            throw new GevServerConfigurationException("Invalid gev.cluster.probe-interval: must be positive: "
                    + this.probeInterval, "Set gev.cluster.probe-interval to a positive duration.");
        }
        if (this.timeout == null || this.timeout.isNegative() || this.timeout.isZero()) {
            throw new GevServerConfigurationException("Invalid gev.cluster.timeout: must be positive: "
                    + this.timeout, "Set gev.cluster.timeout to a positive duration.");
        }
        ClusterOptions.Builder builder = ClusterOptions.builder();
        apply("gev.cluster.instance-id", () -> builder.instanceId(
                this.instanceId == null || this.instanceId.isBlank() ? null : this.instanceId));
        apply("gev.cluster.channel-prefix", () -> builder.channelPrefix(this.channelPrefix));
        long size = this.maxMessageSize.toBytes();
        apply("gev.cluster.max-message-size",
                () -> builder.maxMessageSize(size > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) size));
        return builder.build();
    }

    private static void apply(String key, Runnable setter) {
        try {
            setter.run();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new GevServerConfigurationException("Invalid " + key + ": " + e.getMessage(),
                    "Change " + key + " to a valid value.", e);
        }
    }
}
