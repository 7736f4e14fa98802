package io.gev.sample;

import io.gev.spring.boot.context.GevServerInitializedEvent;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The WebSocket server's handler (echo and chat) and the chat's heartbeat timer. */
@Configuration(proxyBeanMethods = false)
class ChatConfiguration {

    @Bean(destroyMethod = "shutdown")
    ExecutorService chatBroadcaster() {
        return Executors.newSingleThreadExecutor((runnable) -> new Thread(runnable, "chat-broadcaster"));
    }

    @Bean
    ChatHandler chat(ExecutorService chatBroadcaster) {
        return new ChatHandler(chatBroadcaster);
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
            if (event.getServer().name().equals("chat")) {
                event.getServer().runEvery(this.interval, this.chat::heartbeat);
            }
        }
    }
}
