package io.gev.spring.boot.autoconfigure;

import io.gev.Server;
import io.gev.ServerStats;
import io.gev.spring.boot.actuate.GevEndpoint;
import io.gev.spring.boot.autoconfigure.GevAutoConfigurationTests.EchoConfiguration;
import io.gev.spring.boot.autoconfigure.GevAutoConfigurationTests.WebSocketEchoConfiguration;
import io.gev.spring.boot.context.GevServers;
import io.gev.testing.EchoProbe;
import io.gev.testing.TestCertificates;
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

import javax.net.ssl.SSLSocket;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class GevEndpointAutoConfigurationTests {

    private static final String PAYLOAD = "a payload the endpoint must not show";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GevAutoConfiguration.class, GevEndpointAutoConfiguration.class,
                    JacksonEndpointAutoConfiguration.class, SslAutoConfiguration.class))
            .withUserConfiguration(EchoConfiguration.class, WebSocketEchoConfiguration.class)
            .withPropertyValues("gev.server.port=0", "gev.server.loops=1", "gev.server.shared-loops=false", "gev.server.address=127.0.0.1",
                    "gev.websocket.port=0", "gev.websocket.address=127.0.0.1");

    @Test
    void shouldDescribeEachServerItsLoopsAndSessionsAsJson() {
        TestCertificates certificates = TestCertificates.get();
        this.runner.withPropertyValues("management.endpoints.web.exposure.include=gev",
                "gev.server.ssl.bundle=server",
                "spring.ssl.bundle.jks.server.keystore.location=file:" + certificates.keyStore("server"),
                "spring.ssl.bundle.jks.server.keystore.password=" + TestCertificates.PASSWORD,
                "spring.ssl.bundle.jks.server.keystore.type=PKCS12").run((context) -> {
                    Server echo = context.getBean(GevServers.class).get("echo-handler");
                    Server chat = context.getBean(GevServers.class).get("webSocketEcho");
                    try (SSLSocket tls = (SSLSocket) certificates.clientContext().getSocketFactory()
                            .createSocket("127.0.0.1", echo.port())) {
                        tls.setSoTimeout(10_000);
                        byte[] payload = PAYLOAD.getBytes(StandardCharsets.UTF_8);
                        tls.getOutputStream().write(payload);
                        assertThat(tls.getInputStream().readNBytes(payload.length)).isEqualTo(payload);
                        EchoProbe.Exchange ws = EchoProbe.webSocket(chat.port(), "/");
                        ws.roundTrip(1);
                        ServerStats echoStats = echo.stats();
                        ServerStats chatStats = chat.stats();
                        awaitTrue(() -> echoStats.tlsSessions() == 1 && chatStats.upgradedConnections() == 1);

                        String json = context.getBean(EndpointJsonMapper.class).get()
                                .writeValueAsString(context.getBean(GevEndpoint.class).gev());
                        JsonContent<Object> content = new BasicJsonTester(getClass()).from(json);
                        assertThat(content).extractingJsonPathMapValue("$.servers").containsOnlyKeys("echo-handler", "webSocketEcho");
                        assertThat(content).extractingJsonPathBooleanValue("$.servers.echo-handler.running").isTrue();
                        assertThat(content).extractingJsonPathNumberValue("$.servers.echo-handler.port").isEqualTo(echo.port());
                        assertThat(content).extractingJsonPathStringValue("$.servers.echo-handler.transport")
                                .isEqualTo(echo.transport().name());
                        assertThat(content).extractingJsonPathBooleanValue("$.servers.echo-handler.tls").isTrue();
                        assertThat(content).extractingJsonPathStringValue("$.servers.echo-handler.protocol")
                                .isEqualTo("io.gev.protocol.RawProtocol");
                        assertThat(content).extractingJsonPathBooleanValue("$.servers.echo-handler.webSocket").isFalse();
                        assertThat(content).extractingJsonPathNumberValue("$.servers.echo-handler.connections").isEqualTo(1);
                        assertThat(content).extractingJsonPathNumberValue("$.servers.echo-handler.writeBufferBytes")
                                .isEqualTo(0);
                        assertThat(content).extractingJsonPathNumberValue("$.servers.echo-handler.tlsSessions").isEqualTo(1);
                        assertThat(content).doesNotHaveJsonPath("$.servers.echo-handler.webSocketSessions");
                        assertThat(content).extractingJsonPathStringValue("$.servers.echo-handler.handlerExecution")
                                .isEqualTo("LOOP");
                        assertThat(content).doesNotHaveJsonPath("$.servers.echo-handler.handlerBacklog");
                        assertThat(content).extractingJsonPathArrayValue("$.servers.echo-handler.loops").hasSize(1);
                        assertThat(content).extractingJsonPathNumberValue("$.servers.echo-handler.loops[0].index").isEqualTo(0);
                        assertThat(content).extractingJsonPathStringValue("$.servers.echo-handler.loops[0].name")
                                .isEqualTo("gev-echo-handler-0");
                        assertThat(content).extractingJsonPathNumberValue("$.servers.echo-handler.loops[0].connections")
                                .isEqualTo(1);
                        assertThat(content).extractingJsonPathNumberValue("$.servers.echo-handler.loops[0].pendingTasks")
                                .satisfies((tasks) -> assertThat(tasks.intValue()).isGreaterThanOrEqualTo(0));
                        assertThat(content).extractingJsonPathNumberValue("$.servers.echo-handler.loops[0].writeBufferBytes")
                                .isEqualTo(0);

                        assertThat(content).extractingJsonPathNumberValue("$.servers.webSocketEcho.port").isEqualTo(chat.port());
                        assertThat(content).extractingJsonPathBooleanValue("$.servers.webSocketEcho.tls").isFalse();
                        assertThat(content).extractingJsonPathStringValue("$.servers.webSocketEcho.protocol")
                                .isEqualTo("io.gev.websocket.WebSocketProtocol");
                        assertThat(content).extractingJsonPathBooleanValue("$.servers.webSocketEcho.webSocket").isTrue();
                        assertThat(content).extractingJsonPathNumberValue("$.servers.webSocketEcho.webSocketSessions")
                                .isEqualTo(1);
                        assertThat(content).doesNotHaveJsonPath("$.servers.webSocketEcho.tlsSessions");
                        assertThat(content).extractingJsonPathNumberValue("$.servers.webSocketEcho.connections").isEqualTo(1);
                        assertThat(json).doesNotContain(PAYLOAD).doesNotContain("probe 1");
                        ws.close();
                    }
                    awaitTrue(() -> echo.stats().tlsSessions() == 0 && chat.stats().upgradedConnections() == 0);
                    GevEndpoint.ServerDescriptor closed = context.getBean(GevEndpoint.class).gev().servers()
                            .get("webSocketEcho");
                    assertThat(closed.webSocketSessions()).isZero();
                    assertThat(closed.connections()).isZero();
                });
    }

    @Test
    void shouldDescribeAStoppedServerWithoutPortOrLoopNames() {
        this.runner.withPropertyValues("management.endpoints.web.exposure.include=gev").run((context) -> {
            context.getBean(GevServers.class).get("echo-handler").stop(java.time.Duration.ZERO);
            GevEndpoint.ServerDescriptor echo = context.getBean(GevEndpoint.class).gev().servers().get("echo-handler");
            assertThat(echo.running()).isFalse();
            assertThat(echo.port()).isNull();
            assertThat(echo.tlsSessions()).isNull();
            assertThat(echo.loops()).singleElement().satisfies((loop) -> {
                assertThat(loop.connections()).isZero();
                assertThat(loop.pendingTasks()).isZero();
            });
            assertThat(context.getBean(GevEndpoint.class).gev().servers().get("webSocketEcho").running()).isTrue();
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
}
