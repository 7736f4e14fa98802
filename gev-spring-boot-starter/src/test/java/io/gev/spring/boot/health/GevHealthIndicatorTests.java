package io.gev.spring.boot.health;

import io.gev.Server;
import io.gev.spring.boot.context.GevServers;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class GevHealthIndicatorTests {

    @Test
    void upWithDetailsWhileRunningDownAfterStop() {
        Server server = Server.builder((connection, context, payload) -> payload).address("127.0.0.1").port(0)
                .loops(2).build();
        GevServers servers = new GevServers(List.of(new GevServers.Managed("echo", server, true, Duration.ZERO, null)),
                null);
        GevHealthIndicator indicator = new GevHealthIndicator(servers);
        servers.start();
        try {
            Health health = indicator.health(true);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            @SuppressWarnings("unchecked")
            Map<String, Object> echo = (Map<String, Object>) health.getDetails().get("echo");
            assertThat(echo).containsEntry("status", "UP").containsEntry("loops", 2).containsEntry("connections", 0)
                    .containsEntry("port", server.port()).containsEntry("transport", server.transport().name());
        } finally {
            servers.stop();
        }
        Health down = indicator.health(true);
        assertThat(down.getStatus()).isEqualTo(Status.DOWN);
        assertThat(down.getDetails()).containsKey("echo");
    }
}
