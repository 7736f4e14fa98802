package io.gev.spring.boot.context;

import io.gev.Client;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;

/**
 * Stops the application's {@link Client} beans when the context closes, in phase {@link #PHASE}:
 * just after {@link GevServers} (Spring stops higher phases first), so that a proxy's inbound
 * side stops before the outbound side it forwards to, and replies still on their way back reach
 * their clients. Each client writes what is queued for at most its
 * {@link io.gev.ClientOptions#shutdownTimeout() shutdown timeout}, side by side with the others.
 *
 * <p>Starting does nothing: a client starts with its first connect.
 */
public final class GevClientsLifecycle implements SmartLifecycle {

    /** One below {@link GevServers#PHASE}: clients stop once the servers have. */
    public static final int PHASE = GevServers.PHASE - 1;

    private static final Logger log = LoggerFactory.getLogger(GevClientsLifecycle.class);

    private final ObjectProvider<Client> clients;
    private volatile boolean running;

    /** @param clients the clients to stop, looked up as the context closes */
    public GevClientsLifecycle(ObjectProvider<Client> clients) {
        this.clients = clients;
    }

    @Override
    public void start() {
        this.running = true;
    }

    /** Stops every client at once. */
    @Override
    public void stop() {
        stopAll(false);
    }

    /** Stops every client within its shutdown timeout, off the caller's thread, then runs {@code callback}. */
    @Override
    public void stop(Runnable callback) {
        Thread stopper = new Thread(() -> {
            try {
                stopAll(true);
            } finally {
                callback.run();
            }
        }, "gev-client-shutdown");
        stopper.start();
    }

    private void stopAll(boolean graceful) {
        SideBySideStop stops = new SideBySideStop(log);
        this.clients.orderedStream().filter(Client::isRunning).forEach((client) -> stops.begin(
                "gev client '" + client.name() + "'", "gev-client-shutdown-" + client.name(),
                graceful ? client.options().shutdownTimeout() : Duration.ZERO, client::stop));
        stops.await();
        this.running = false;
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** Not pauseable: a stopped client's connections would not come back on a restart. */
    @Override
    public boolean isPauseable() {
        return false;
    }
}
