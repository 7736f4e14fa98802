package io.gev.spring.boot.autoconfigure;

import io.gev.Server;
import io.gev.spring.boot.autoconfigure.GevAutoConfigurationTests.TwoHandlersConfiguration;
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

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class GevHealthContributorAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GevAutoConfiguration.class,
                    GevHealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class,
                    HealthEndpointAutoConfiguration.class))
            .withPropertyValues("gev.server.loops=1", "gev.server.shared-loops=false", "gev.server.address=127.0.0.1", "gev.servers.echo-handler.port=0",
                    "gev.servers.upper-handler.port=0", "management.endpoint.health.show-details=always",
                    "management.endpoint.health.show-components=always");

    @Test
    void shouldContributeOneEntryPerServer() {
        this.runner.withUserConfiguration(TwoHandlersConfiguration.class).run((context) -> {
            assertThat(context).hasBean("gevHealthContributor");
            CompositeHealthContributor gev = context.getBean("gevHealthContributor", CompositeHealthContributor.class);
            assertThat(gev.stream().map((entry) -> entry.name())).containsExactly("echo-handler", "upper-handler");
            HealthContributor echo = gev.getContributor("echo-handler");
            assertThat(echo).isInstanceOf(HealthIndicator.class);
            Health health = ((HealthIndicator) echo).health(true);
            Server server = context.getBean(GevServers.class).get("echo-handler");
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("port", server.port()).containsEntry("loops", 1)
                    .containsEntry("connections", 0).containsEntry("tls", false)
                    .containsEntry("transport", server.transport().name());
        });
    }

    @Test
    void oneServerIsDownWhileTheOtherIsUpAndAHealthGroupCanHoldOneServer() {
        this.runner.withUserConfiguration(TwoHandlersConfiguration.class)
                .withPropertyValues("management.endpoint.health.group.edge.include=gev/echo-handler")
                .run((context) -> {
                    HealthEndpoint endpoint = context.getBean(HealthEndpoint.class);
                    assertThat(endpoint.healthForPath("gev").getStatus()).isEqualTo(Status.UP);
                    context.getBean(GevServers.class).get("upper-handler").stop(Duration.ZERO);

                    assertThat(endpoint.healthForPath("gev", "echo-handler").getStatus()).isEqualTo(Status.UP);
                    IndicatedHealthDescriptor upper = (IndicatedHealthDescriptor) endpoint.healthForPath("gev",
                            "upper-handler");
                    assertThat(upper.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(upper.getDetails()).doesNotContainKey("port").containsEntry("connections", 0);
                    CompositeHealthDescriptor gev = (CompositeHealthDescriptor) endpoint.healthForPath("gev");
                    assertThat(gev.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(gev.getComponents()).containsOnlyKeys("echo-handler", "upper-handler");
                    assertThat(endpoint.healthForPath("edge").getStatus())
                            .as("a group of the server that is up").isEqualTo(Status.UP);
                    assertThat(endpoint.health().getStatus()).isEqualTo(Status.DOWN);
                });
    }

    @Test
    void shouldNotContributeHealthWithoutActuator() {
        this.runner.withUserConfiguration(TwoHandlersConfiguration.class)
                .withClassLoader(new FilteredClassLoader(HealthIndicator.class))
                .run((context) -> assertThat(context).doesNotHaveBean("gevHealthContributor"));
    }

    @Test
    void shouldNotContributeHealthWhenDisabled() {
        this.runner.withUserConfiguration(TwoHandlersConfiguration.class)
                .withPropertyValues("management.health.gev.enabled=false")
                .run((context) -> assertThat(context).doesNotHaveBean("gevHealthContributor"));
    }

    @Test
    void shouldBackOffForTheApplicationsOwnContributor() {
        this.runner.withUserConfiguration(TwoHandlersConfiguration.class)
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
}
