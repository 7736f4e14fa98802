package io.gev.spring.boot.autoconfigure;

import io.gev.Handler;
import io.gev.Server;
import io.gev.spring.boot.context.GevServers;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.actuate.endpoint.CompositeHealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.nio.ByteBuffer;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class GevHealthContributorAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GevAutoConfiguration.class,
                    GevHealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class,
                    HealthEndpointAutoConfiguration.class))
            .withPropertyValues("gev.server.loops=1", "gev.server.address=127.0.0.1", "gev.servers.alpha.port=0",
                    "gev.servers.beta.port=0", "management.endpoint.health.show-details=always",
                    "management.endpoint.health.show-components=always");

    @Test
    void shouldContributeOneEntryPerServer() {
        this.runner.withUserConfiguration(TwoServersConfiguration.class).run((context) -> {
            assertThat(context).hasBean("gevHealthContributor");
            CompositeHealthContributor gev = context.getBean("gevHealthContributor", CompositeHealthContributor.class);
            assertThat(gev.stream().map((entry) -> entry.name())).containsExactly("alpha", "beta");
            HealthContributor alpha = gev.getContributor("alpha");
            assertThat(alpha).isInstanceOf(HealthIndicator.class);
            Health health = ((HealthIndicator) alpha).health(true);
            Server server = context.getBean(GevServers.class).get("alpha");
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("port", server.port()).containsEntry("loops", 1)
                    .containsEntry("connections", 0).containsEntry("tls", false)
                    .containsEntry("transport", server.transport().name());
        });
    }

    @Test
    void oneServerIsDownWhileTheOtherIsUpAndAHealthGroupCanHoldOneServer() {
        this.runner.withUserConfiguration(TwoServersConfiguration.class)
                .withPropertyValues("management.endpoint.health.group.edge.include=gev/alpha")
                .run((context) -> {
                    HealthEndpoint endpoint = context.getBean(HealthEndpoint.class);
                    assertThat(endpoint.healthForPath("gev").getStatus()).isEqualTo(Status.UP);
                    context.getBean(GevServers.class).get("beta").stop(Duration.ZERO);

                    assertThat(endpoint.healthForPath("gev", "alpha").getStatus()).isEqualTo(Status.UP);
                    IndicatedHealthDescriptor beta = (IndicatedHealthDescriptor) endpoint.healthForPath("gev", "beta");
                    assertThat(beta.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(beta.getDetails()).doesNotContainKey("port").containsEntry("connections", 0);
                    CompositeHealthDescriptor gev = (CompositeHealthDescriptor) endpoint.healthForPath("gev");
                    assertThat(gev.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(gev.getComponents()).containsOnlyKeys("alpha", "beta");
                    assertThat(endpoint.healthForPath("edge").getStatus())
                            .as("a group of the server that is up").isEqualTo(Status.UP);
                    assertThat(endpoint.health().getStatus()).isEqualTo(Status.DOWN);
                });
    }

    @Test
    void shouldNotContributeHealthWithoutActuator() {
        this.runner.withUserConfiguration(TwoServersConfiguration.class)
                .withClassLoader(new FilteredClassLoader(HealthIndicator.class))
                .run((context) -> assertThat(context).doesNotHaveBean("gevHealthContributor"));
    }

    @Test
    void shouldNotContributeHealthWhenDisabled() {
        this.runner.withUserConfiguration(TwoServersConfiguration.class)
                .withPropertyValues("management.health.gev.enabled=false")
                .run((context) -> assertThat(context).doesNotHaveBean("gevHealthContributor"));
    }

    @Test
    void shouldBackOffForTheApplicationsOwnContributor() {
        this.runner.withUserConfiguration(TwoServersConfiguration.class)
                .withBean("gevHealthIndicator", HealthIndicator.class, () -> () -> Health.up().build())
                .run((context) -> {
                    assertThat(context).doesNotHaveBean("gevHealthContributor");
                    assertThat(context.getBean(HealthEndpoint.class).healthForPath("gev").getStatus())
                            .isEqualTo(Status.UP);
                });
    }

    @Test
    void shouldNotContributeHealthWithoutServers() {
        this.runner.run((context) -> assertThat(context).doesNotHaveBean("gevHealthContributor"));
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoServersConfiguration {

        @Bean
        Handler<ByteBuffer> alpha() {
            return (connection, context, payload) -> payload;
        }

        @Bean
        Handler<ByteBuffer> beta() {
            return (connection, context, payload) -> payload;
        }
    }
}
