package io.gev.spring.boot.autoconfigure;

import io.gev.Client;
import io.gev.EventLoops;
import io.gev.Handler;
import io.gev.Reconnect;
import io.gev.protocol.Protocol;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.util.Assert;
import org.springframework.util.unit.DataSize;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Hands out gev {@link Client} builders preconfigured from {@code gev.client.*}, then by every
 * {@link GevClientCustomizer}, on the application's shared {@link EventLoops} (the
 * {@code gevEventLoops} bean) when it has them and {@code gev.client.shared-loops} is true.
 * Declare the client as a bean, and the starter stops it when the context closes (after the
 * servers) and binds its meters when Micrometer is present:
 *
 * <pre>{@code
 * @Bean
 * Client upstream(GevClients clients) {
 *     return clients.builder(lineProtocol, upstreamHandler).name("upstream").build();
 * }
 * }</pre>
 *
 * <p>Thread-safe; each builder it returns is a new one, which is not.
 */
public final class GevClients {

    private final GevClientProperties properties;
    private final Duration phaseTimeout;
    private final List<GevClientCustomizer> customizers;
    private final Supplier<EventLoops> eventLoops;
    private final GevHandlerExecutions handlerExecutions;

    /**
     * @param phaseTimeout the shutdown timeout when {@code gev.client.shutdown-timeout} is unset
     * @param eventLoops the shared loops, or {@code null} from it when there are none
     */
    GevClients(GevClientProperties properties, Duration phaseTimeout, List<GevClientCustomizer> customizers,
            Supplier<EventLoops> eventLoops, GevHandlerExecutions handlerExecutions) {
        this.properties = properties;
        this.phaseTimeout = phaseTimeout;
        this.customizers = List.copyOf(customizers);
        this.eventLoops = eventLoops;
        this.handlerExecutions = handlerExecutions;
    }

    /**
     * A builder of a client without framing: {@code handler} gets the bytes of each read.
     *
     * @throws GevServerConfigurationException when {@code gev.client.handler-execution} cannot be met
     */
    public Client.Builder builder(Handler<? super ByteBuffer> handler) {
        Assert.notNull(handler, "'handler' must not be null");
        return configure(Client.builder(handler));
    }

    /**
     * A builder of a client whose connections {@code protocol} frames and {@code handler} serves.
     *
     * @throws GevServerConfigurationException when {@code gev.client.handler-execution} cannot be met
     */
    public <M> Client.Builder builder(Protocol<M> protocol, Handler<? super M> handler) {
        Assert.notNull(protocol, "'protocol' must not be null");
        Assert.notNull(handler, "'handler' must not be null");
        return configure(Client.builder(protocol, handler));
    }

    private Client.Builder configure(Client.Builder builder) {
        GevClientProperties config = this.properties;
        PropertyMapper map = PropertyMapper.get();
        map.from(config::getConnectTimeout).to(builder::connectTimeout);
        map.from(config::getLoops).to(builder::loops);
        map.from(config::getTransport).to(builder::transport);
        map.from(config::getIdleTimeout).to(builder::idleTimeout);
        map.from(config.getShutdownTimeout() != null ? config.getShutdownTimeout() : this.phaseTimeout)
                .to(builder::shutdownTimeout);
        map.from(config::isTcpNoDelay).to(builder::tcpNoDelay);
        map.from(config::isKeepAlive).to(builder::keepAlive);
        map.from(config::getWriteBufferHighWaterMark).as(GevClients::bytes).to(builder::writeBufferHighWaterMark);
        map.from(config::getWriteBufferLowWaterMark).as(GevClients::bytes).to(builder::writeBufferLowWaterMark);
        map.from(config::getWriteBufferLimit).as(GevClients::bytes).to(builder::writeBufferLimit);
        map.from(config::getReadBufferLimit).as(GevClients::bytes).to(builder::readBufferLimit);
        builder.handlerExecution(this.handlerExecutions.resolve("gev client", config.getHandlerExecution(),
                config.getMaxQueuedMessages()));
        GevClientProperties.Reconnect reconnect = config.getReconnect();
        if (reconnect.isEnabled()) {
            builder.reconnect(Reconnect.builder().initialDelay(reconnect.getInitialDelay())
                    .maxDelay(reconnect.getMaxDelay()).jitter(reconnect.getJitter())
                    .maxAttempts(reconnect.getMaxAttempts()).build());
        }
        if (config.isSharedLoops()) {
            EventLoops loops = this.eventLoops.get();
            if (loops != null) {
                builder.eventLoops(loops);
            }
        }
        for (GevClientCustomizer customizer : this.customizers) {
            customizer.customize(builder);
        }
        return builder;
    }

    private static int bytes(DataSize size) {
        return (int) Math.min(Integer.MAX_VALUE, size.toBytes());
    }
}
