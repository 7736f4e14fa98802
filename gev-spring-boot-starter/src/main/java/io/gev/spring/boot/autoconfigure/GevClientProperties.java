package io.gev.spring.boot.autoconfigure;

import io.gev.spring.boot.autoconfigure.GevProperties.HandlerExecution;
import io.gev.loop.Transport;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.util.unit.DataSize;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * Settings of the gev clients the application builds with {@link GevClients}
 * ({@code gev.client.*}): every client builder starts from them, before the
 * {@link GevClientCustomizer}s and the application's own settings.
 */
public class GevClientProperties {

    /**
     * Time a connection attempt has to complete the TCP handshake; 0 means no limit but the
     * system's. If a duration suffix is not specified, seconds will be used.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration connectTimeout = Duration.ofSeconds(10);

    /**
     * Whether clients run on the shared event loops (gev.event-loops.*) when the application has
     * them, so that a connection opened from a server's callback runs on that connection's loop.
     * When false, or without shared loops, each client has loops of its own.
     */
    private boolean sharedLoops = true;

    /**
     * Number of a client's own event loops, used when it does not run on shared loops; 0 means
     * one per available processor.
     */
    private int loops = 1;

    /**
     * I/O layer under a client's own loops: epoll where available, or the JDK's selector.
     */
    private Transport transport = Transport.AUTO;

    /**
     * Time without inbound bytes after which a connection is closed; 0 never closes. If a
     * duration suffix is not specified, seconds will be used.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration idleTimeout = Duration.ZERO;

    /**
     * Longest time a client's connections may take to write what is queued when the application
     * context closes. When unset, spring.lifecycle.timeout-per-shutdown-phase. If a duration
     * suffix is not specified, seconds will be used.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration shutdownTimeout;

    /**
     * Where the handler's callbacks run: 'loop' (the handler must not block), 'offload' (on
     * Spring Boot's applicationTaskExecutor) or 'virtual-threads'; off the loop, one connection's
     * callbacks still run one at a time and in order.
     */
    private HandlerExecution handlerExecution = HandlerExecution.LOOP;

    /**
     * Messages of one connection that may wait for an offloaded handler; above it the
     * connection's reading pauses, at half of it reading resumes.
     */
    private int maxQueuedMessages = 128;

    /**
     * Whether to set TCP_NODELAY on the client's connections.
     */
    private boolean tcpNoDelay = true;

    /**
     * Whether to set SO_KEEPALIVE on the client's connections.
     */
    private boolean keepAlive;

    /**
     * Queued outbound bytes above which a connection reports itself unwritable.
     */
    private DataSize writeBufferHighWaterMark = DataSize.ofKilobytes(64);

    /**
     * Queued outbound bytes below which an unwritable connection turns writable again.
     */
    private DataSize writeBufferLowWaterMark = DataSize.ofKilobytes(32);

    /**
     * Queued outbound bytes above which a connection whose peer stopped reading is closed.
     */
    private DataSize writeBufferLimit = DataSize.ofMegabytes(16);

    /**
     * Inbound bytes a connection may hold while waiting for a complete frame.
     */
    private DataSize readBufferLimit = DataSize.ofMegabytes(16);

    /**
     * Reconnecting after a connection was lost or an attempt failed.
     */
    @NestedConfigurationProperty
    private final Reconnect reconnect = new Reconnect();

    public Duration getConnectTimeout() {
        return this.connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public boolean isSharedLoops() {
        return this.sharedLoops;
    }

    public void setSharedLoops(boolean sharedLoops) {
        this.sharedLoops = sharedLoops;
    }

    public int getLoops() {
        return this.loops;
    }

    public void setLoops(int loops) {
        this.loops = loops;
    }

    public Transport getTransport() {
        return this.transport;
    }

    public void setTransport(Transport transport) {
        this.transport = transport;
    }

    public Duration getIdleTimeout() {
        return this.idleTimeout;
    }

    public void setIdleTimeout(Duration idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    public Duration getShutdownTimeout() {
        return this.shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    public HandlerExecution getHandlerExecution() {
        return this.handlerExecution;
    }

    public void setHandlerExecution(HandlerExecution handlerExecution) {
        this.handlerExecution = handlerExecution;
    }

    public int getMaxQueuedMessages() {
        return this.maxQueuedMessages;
    }

    public void setMaxQueuedMessages(int maxQueuedMessages) {
        this.maxQueuedMessages = maxQueuedMessages;
    }

    public boolean isTcpNoDelay() {
        return this.tcpNoDelay;
    }

    public void setTcpNoDelay(boolean tcpNoDelay) {
        this.tcpNoDelay = tcpNoDelay;
    }

    public boolean isKeepAlive() {
        return this.keepAlive;
    }

    public void setKeepAlive(boolean keepAlive) {
        this.keepAlive = keepAlive;
    }

    public DataSize getWriteBufferHighWaterMark() {
        return this.writeBufferHighWaterMark;
    }

    public void setWriteBufferHighWaterMark(DataSize writeBufferHighWaterMark) {
        this.writeBufferHighWaterMark = writeBufferHighWaterMark;
    }

    public DataSize getWriteBufferLowWaterMark() {
        return this.writeBufferLowWaterMark;
    }

    public void setWriteBufferLowWaterMark(DataSize writeBufferLowWaterMark) {
        this.writeBufferLowWaterMark = writeBufferLowWaterMark;
    }

    public DataSize getWriteBufferLimit() {
        return this.writeBufferLimit;
    }

    public void setWriteBufferLimit(DataSize writeBufferLimit) {
        this.writeBufferLimit = writeBufferLimit;
    }

    public DataSize getReadBufferLimit() {
        return this.readBufferLimit;
    }

    public void setReadBufferLimit(DataSize readBufferLimit) {
        this.readBufferLimit = readBufferLimit;
    }

    public Reconnect getReconnect() {
        return this.reconnect;
    }

    /** Reconnect settings ({@code gev.client.reconnect.*}). */
    public static class Reconnect {

        /**
         * Whether a client connects again, with exponential backoff, after a connection was lost
         * (not closed by the application) or an attempt failed.
         */
        private boolean enabled;

        /**
         * Delay before the first attempt after a loss; it doubles with every failed attempt. If
         * a duration suffix is not specified, seconds will be used.
         */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration initialDelay = Duration.ofMillis(100);

        /**
         * Longest delay between two attempts. If a duration suffix is not specified, seconds will
         * be used.
         */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration maxDelay = Duration.ofSeconds(30);

        /**
         * Share of each delay, between 0 and 1, taken off at random so that clients that lost
         * one server together do not come back at the same instant.
         */
        private double jitter = 0.2;

        /**
         * Attempts in a row before a client gives up on an address; 0 means no limit.
         */
        private int maxAttempts;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getInitialDelay() {
            return this.initialDelay;
        }

        public void setInitialDelay(Duration initialDelay) {
            this.initialDelay = initialDelay;
        }

        public Duration getMaxDelay() {
            return this.maxDelay;
        }

        public void setMaxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
        }

        public double getJitter() {
            return this.jitter;
        }

        public void setJitter(double jitter) {
            this.jitter = jitter;
        }

        public int getMaxAttempts() {
            return this.maxAttempts;
        }

        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }
    }
}
