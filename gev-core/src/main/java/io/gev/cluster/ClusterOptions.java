package io.gev.cluster;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Immutable options of cluster-wide groups: the instance's id, the prefix of the broker channels
 * and the largest message carried between instances. Built with {@link #builder()}; every
 * builder method checks its argument and throws {@link IllegalArgumentException} naming it.
 */
public final class ClusterOptions {

    /** The default channel prefix; a group named {@code chat} uses {@code gev:group:chat}. */
    public static final String DEFAULT_CHANNEL_PREFIX = "gev:group:";
    /** The default largest payload of a cluster-wide broadcast: 1 MiB. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 1024 * 1024;
    /** The largest {@code maxMessageSize} allowed: 256 MiB, half of Redis's largest string. */
    public static final int MAX_MAX_MESSAGE_SIZE = 256 * 1024 * 1024;
    /** The longest instance id, in UTF-8 bytes (it travels in every message). */
    public static final int MAX_INSTANCE_ID_LENGTH = 64;
    /** The longest channel prefix, in characters. */
    public static final int MAX_CHANNEL_PREFIX_LENGTH = 200;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String instanceId;
    private final String channelPrefix;
    private final int maxMessageSize;

    private ClusterOptions(Builder b) {
        this.instanceId = b.instanceId != null ? b.instanceId : randomInstanceId();
        this.channelPrefix = b.channelPrefix;
        this.maxMessageSize = b.maxMessageSize;
    }

    /** A builder with every option at its default (a fresh random instance id). */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults, with a fresh random instance id. */
    public static ClusterOptions defaults() {
        return builder().build();
    }

    /** A builder holding these options, this instance id included. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.instanceId = instanceId;
        b.channelPrefix = channelPrefix;
        b.maxMessageSize = maxMessageSize;
        return b;
    }

    /** A random id of 16 hex digits: unique among instances with overwhelming probability. */
    public static String randomInstanceId() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** This instance's id, carried in each message it publishes so that it skips its own. */
    public String instanceId() {
        return instanceId;
    }

    /** Prefixed to a group's name to form its broker channel. */
    public String channelPrefix() {
        return channelPrefix;
    }

    /** The largest payload, in bytes, that a named group broadcasts or accepts from the broker. */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    @Override
    public String toString() {
        return "ClusterOptions[instanceId=" + instanceId + ", channelPrefix=" + channelPrefix
                + ", maxMessageSize=" + maxMessageSize + "]";
    }

    /** Builds {@link ClusterOptions}; not thread-safe. */
    public static final class Builder {

        private String instanceId;
        private String channelPrefix = DEFAULT_CHANNEL_PREFIX;
        private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;

        private Builder() {
        }

        /**
         * This instance's id: unique among the instances sharing a broker, 1 to 64 bytes in UTF-8,
         * no control characters. {@code null} (default) picks a random one.
         */
        public Builder instanceId(String instanceId) {
            if (instanceId != null) {
                int length = instanceId.getBytes(StandardCharsets.UTF_8).length;
                if (length == 0 || length > MAX_INSTANCE_ID_LENGTH
                        || instanceId.chars().anyMatch(Character::isISOControl)) {
                    throw new IllegalArgumentException("instanceId must be 1 to " + MAX_INSTANCE_ID_LENGTH
                            + " bytes in UTF-8 without control characters: " + instanceId);
                }
            }
            this.instanceId = instanceId;
            return this;
        }

        /**
         * Prefixed to group names to form broker channels, so that several applications can share
         * one broker; at most 200 characters, may be empty. Default {@value #DEFAULT_CHANNEL_PREFIX}.
         */
        public Builder channelPrefix(String channelPrefix) {
            Objects.requireNonNull(channelPrefix, "channelPrefix");
            if (channelPrefix.length() > MAX_CHANNEL_PREFIX_LENGTH
                    || channelPrefix.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("channelPrefix must be at most " + MAX_CHANNEL_PREFIX_LENGTH
                        + " characters without control characters: " + channelPrefix);
            }
            this.channelPrefix = channelPrefix;
            return this;
        }

        /**
         * The largest payload of a broadcast on a named group, and of a message accepted from the
         * broker, in bytes: 1 to 256 MiB. A larger broadcast throws; a larger message received is
         * dropped and counted as rejected. Default 1 MiB.
         */
        public Builder maxMessageSize(int maxMessageSize) {
            if (maxMessageSize < 1 || maxMessageSize > MAX_MAX_MESSAGE_SIZE) {
                throw new IllegalArgumentException("maxMessageSize must be 1 to " + MAX_MAX_MESSAGE_SIZE
                        + ": " + maxMessageSize);
            }
            this.maxMessageSize = maxMessageSize;
            return this;
        }

        /** The options. */
        public ClusterOptions build() {
            return new ClusterOptions(this);
        }
    }
}
