package io.gev.spring.boot.context;

import io.gev.udp.DatagramServer;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.ConfigurableEnvironment;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts the {@link DatagramServer} beans with the application context and stops them as it
 * closes, in the phase of the TCP servers ({@link GevServers#PHASE}); publishes each bound port
 * as {@code local.gev.udp.<name>.port} (the name of {@link #asMap()}), and the first one's as
 * {@code local.gev.udp.port}.
 */
public final class GevDatagramServers implements SmartLifecycle {

    private static final String PROPERTY_SOURCE_NAME = "gev.udp.ports";

    private final List<DatagramServer> servers;
    private final ConfigurableEnvironment environment;
    private volatile boolean running;

    /** @param environment where bound ports are published, or {@code null} */
    public GevDatagramServers(List<DatagramServer> servers, ConfigurableEnvironment environment) {
        this.servers = List.copyOf(servers);
        this.environment = environment;
    }

    public List<DatagramServer> servers() {
        return this.servers;
    }

    /**
     * The servers by name, in start order; a name two of the application's own servers share
     * gets a suffix ({@code -2}, {@code -3}) so that none is left out of health and the endpoint.
     */
    public Map<String, DatagramServer> asMap() {
        Map<String, DatagramServer> byName = new LinkedHashMap<>();
        for (DatagramServer server : this.servers) {
            String name = server.name();
            for (int i = 2; byName.containsKey(name); i++) {
                name = server.name() + "-" + i;
            }
            byName.put(name, server);
        }
        return Collections.unmodifiableMap(byName);
    }

    @Override
    public void start() {
        List<DatagramServer> started = new ArrayList<>();
        try {
            for (Map.Entry<String, DatagramServer> entry : asMap().entrySet()) {
                DatagramServer server = entry.getValue();
                if (!server.isRunning()) {
                    server.start();
                }
                started.add(server);
                publishPort(entry.getKey(), server, started.size() == 1);
            }
        } catch (RuntimeException ex) {
            started.forEach(DatagramServer::stop);
            throw ex;
        }
        this.running = true;
    }

    private void publishPort(String name, DatagramServer server, boolean first) {
        if (this.environment == null) {
            return;
        }
        Map<String, Object> ports = LocalProperties.of(this.environment, PROPERTY_SOURCE_NAME);
        ports.put("local.gev.udp." + name + ".port", server.port());
        if (first) {
            ports.put("local.gev.udp.port", server.port());
        }
    }

    @Override
    public void stop() {
        this.servers.forEach(DatagramServer::stop);
        this.running = false;
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

    @Override
    public int getPhase() {
        return GevServers.PHASE;
    }
}
