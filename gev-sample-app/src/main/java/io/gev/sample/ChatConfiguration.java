package io.gev.sample;

import io.gev.spring.boot.context.GevServerInitializedEvent;
import io.gev.websocket.WebSocketGroup;
import io.gev.websocket.WebSocketGroups;
import io.gev.websocket.WebSocketHandler;
import io.gev.websocket.WebSocketMessage;
import io.gev.websocket.WebSocketServer;
import io.gev.websocket.WebSocketSession;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The WebSocket server's two handlers, echo and chat, which {@code gev.websocket.routes} in
 * application.yml map to {@code /echo} and {@code /chat} on one port, and the chat's heartbeat timer.
 */
@Configuration(proxyBeanMethods = false)
class ChatConfiguration {

    @Bean(destroyMethod = "shutdown")
    ExecutorService chatBroadcaster() {
        return Executors.newSingleThreadExecutor((runnable) -> new Thread(runnable, "chat-broadcaster"));
    }

    /** Sends every message back as it came, text as text and binary as binary. */
    @Bean
    WebSocketHandler webSocketEcho() {
        return new WebSocketHandler() {
            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                return message;
            }
        };
    }

    /**
     * The chat; with {@code gev.cluster.enabled=true} (profile {@code cluster}) its room is the
     * cluster-wide group "chat", else a group of this instance.
     */
    @Bean
    ChatHandler chat(ExecutorService chatBroadcaster, JsonMapper json, ObjectProvider<WebSocketGroups> groups) {
        WebSocketGroups cluster = groups.getIfAvailable();
        WebSocketGroup room = cluster != null ? cluster.group("chat") : new WebSocketGroup();
        return new ChatHandler(room, chatBroadcaster, json);
    }

    /** Starts the heartbeat on the WebSocket server's own loop once it is running. */
    @Bean
    HeartbeatStarter heartbeatStarter(ChatHandler chat, @Value("${sample.heartbeat-interval:5s}") Duration interval) {
        return new HeartbeatStarter(chat, interval);
    }

    static final class HeartbeatStarter {

        private final ChatHandler chat;
        private final Duration interval;

        HeartbeatStarter(ChatHandler chat, Duration interval) {
            this.chat = chat;
            this.interval = interval;
        }

        @EventListener
        void onStarted(GevServerInitializedEvent event) {
            // The routed WebSocket server; its wss:// twin is "websocket-tls".
            if (event.getServer().name().equals(WebSocketServer.DEFAULT_NAME)) {
                event.getServer().runEvery(this.interval, this.chat::heartbeat);
            }
        }
    }
}
