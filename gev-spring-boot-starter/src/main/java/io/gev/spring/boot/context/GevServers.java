package io.gev.spring.boot.context;

import io.gev.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationEventPublisherAware;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.ConfigurableEnvironment;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The gev servers of an application context, started after the context is refreshed and stopped
 * when it closes.
 *
 * <p>Start binds every server (a failure stops those already started and fails the context) and
 * publishes each bound port as a property, such as {@code local.gev.server.port}, and a
 * {@link GevServerInitializedEvent}. Stop runs in the graceful-shutdown phase: servers whose
 * shutdown is graceful stop accepting and drain their queued replies for up to their timeout,
 * the others close at once. Loop threads are not daemons, so a running server keeps the
 * application alive. A paused context keeps its servers running.
 */
public final class GevServers implements SmartLifecycle, ApplicationEventPublisherAware, Iterable<GevServers.Managed> {

    /** The phase of graceful web server shutdown in Spring Boot, so gev drains alongside. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

    private static final Logger log = LoggerFactory.getLogger(GevServers.class);

    private static final String PROPERTY_SOURCE_NAME = "gev.ports";

    private final List<Managed> servers;
    private final ConfigurableEnvironment environment;
    private ApplicationEventPublisher publisher;
    private volatile boolean running;

    /**
     * @param servers the servers, in start order
     * @param environment where bound ports are published, or {@code null}
     */
    public GevServers(List<Managed> servers, ConfigurableEnvironment environment) {
        this.servers = List.copyOf(servers);
        this.environment = environment;
    }

    @Override
    public void setApplicationEventPublisher(ApplicationEventPublisher publisher) {
        this.publisher = publisher;
    }

    /** The server registered under {@code name}, or {@code null}. */
    public Server get(String name) {
        for (Managed managed : this.servers) {
            if (managed.name().equals(name)) {
                return managed.server();
            }
        }
        return null;
    }

    /** The servers by name, in start order. */
    public Map<String, Server> asMap() {
        Map<String, Server> map = new LinkedHashMap<>();
        for (Managed managed : this.servers) {
            map.put(managed.name(), managed.server());
        }
        return Collections.unmodifiableMap(map);
    }

    @Override
    public java.util.Iterator<Managed> iterator() {
        return this.servers.iterator();
    }

    @Override
    public void start() {
        List<Managed> started = new ArrayList<>();
        try {
            for (Managed managed : this.servers) {
                if (!managed.server().isRunning()) {
                    managed.server().start();
                }
                started.add(managed);
                publishPort(managed);
                if (this.publisher != null) {
                    this.publisher.publishEvent(new GevServerInitializedEvent(managed.server()));
                }
            }
        } catch (RuntimeException ex) {
            for (Managed managed : started) {
                managed.server().stop(Duration.ZERO);
            }
            throw ex;
        }
        this.running = true;
    }

    private void publishPort(Managed managed) {
        if (this.environment == null) {
            return;
        }
        Map<String, Object> ports = LocalProperties.of(this.environment, PROPERTY_SOURCE_NAME);
        Server server = managed.server();
        if (server.unixSocket().isPresent()) {
            // No port to tell: the file's path is what a client needs.
            ports.put("local.gev.servers." + managed.name() + ".unix-socket", server.unixSocket().get().toString());
            return;
        }
        ports.put("local.gev.servers." + managed.name() + ".port", server.port());
        if (managed.portProperty() != null) {
            ports.put(managed.portProperty(), server.port());
        }
    }

    /** Stops every server at once. */
    @Override
    public void stop() {
        stopAll(false);
    }

    /** Stops gracefully where configured, off the caller's thread, then runs {@code callback}. */
    @Override
    public void stop(Runnable callback) {
        Thread stopper = new Thread(() -> {
            try {
                stopAll(true);
            } finally {
                callback.run();
            }
        }, "gev-shutdown");
        stopper.start();
    }

    private void stopAll(boolean graceful) {
        SideBySideStop stops = new SideBySideStop(log);
        for (Managed managed : this.servers) {
            Duration grace = graceful && managed.graceful() ? managed.shutdownTimeout() : Duration.ZERO;
            stops.begin("gev server '" + managed.name() + "' gracefully", "gev-shutdown-" + managed.name(), grace,
                    managed.server()::stop);
        }
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

    /**
     * Not pauseable, as Boot's web servers are not: Spring's test framework pauses a cached
     * context it is not using, and a paused server would give up its port, then bind another
     * one (when it is 0) where the test that uses the context again expects the old one.
     */
    @Override
    public boolean isPauseable() {
        return false;
    }

    /**
     * One managed server.
     *
     * @param name the server's name (its handler bean's name)
     * @param server the server
     * @param graceful whether it drains on shutdown
     * @param shutdownTimeout how long it may drain
     * @param portProperty a property its bound port is published as besides
     *        {@code local.gev.servers.<name>.port}, which every server has, or {@code null}
     */
    public record Managed(String name, Server server, boolean graceful, Duration shutdownTimeout,
            String portProperty) {

        public Managed {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        }
    }
}
