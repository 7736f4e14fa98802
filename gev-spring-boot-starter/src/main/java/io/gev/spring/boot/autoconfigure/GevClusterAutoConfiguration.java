package io.gev.spring.boot.autoconfigure;

import io.gev.cluster.ClusterOptions;
import io.gev.spring.boot.cluster.GevClusterHealthIndicator;
import io.gev.spring.boot.cluster.RedisGroupBroker;
import io.gev.spring.boot.metrics.GevClusterMeterBinder;
import io.gev.websocket.WebSocketGroups;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import reactor.core.publisher.Mono;

/**
 * Auto-configuration of cluster-wide WebSocket groups over Redis pub/sub, when
 * {@code gev.cluster.enabled=true} and the application has a connection factory that is both a
 * {@link RedisConnectionFactory} and a {@link ReactiveRedisConnectionFactory} (Lettuce, Spring
 * Boot's default): a {@link RedisGroupBroker} and the {@link WebSocketGroups} bean to take named
 * groups from, the {@code gevCluster} health indicator and the {@code gev.cluster.*} meters.
 */
// Referenced by name: the Redis and Micrometer auto-configurations are optional modules in Boot 4.
@AutoConfiguration(after = GevAutoConfiguration.class, afterName = {
        "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass({ RedisConnectionFactory.class, RedisMessageListenerContainer.class, Mono.class })
@ConditionalOnProperty(prefix = "gev.cluster", name = "enabled", havingValue = "true")
@ConditionalOnBean({ RedisConnectionFactory.class, ReactiveRedisConnectionFactory.class })
@EnableConfigurationProperties(GevClusterProperties.class)
public final class GevClusterAutoConfiguration {

    /** The prefix's channel that no group can use: group names hold no control characters. */
    private static final String PROBE = "\u0000probe:";

    @Bean
    @ConditionalOnMissingBean
    ClusterOptions gevClusterOptions(GevClusterProperties properties) {
        return properties.toOptions();
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    RedisGroupBroker gevGroupBroker(RedisConnectionFactory connectionFactory,
            ReactiveRedisConnectionFactory reactiveConnectionFactory, GevClusterProperties properties,
            ClusterOptions gevClusterOptions) {
        return new RedisGroupBroker(connectionFactory, reactiveConnectionFactory,
                gevClusterOptions.channelPrefix() + PROBE + gevClusterOptions.instanceId(),
                properties.getProbeInterval(), properties.getTimeout());
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    WebSocketGroups webSocketGroups(RedisGroupBroker gevGroupBroker, ClusterOptions gevClusterOptions) {
        return new WebSocketGroups(gevGroupBroker, gevClusterOptions);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static final class Health {

        @Bean
        @ConditionalOnMissingBean(name = "gevClusterHealthIndicator")
        GevClusterHealthIndicator gevClusterHealthIndicator(RedisGroupBroker gevGroupBroker,
                WebSocketGroups webSocketGroups) {
            return new GevClusterHealthIndicator(gevGroupBroker, webSocketGroups);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    @ConditionalOnBean(MeterRegistry.class)
    static final class Metrics {

        @Bean
        @ConditionalOnMissingBean
        GevClusterMeterBinder gevClusterMeterBinder(WebSocketGroups webSocketGroups) {
            return new GevClusterMeterBinder(webSocketGroups);
        }
    }
}
