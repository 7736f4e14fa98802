package io.gev.spring.boot.health;

import io.gev.Server;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class GevServerHealthIndicatorTests {

    @Test
    void upWithDetailsWhileRunningDownAfterStop() {
        Server server = Server.builder((connection, context, payload) -> payload).name("echo").address("127.0.0.1")
                .port(0).loops(2).build();
        GevServerHealthIndicator indicator = new GevServerHealthIndicator(server);
        assertThat(indicator.health(true).getStatus()).as("not started yet").isEqualTo(Status.DOWN);
        server.start();
        try {
            Health health = indicator.health(true);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("loops", 2).containsEntry("connections", 0)
                    .containsEntry("port", server.port()).containsEntry("tls", false)
                    .containsEntry("transport", server.transport().name());
        } finally {
            server.stop(Duration.ZERO);
        }
        Health down = indicator.health(true);
        assertThat(down.getStatus()).isEqualTo(Status.DOWN);
        assertThat(down.getDetails()).doesNotContainKey("port").containsEntry("loops", 2);
    }
}
