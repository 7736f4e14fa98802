package io.gev.spring.boot;

import io.gev.Handler;
import io.gev.Server;
import io.gev.buffer.Buffers;
import io.gev.spring.boot.testing.Clients;
import io.gev.spring.boot.context.GevServers;
import io.gev.websocket.WebSocketHandler;
import io.gev.websocket.WebSocketMessage;
import io.gev.websocket.WebSocketSession;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.boot.builder.SpringApplicationBuilder;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(properties = { "gev.server.port=0", "gev.server.address=127.0.0.1", "gev.server.loops=2",
        "gev.websocket.port=0", "gev.websocket.address=127.0.0.1", "gev.websocket.path=/ws",
        "gev.server.shutdown-timeout=30s", "management.endpoint.health.show-details=always" })
@Timeout(60)
class GevStarterIntegrationTests {

    static final byte[] LONG_REPLY = new byte[16 * 1024 * 1024];
    static final CountDownLatch LONG_REPLY_QUEUED = new CountDownLatch(1);

    static {
        Arrays.fill(LONG_REPLY, (byte) 'z');
    }

    @Value("${local.gev.server.port}")
    int port;

    @Value("${local.gev.websocket.port}")
    int webSocketPort;

    @Autowired
    MeterRegistry meters;

    @Autowired
    HealthEndpoint health;

    @Autowired
    GevServers servers;

    @Test
    void servesTcpAndExportsMetricsAndHealth() throws Exception {
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress("127.0.0.1", this.port), 5000);
            client.setSoTimeout(10_000);
            client.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(client.getInputStream().readNBytes(5), StandardCharsets.UTF_8)).isEqualTo("hello");

            assertThat(this.meters.get("gev.connections").tag("server", "echo").gauge().value()).isEqualTo(1.0);
            assertThat(this.meters.get("gev.bytes.in").tag("server", "echo").functionCounter().count()).isEqualTo(5.0);
            assertThat(this.health.healthForPath("gev").getStatus()).isEqualTo(Status.UP);
        }
        assertThat(Clients.webSocketEcho(this.webSocketPort, "/ws", "over websocket"))
                .isEqualTo("over websocket");
        assertThat(this.meters.get("gev.messages.in").tag("server", "webSocketEcho").functionCounter().count())
                .isGreaterThanOrEqualTo(1.0);
        assertThat(this.servers.asMap()).containsOnlyKeys("echo", "webSocketEcho");

    }

    // The test framework owns the context above and cannot see it closed, so the close runs on
    // an application started the way SpringApplication.run starts a user's.
    @Test
    void closingTheContextDrainsALongReplyAndReleasesThePort() throws Exception {
        ConfigurableApplicationContext app = new SpringApplicationBuilder(TestApplication.class)
                .properties("gev.server.port=0", "gev.server.address=127.0.0.1", "gev.server.loops=1",
                        "gev.websocket.port=0",
                        "gev.server.shutdown-timeout=30s", "spring.main.banner-mode=off")
                .run();
        int appPort = app.getEnvironment().getProperty("local.gev.server.port", Integer.class);
        Server server = app.getBean(GevServers.class).get("echo");
        try (Socket slow = new Socket()) {
            slow.connect(new InetSocketAddress("127.0.0.1", appPort), 5000);
            slow.setSoTimeout(20_000);
            slow.getOutputStream().write("long".getBytes(StandardCharsets.UTF_8));
            assertThat(LONG_REPLY_QUEUED.await(10, TimeUnit.SECONDS)).isTrue();
            InputStream in = slow.getInputStream();
            byte[] first = in.readNBytes(1024);
            assertThat(first).hasSize(1024);
            CompletableFuture<Void> closed = CompletableFuture.runAsync(app::close);
            byte[] rest = in.readAllBytes();
            assertThat(first.length + rest.length).isEqualTo(LONG_REPLY.length);
            closed.get(30, TimeUnit.SECONDS);
        }
        assertThat(server.isRunning()).isFalse();
        try (ServerSocket again = new ServerSocket()) {
            again.bind(new InetSocketAddress("127.0.0.1", appPort));
            assertThat(again.getLocalPort()).as("the port is released").isEqualTo(appPort);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class TestApplication {

        @Bean
        WebSocketHandler webSocketEcho() {
            return new WebSocketHandler() {
                @Override
                public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                    return message;
                }
            };
        }

        @Bean
        Handler<ByteBuffer> echo() {
            return (connection, context, payload) -> {
                if ("long".equals(Buffers.utf8(payload))) {
                    LONG_REPLY_QUEUED.countDown();
                    return LONG_REPLY;
                }
                return payload;
            };
        }
    }
}
