package io.gev.sample;

import io.gev.spring.boot.context.GevServers;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.Map;

/** What the page needs: where the WebSocket server listens and how many connections each server has. */
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

    @GetMapping("/api/stats")
    Map<String, Object> stats() {
        Map<String, Integer> connections = new LinkedHashMap<>();
        this.servers.asMap().forEach((name, server) -> connections.put(name, server.stats().activeConnections()));
        return Map.of("connections", connections);
    }
}
