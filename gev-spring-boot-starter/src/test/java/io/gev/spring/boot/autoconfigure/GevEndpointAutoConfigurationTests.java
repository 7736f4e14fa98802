package io.gev.spring.boot.autoconfigure;

import io.gev.Handler;
import io.gev.Server;
import io.gev.ServerStats;
import io.gev.spring.boot.actuate.GevEndpoint;
import io.gev.spring.boot.context.GevServers;
import io.gev.testing.TestCertificates;
import io.gev.websocket.WebSocketHandler;
import io.gev.websocket.WebSocketMessage;
import io.gev.websocket.WebSocketSession;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.jackson.JacksonEndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.jackson.EndpointJsonMapper;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.json.BasicJsonTester;
import org.springframework.boot.test.json.JsonContent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.net.ssl.SSLSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class GevEndpointAutoConfigurationTests {

    private static final String PAYLOAD = "a payload the endpoint must not show";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GevAutoConfiguration.class, GevEndpointAutoConfiguration.class,
                    JacksonEndpointAutoConfiguration.class, SslAutoConfiguration.class))
            .withUserConfiguration(TcpAndWebSocketConfiguration.class)
            .withPropertyValues("gev.server.port=0", "gev.server.loops=1", "gev.server.address=127.0.0.1",
                    "gev.websocket.port=0", "gev.websocket.address=127.0.0.1");

    @Test
    void shouldDescribeEachServerItsLoopsAndSessionsAsJson() {
        TestCertificates certificates = TestCertificates.get();
        this.runner.withPropertyValues("management.endpoints.web.exposure.include=gev",
                "gev.server.ssl.bundle=server",
                "spring.ssl.bundle.jks.server.keystore.location=file:" + certificates.keyStore("server"),
                "spring.ssl.bundle.jks.server.keystore.password=" + TestCertificates.PASSWORD,
                "spring.ssl.bundle.jks.server.keystore.type=PKCS12").run((context) -> {
                    Server echo = context.getBean(GevServers.class).get("echo");
                    Server chat = context.getBean(GevServers.class).get("chat");
                    try (SSLSocket tls = (SSLSocket) certificates.clientContext().getSocketFactory()
                            .createSocket("127.0.0.1", echo.port())) {
                        tls.setSoTimeout(10_000);
                        byte[] payload = PAYLOAD.getBytes(StandardCharsets.UTF_8);
                        tls.getOutputStream().write(payload);
                        assertThat(tls.getInputStream().readNBytes(payload.length)).isEqualTo(payload);
                        WebSocket ws = webSocket(chat.port());
                        ServerStats echoStats = echo.stats();
                        ServerStats chatStats = chat.stats();
                        awaitTrue(() -> echoStats.tlsSessions() == 1 && chatStats.upgradedConnections() == 1);

                        String json = context.getBean(EndpointJsonMapper.class).get()
                                .writeValueAsString(context.getBean(GevEndpoint.class).gev());
                        JsonContent<Object> content = new BasicJsonTester(getClass()).from(json);
                        assertThat(content).extractingJsonPathMapValue("$.servers").containsOnlyKeys("echo", "chat");
                        assertThat(content).extractingJsonPathBooleanValue("$.servers.echo.running").isTrue();
                        assertThat(content).extractingJsonPathNumberValue("$.servers.echo.port").isEqualTo(echo.port());
                        assertThat(content).extractingJsonPathStringValue("$.servers.echo.transport")
                                .isEqualTo(echo.transport().name());
                        assertThat(content).extractingJsonPathBooleanValue("$.servers.echo.tls").isTrue();
                        assertThat(content).extractingJsonPathStringValue("$.servers.echo.protocol")
                                .isEqualTo("io.gev.protocol.RawProtocol");
                        assertThat(content).extractingJsonPathBooleanValue("$.servers.echo.webSocket").isFalse();
                        assertThat(content).extractingJsonPathNumberValue("$.servers.echo.connections").isEqualTo(1);
                        assertThat(content).extractingJsonPathNumberValue("$.servers.echo.writeBufferBytes")
                                .isEqualTo(0);
                        assertThat(content).extractingJsonPathNumberValue("$.servers.echo.tlsSessions").isEqualTo(1);
                        assertThat(content).doesNotHaveJsonPath("$.servers.echo.webSocketSessions");
                        assertThat(content).extractingJsonPathArrayValue("$.servers.echo.loops").hasSize(1);
                        assertThat(content).extractingJsonPathNumberValue("$.servers.echo.loops[0].index").isEqualTo(0);
                        assertThat(content).extractingJsonPathStringValue("$.servers.echo.loops[0].name")
                                .isEqualTo("gev-echo-0");
                        assertThat(content).extractingJsonPathNumberValue("$.servers.echo.loops[0].connections")
                                .isEqualTo(1);
                        assertThat(content).extractingJsonPathNumberValue("$.servers.echo.loops[0].pendingTasks")
                                .satisfies((tasks) -> assertThat(tasks.intValue()).isGreaterThanOrEqualTo(0));
                        assertThat(content).extractingJsonPathNumberValue("$.servers.echo.loops[0].writeBufferBytes")
                                .isEqualTo(0);

                        assertThat(content).extractingJsonPathNumberValue("$.servers.chat.port").isEqualTo(chat.port());
                        assertThat(content).extractingJsonPathBooleanValue("$.servers.chat.tls").isFalse();
                        assertThat(content).extractingJsonPathStringValue("$.servers.chat.protocol")
                                .isEqualTo("io.gev.websocket.WebSocketProtocol");
                        assertThat(content).extractingJsonPathBooleanValue("$.servers.chat.webSocket").isTrue();
                        assertThat(content).extractingJsonPathNumberValue("$.servers.chat.webSocketSessions")
                                .isEqualTo(1);
                        assertThat(content).doesNotHaveJsonPath("$.servers.chat.tlsSessions");
                        assertThat(content).extractingJsonPathNumberValue("$.servers.chat.connections").isEqualTo(1);
                        assertThat(json).doesNotContain(PAYLOAD).doesNotContain("hello");
                        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
                    }
                    awaitTrue(() -> echo.stats().tlsSessions() == 0 && chat.stats().upgradedConnections() == 0);
                    GevEndpoint.ServerDescriptor closed = context.getBean(GevEndpoint.class).gev().servers().get("chat");
                    assertThat(closed.webSocketSessions()).isZero();
                    assertThat(closed.connections()).isZero();
                });
    }

    @Test
    void shouldDescribeAStoppedServerWithoutPortOrLoopNames() {
        this.runner.withPropertyValues("management.endpoints.web.exposure.include=gev").run((context) -> {
            context.getBean(GevServers.class).get("echo").stop(java.time.Duration.ZERO);
            GevEndpoint.ServerDescriptor echo = context.getBean(GevEndpoint.class).gev().servers().get("echo");
            assertThat(echo.running()).isFalse();
            assertThat(echo.port()).isNull();
            assertThat(echo.tlsSessions()).isNull();
            assertThat(echo.loops()).singleElement().satisfies((loop) -> {
                assertThat(loop.connections()).isZero();
                assertThat(loop.pendingTasks()).isZero();
            });
            assertThat(context.getBean(GevEndpoint.class).gev().servers().get("chat").running()).isTrue();
        });
    }

    @Test
    void shouldNotCreateTheEndpointUnlessExposed() {
        this.runner.run((context) -> {
            assertThat(context).hasSingleBean(GevServers.class);
            assertThat(context).doesNotHaveBean(GevEndpoint.class);
        });
    }

    @Test
    void shouldNotCreateTheEndpointWhenItsAccessIsNone() {
        this.runner.withPropertyValues("management.endpoints.web.exposure.include=gev",
                "management.endpoint.gev.access=NONE")
                .run((context) -> assertThat(context).doesNotHaveBean(GevEndpoint.class));
    }

    @Test
    void shouldNotCreateTheEndpointWithoutActuator() {
        this.runner.withPropertyValues("management.endpoints.web.exposure.include=gev")
                .withClassLoader(new FilteredClassLoader(Endpoint.class))
                .run((context) -> {
                    assertThat(context).hasSingleBean(GevServers.class);
                    assertThat(context).doesNotHaveBean(GevEndpoint.class);
                });
    }

    @Test
    void shouldBackOffForTheApplicationsOwnEndpoint() {
        this.runner.withPropertyValues("management.endpoints.web.exposure.include=gev")
                .withBean("customGevEndpoint", GevEndpoint.class, () -> new GevEndpoint(
                        new GevServers(java.util.List.of(), null)))
                .run((context) -> assertThat(context).getBeanNames(GevEndpoint.class)
                        .containsExactly("customGevEndpoint"));
    }

    private static void awaitTrue(BooleanSupplier condition) {
        await().atMost(java.time.Duration.ofSeconds(10)).until(condition::getAsBoolean);
    }

    private static WebSocket webSocket(int port) throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        reply.complete(data.toString());
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        ws.sendText("hello", true);
        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("hello");
        return ws;
    }

    @Configuration(proxyBeanMethods = false)
    static class TcpAndWebSocketConfiguration {

        @Bean
        Handler<ByteBuffer> echo() {
            return (connection, context, payload) -> payload;
        }

        @Bean
        WebSocketHandler chat() {
            return new WebSocketHandler() {
                @Override
                public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                    return message;
                }
            };
        }
    }
}
