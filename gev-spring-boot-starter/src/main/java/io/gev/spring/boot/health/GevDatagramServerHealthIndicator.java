package io.gev.spring.boot.health;

import io.gev.udp.DatagramServer;
import io.gev.udp.DatagramStats;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of one gev datagram server: UP while its sockets are bound and read, DOWN otherwise,
 * with its transport, port, sockets and what it received, sent and dropped as details (drops are
 * details, not DOWN: UDP loses datagrams by design). The starter registers one per datagram server
 * under the {@code gevUdp} contributor ({@code gevUdp/<server-name>}).
 */
public class GevDatagramServerHealthIndicator extends AbstractHealthIndicator {

    private final DatagramServer server;

    public GevDatagramServerHealthIndicator(DatagramServer server) {
        super("gev datagram server health check failed");
        this.server = server;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        boolean running = this.server.isRunning();
        DatagramStats stats = this.server.stats();
        builder.status(running ? "UP" : "DOWN")
            .withDetail("transport", this.server.transport().name())
            .withDetail("sockets", stats.sockets())
            .withDetail("datagramsIn", stats.datagramsIn())
            .withDetail("datagramsOut", stats.datagramsOut())
            .withDetail("dropped", stats.droppedOversize() + stats.droppedSendQueueFull() + stats.droppedBacklog()
                    + Math.max(0, stats.kernelDrops()));
        if (running) {
            builder.withDetail("port", this.server.port());
        }
    }
}
