package io.gev.spring.boot.autoconfigure;

import io.gev.spring.boot.actuate.GevEndpoint;
import io.gev.spring.boot.actuate.GevEndpoint.DatagramServerDescriptor;
import io.gev.spring.boot.context.GevDatagramServers;
import io.gev.udp.DatagramServer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The datagram server in health ({@code gevUdp/<name>}) and in the {@code gev} endpoint. */
class GevUdpActuatorTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GevAutoConfiguration.class, GevUdpAutoConfiguration.class,
                    GevUdpHealthContributorAutoConfiguration.class, GevEndpointAutoConfiguration.class))
            .withUserConfiguration(GevUdpAutoConfigurationTests.EchoConfiguration.class)
            .withPropertyValues("gev.udp.port=0", "gev.udp.host=127.0.0.1", "gev.server.loops=1");

    @Test
    void healthIsUpWithItsCountersAndDownOnceStopped() {
        this.runner.run((context) -> {
            DatagramServer server = context.getBean(GevDatagramServers.class).servers().get(0);
            assertThat(GevUdpAutoConfigurationTests.exchange(server.port(), "ping")).isEqualTo("ping");
            CompositeHealthContributor udp = context.getBean("gevUdpHealthContributor", CompositeHealthContributor.class);
            HealthIndicator indicator = (HealthIndicator) udp.getContributor(server.name());
            // The loop counts in plain fields: the reply may be read before it counted it.
            await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().datagramsOut() == 1);
            Health health = indicator.health(true);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("port", server.port()).containsEntry("datagramsIn", 1L)
                .containsEntry("dropped", 0L).containsEntry("sockets", 1);
            server.stop();
            assertThat(indicator.health(true).getStatus()).isEqualTo(Status.DOWN);
        });
    }

    @Test
    void healthCanBeTurnedOff() {
        this.runner.withPropertyValues("management.health.gev-udp.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean("gevUdpHealthContributor"));
    }

    @Test
    void theEndpointDescribesTheDatagramServerBesideTheTcpOnes() {
        this.runner.withUserConfiguration(GevAutoConfigurationTests.EchoConfiguration.class)
            .withPropertyValues("management.endpoints.web.exposure.include=gev", "gev.server.port=0",
                    "gev.server.address=127.0.0.1")
            .run((context) -> {
                DatagramServer server = context.getBean(GevDatagramServers.class).servers().get(0);
                assertThat(GevUdpAutoConfigurationTests.exchange(server.port(), "hello")).isEqualTo("hello");
                await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().datagramsOut() == 1);
                GevEndpoint.GevDescriptor described = context.getBean(GevEndpoint.class).gev();
                assertThat(described.servers()).containsKey("echo-handler");
                DatagramServerDescriptor udp = described.datagramServers().get(server.name());
                assertThat(udp.running()).isTrue();
                assertThat(udp.port()).isEqualTo(server.port());
                assertThat(udp.datagramsIn()).isEqualTo(1);
                assertThat(udp.datagramsOut()).isEqualTo(1);
                assertThat(udp.maxDatagramSize()).isEqualTo(server.options().maxDatagramSize());
            });
    }
}
