package io.gev.sample;

import io.gev.ServerStats;
import io.gev.spring.boot.context.GevServers;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.Map;

/** What the pages need: where the WebSocket server listens, and each server's connections and messages. */
@RestController
class StatsController {

    private final GevServers servers;
    private final Environment environment;

    StatsController(GevServers servers, Environment environment) {
        this.servers = servers;
        this.environment = environment;
    }

    @GetMapping("/api/config")
    Map<String, Object> config() {
        return Map.of("webSocketPort", this.environment.getProperty("local.gev.websocket.port", Integer.class, 1834),
                "secureWebSocketPort", this.environment.getProperty("local.gev.websocket.ssl.port", Integer.class, 1854));
    }

    /**
     * Per server: open connections, and the messages decoded and sent since start, from which
     * the dashboard draws its rates. Counters are the servers' own, read without locks.
     */
    @GetMapping("/api/stats")
    Map<String, Object> stats() {
        Map<String, Integer> connections = new LinkedHashMap<>();
        Map<String, ServerCounts> counts = new LinkedHashMap<>();
        this.servers.asMap().forEach((name, server) -> {
            ServerStats stats = server.stats();
            connections.put(name, stats.activeConnections());
            counts.put(name, new ServerCounts(stats.activeConnections(), stats.messagesIn(), stats.messagesOut()));
        });
        return Map.of("connections", connections, "servers", counts);
    }

    record ServerCounts(int connections, long messagesIn, long messagesOut) {
    }
}
