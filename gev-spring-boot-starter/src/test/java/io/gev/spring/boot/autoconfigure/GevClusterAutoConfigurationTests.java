package io.gev.spring.boot.autoconfigure;

import io.gev.cluster.ClusterOptions;
import io.gev.spring.boot.cluster.GevClusterHealthIndicator;
import io.gev.spring.boot.cluster.RedisGroupBroker;
import io.gev.testing.RedisServer;
import io.gev.websocket.WebSocketGroups;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** When the cluster's beans exist, and how bad {@code gev.cluster.*} values fail. */
class GevClusterAutoConfigurationTests {

    private static RedisServer redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, GevClusterAutoConfiguration.class))
                .withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + redis.port());
    }

    @Test
    void shouldProvideGroupsBrokerAndHealthWhenEnabledWithRedis() {
        runner().withPropertyValues("gev.cluster.enabled=true", "gev.cluster.instance-id=node-7",
                "gev.cluster.channel-prefix=chat:", "gev.cluster.max-message-size=64KB").run((context) -> {
                    assertThat(context).hasNotFailed();
                    WebSocketGroups groups = context.getBean(WebSocketGroups.class);
                    assertThat(groups.options().instanceId()).isEqualTo("node-7");
                    assertThat(groups.options().maxMessageSize()).isEqualTo(64 * 1024);
                    assertThat(groups.channel("room")).isEqualTo("chat:room");
                    assertThat(context).hasSingleBean(RedisGroupBroker.class);
                    assertThat(context).hasBean("gevClusterHealthIndicator");
                });
    }

    @Test
    void shouldPickARandomInstanceIdByDefault() {
        runner().withPropertyValues("gev.cluster.enabled=true").run((context) -> {
            ClusterOptions options = context.getBean(WebSocketGroups.class).options();
            assertThat(options.instanceId()).matches("[0-9a-f]{16}");
            assertThat(options.channelPrefix()).isEqualTo("gev:group:");
            assertThat(options.maxMessageSize()).isEqualTo(1024 * 1024);
        });
    }

    @Test
    void shouldBackOffWhenDisabledWithoutRedisOrWithoutItsClasses() {
        runner().run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(WebSocketGroups.class));
        runner().withPropertyValues("gev.cluster.enabled=false")
                .run((context) -> assertThat(context).doesNotHaveBean(WebSocketGroups.class));
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GevClusterAutoConfiguration.class))
                .withPropertyValues("gev.cluster.enabled=true")
                .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(WebSocketGroups.class));
        runner().withClassLoader(new FilteredClassLoader(RedisConnectionFactory.class))
                .withPropertyValues("gev.cluster.enabled=true")
                .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(WebSocketGroups.class)
                        .doesNotHaveBean(GevClusterHealthIndicator.class));
        new ApplicationContextRunner().withClassLoader(new FilteredClassLoader("org.springframework.data.redis", "reactor"))
                .withConfiguration(AutoConfigurations.of(GevAutoConfiguration.class, GevClusterAutoConfiguration.class))
                .withPropertyValues("gev.cluster.enabled=true", "gev.websocket.enabled=false")
                .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(WebSocketGroups.class));
    }

    @Test
    void shouldAcceptMaxMessageSizeAtItsBoundsAndRefuseBeyondNamingTheKey() {
        runner().withPropertyValues("gev.cluster.enabled=true", "gev.cluster.max-message-size=1B")
                .run((context) -> assertThat(context.getBean(WebSocketGroups.class).options().maxMessageSize()).isEqualTo(1));
        runner().withPropertyValues("gev.cluster.enabled=true", "gev.cluster.max-message-size=256MB")
                .run((context) -> assertThat(context.getBean(WebSocketGroups.class).options().maxMessageSize())
                        .isEqualTo(256 * 1024 * 1024));
        for (String bad : new String[] { "gev.cluster.max-message-size=0B", "gev.cluster.max-message-size=257MB",
                "gev.cluster.instance-id=" + "x".repeat(65), "gev.cluster.probe-interval=0s", "gev.cluster.timeout=-1s" }) {
            String key = bad.substring(0, bad.indexOf('='));
            runner().withPropertyValues("gev.cluster.enabled=true", bad).run((context) -> {
                assertThat(context).hasFailed();
                Throwable cause = context.getStartupFailure();
                while (cause != null && !(cause instanceof GevServerConfigurationException)) {
                    cause = cause.getCause();
                }
                assertThat(cause).as(bad).isNotNull();
                assertThat(cause.getMessage()).contains(key);
            });
        }
    }

    @Test
    void shouldDescribeEveryKeyInTheMetadata() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            String metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String key : new String[] { "enabled", "instance-id", "channel-prefix", "max-message-size",
                    "probe-interval", "timeout" }) {
                int at = metadata.indexOf("\"name\": \"gev.cluster." + key + "\"");
                assertThat(at).as(key).isPositive();
                int end = metadata.indexOf('}', at);
                assertThat(metadata.substring(at, end)).as(key).contains("\"description\"");
            }
        }
    }
}
