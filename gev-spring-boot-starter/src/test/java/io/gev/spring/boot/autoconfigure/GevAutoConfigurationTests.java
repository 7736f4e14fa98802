package io.gev.spring.boot.autoconfigure;

import io.gev.Connection;
import io.gev.Handler;
import io.gev.Server;
import io.gev.ServerOptions;
import io.gev.buffer.RingBuffer;
import io.gev.loop.Transport;
import io.gev.protocol.Frame;
import io.gev.protocol.Protocol;
import io.gev.protocol.RawProtocol;
import io.gev.spring.boot.context.GevServers;
import io.gev.spring.boot.metrics.GevServersMeterBinder;
import io.gev.spring.boot.testing.Clients;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.util.unit.DataSize;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GevAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GevAutoConfiguration.class, GevMetricsAutoConfiguration.class,
                    GevHealthContributorAutoConfiguration.class))
            .withPropertyValues("gev.server.port=0", "gev.server.loops=1", "gev.server.address=127.0.0.1");

    @Test
    void shouldNotCreateServersWithoutHandler() {
        this.runner.run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(GevServers.class);
            assertThat(context).doesNotHaveBean("gevHealthContributor");
        });
    }

    @Test
    void shouldStartServerForSingleHandler() {
        this.runner.withUserConfiguration(EchoConfiguration.class).run((context) -> {
            assertThat(context).hasSingleBean(GevServers.class);
            Server server = context.getBean(GevServers.class).get("echo-handler");
            assertThat(server.isRunning()).isTrue();
            assertThat(server.name()).isEqualTo("echo-handler");
            int port = context.getEnvironment().getProperty("local.gev.server.port", Integer.class);
            assertThat(port).isEqualTo(server.port());
            assertThat(Clients.echo(port, "hello")).isEqualTo("hello");
        });
    }

    @Test
    void shouldStopServerWhenContextCloses() {
        List<Server> servers = new ArrayList<>();
        this.runner.withUserConfiguration(EchoConfiguration.class)
                .run((context) -> servers.add(context.getBean(GevServers.class).get("echo-handler")));
        assertThat(servers).singleElement().satisfies((server) -> assertThat(server.isRunning()).isFalse());
    }

    @Test
    void shouldManageTheApplicationsServerBesideTheHandlers() {
        this.runner.withUserConfiguration(EchoConfiguration.class, CustomServerConfiguration.class).run((context) -> {
            GevServers servers = context.getBean(GevServers.class);
            assertThat(servers.asMap()).containsOnlyKeys("echo-handler", "custom-server");
            assertThat(servers.get("custom-server").isRunning()).isTrue();
            assertThat(context.getEnvironment().getProperty("local.gev.servers.custom-server.port", Integer.class))
                    .isEqualTo(servers.get("custom-server").port());
        });
    }

    @Test
    void shouldPublishTheOnlyApplicationServersPortAsTheServerPort() {
        this.runner.withUserConfiguration(CustomServerConfiguration.class).run((context) -> {
            Server server = context.getBean(GevServers.class).get("custom-server");
            assertThat(context.getEnvironment().getProperty("local.gev.server.port", Integer.class))
                    .isEqualTo(server.port());
            assertThat(Clients.echo(server.port(), "own")).isEqualTo("own");
        });
    }

    @Test
    void shouldBindProperties() {
        this.runner.withUserConfiguration(EchoConfiguration.class, CaptureConfiguration.class)
                .withPropertyValues("gev.server.loops=2", "gev.server.idle-timeout=90", "gev.server.reuse-port=true",
                        "gev.server.transport=nio", "gev.server.load-balance=least-connections",
                        "gev.server.max-connections=10", "gev.server.tcp-no-delay=false", "gev.server.backlog=16",
                        "gev.server.write-buffer-high-water-mark=128KB", "gev.server.write-buffer-low-water-mark=1KB",
                        "gev.server.write-buffer-limit=2MB", "gev.server.read-buffer-limit=512KB",
                        "gev.server.shutdown=immediate", "gev.server.shutdown-timeout=5s", "gev.server.shared-loops=false",
                        "gev.server.blocked-loop-warning=250ms")
                .run((context) -> {
                    GevProperties.ServerProperties p = context.getBean(GevProperties.class).getServer();
                    assertThat(p.getIdleTimeout()).isEqualTo(Duration.ofSeconds(90));
                    assertThat(p.getWriteBufferHighWaterMark()).isEqualTo(DataSize.ofKilobytes(128));
                    assertThat(p.getShutdown()).isEqualTo(GevProperties.Shutdown.IMMEDIATE);
                    ServerOptions b = context.getBean(GevServers.class).get("echo-handler").options();
                    assertThat(b.loops()).isEqualTo(2);
                    assertThat(b.idleTimeout()).isEqualTo(Duration.ofSeconds(90));
                    assertThat(b.reusePort()).isTrue();
                    assertThat(b.transport()).isEqualTo(Transport.NIO);
                    assertThat(b.loadBalancer()).hasToString("leastConnections");
                    assertThat(p.getMaxConnections()).isEqualTo(10);
                    assertThat(b.maxConnections()).as("the customizers' value").isEqualTo(7);
                    assertThat(b.tcpNoDelay()).isFalse();
                    assertThat(b.backlog()).isEqualTo(16);
                    assertThat(b.writeBufferHighWaterMark()).isEqualTo(128 * 1024);
                    assertThat(b.writeBufferLowWaterMark()).isEqualTo(1024);
                    assertThat(b.writeBufferLimit()).isEqualTo(2 * 1024 * 1024);
                    assertThat(b.readBufferLimit()).isEqualTo(512 * 1024);
                    assertThat(b.shutdownTimeout()).isEqualTo(Duration.ofSeconds(5));
                    assertThat(b.blockedLoopWarning()).isEqualTo(Duration.ofMillis(250));
                    assertThat(context.getBean(GevServers.class).get("echo-handler").transport())
                            .isEqualTo(Transport.NIO);
                });
    }

    @Test
    void shouldTakeTheShutdownTimeoutOfALifecyclePhaseWhenUnset() {
        this.runner.withUserConfiguration(EchoConfiguration.class).run((context) -> {
            assertThat(shutdownTimeouts(context.getBean(GevServers.class))).containsOnly(Duration.ofSeconds(30));
        });
        this.runner.withUserConfiguration(EchoConfiguration.class)
                .withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=7s")
                .run((context) -> {
                    assertThat(shutdownTimeouts(context.getBean(GevServers.class))).containsOnly(Duration.ofSeconds(7));
                });
        this.runner.withUserConfiguration(EchoConfiguration.class)
                .withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=7s", "gev.server.shutdown-timeout=3s")
                .run((context) -> {
                    assertThat(shutdownTimeouts(context.getBean(GevServers.class))).containsOnly(Duration.ofSeconds(3));
                });
    }

    /** Each server's drain timeout, as the lifecycle runs it and as its own close uses it. */
    private static List<Duration> shutdownTimeouts(GevServers servers) {
        List<Duration> timeouts = new ArrayList<>();
        for (GevServers.Managed managed : servers) {
            timeouts.add(managed.shutdownTimeout());
            timeouts.add(managed.server().options().shutdownTimeout());
        }
        return timeouts;
    }

    @Test
    void shouldKeepServersBoundWhileTheContextIsPaused() {
        this.runner.withUserConfiguration(EchoConfiguration.class).run((context) -> {
            Server server = context.getBean(GevServers.class).get("echo-handler");
            int port = server.port();
            context.getSourceApplicationContext().pause();
            assertThat(server.isRunning()).isTrue();
            assertThat(Clients.echo(port, "paused")).isEqualTo("paused");
            context.getSourceApplicationContext().restart();
            assertThat(server.port()).isEqualTo(port);
            assertThat(Clients.echo(port, "restarted")).isEqualTo("restarted");
        });
    }

    @Test
    void shouldUseProtocolBean() {
        this.runner.withUserConfiguration(EchoConfiguration.class, UpperCaseProtocolConfiguration.class)
                .run((context) -> {
                    int port = context.getEnvironment().getProperty("local.gev.server.port", Integer.class);
                    assertThat(Clients.echo(port, "shout")).isEqualTo("SHOUT");
                });
    }

    @Test
    void shouldApplyCustomizersInOrder() {
        this.runner.withUserConfiguration(EchoConfiguration.class, CaptureConfiguration.class).run((context) -> {
            CaptureConfiguration capture = context.getBean(CaptureConfiguration.class);
            assertThat(capture.order).containsExactly("first", "second");
            assertThat(capture.builders).hasSize(1);
            assertThat(context.getBean(GevServers.class).get("echo-handler").options().maxConnections()).isEqualTo(7);
        });
    }

    @Test
    void shouldStartOneServerPerHandlerConfiguredByBeanName() {
        this.runner.withUserConfiguration(TwoHandlersConfiguration.class, UpperCaseProtocolConfiguration.class,
                CaptureConfiguration.class)
                .withPropertyValues("gev.server.idle-timeout=60", "gev.servers.echo-handler.port=0",
                        "gev.servers.echo-handler.protocol=raw", "gev.servers.upper-handler.port=0",
                        "gev.servers.upper-handler.protocol=upperCaseProtocol")
                .run((context) -> {
                    GevServers servers = context.getBean(GevServers.class);
                    assertThat(servers.asMap()).containsOnlyKeys("echo-handler", "upper-handler");
                    int echoPort = context.getEnvironment().getProperty("local.gev.servers.echo-handler.port", Integer.class);
                    int upperPort = context.getEnvironment().getProperty("local.gev.servers.upper-handler.port", Integer.class);
                    assertThat(Clients.echo(echoPort, "abc")).isEqualTo("abc");
                    assertThat(Clients.echo(upperPort, "abc")).isEqualTo("ABC");
                    // Keys not set under gev.servers.<name> fall back to gev.server.
                    assertThat(servers.asMap().values()).extracting((server) -> server.options().idleTimeout())
                            .containsOnly(Duration.ofSeconds(60));
                });
    }

    @Test
    void shouldPassTheClientFaultLogSettingsToTcpAndWebSocketServers() {
        this.runner.withUserConfiguration(EchoConfiguration.class, WebSocketEchoConfiguration.class)
                .withPropertyValues("gev.websocket.port=0", "gev.websocket.address=127.0.0.1")
                .run((context) -> {
                    for (Server server : context.getBean(GevServers.class).asMap().values()) {
                        assertThat(server.options().clientFaultLogInterval()).isEqualTo(Duration.ofMinutes(1));
                        assertThat(server.options().clientFaultLogLimit()).isEqualTo(10);
                    }
                });
        this.runner.withUserConfiguration(EchoConfiguration.class, WebSocketEchoConfiguration.class)
                .withPropertyValues("gev.websocket.port=0", "gev.websocket.address=127.0.0.1",
                        "gev.server.client-fault-log-interval=45", "gev.server.client-fault-log-limit=25")
                .run((context) -> {
                    for (Server server : context.getBean(GevServers.class).asMap().values()) {
                        assertThat(server.options().clientFaultLogInterval()).as("seconds without a unit")
                                .isEqualTo(Duration.ofSeconds(45));
                        assertThat(server.options().clientFaultLogLimit()).isEqualTo(25);
                    }
                });
        this.runner.withUserConfiguration(EchoConfiguration.class)
                .withPropertyValues("gev.server.client-fault-log-interval=0", "gev.server.client-fault-log-limit=0")
                .run((context) -> {
                    ServerOptions options = context.getBean(GevServers.class).get("echo-handler").options();
                    assertThat(options.clientFaultLogInterval()).as("every fault logged").isZero();
                    assertThat(options.clientFaultLogLimit()).as("summaries only").isZero();
                });
        this.runner.withUserConfiguration(EchoConfiguration.class)
                .withPropertyValues("gev.server.client-fault-log-interval=-1ms")
                .run((context) -> assertThat(context.getStartupFailure()).rootCause()
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clientFaultLogInterval"));
        this.runner.withUserConfiguration(EchoConfiguration.class)
                .withPropertyValues("gev.server.client-fault-log-limit=-1")
                .run((context) -> assertThat(context.getStartupFailure()).rootCause()
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clientFaultLogLimit"));
    }

    @Test
    void shouldFallBackToGevServerForEveryKeyNotSetUnderTheBeanName() {
        this.runner.withUserConfiguration(TwoHandlersConfiguration.class)
                .withPropertyValues("gev.server.loops=2", "gev.server.idle-timeout=7", "gev.server.reuse-port=true",
                        "gev.server.transport=nio", "gev.server.load-balance=least-connections",
                        "gev.server.max-connections=11", "gev.server.tcp-no-delay=false", "gev.server.keep-alive=true",
                        "gev.server.send-buffer-size=48KB", "gev.server.receive-buffer-size=96KB",
                        "gev.server.backlog=17", "gev.server.write-buffer-high-water-mark=100KB",
                        "gev.server.write-buffer-low-water-mark=10KB", "gev.server.write-buffer-limit=3MB",
                        "gev.server.read-buffer-limit=256KB", "gev.server.shutdown=immediate",
                        "gev.server.shutdown-timeout=4s", "gev.server.blocked-loop-warning=300ms",
                        "gev.server.shared-loops=false",
                        "gev.servers.echo-handler.port=0", "gev.servers.upper-handler.port=0",
                        "gev.servers.upper-handler.loops=1", "gev.servers.upper-handler.max-connections=5",
                        "gev.servers.upper-handler.receive-buffer-size=32KB", "gev.servers.upper-handler.shutdown=graceful")
                .run((context) -> {
                    GevServers servers = context.getBean(GevServers.class);
                    ServerOptions echo = servers.get("echo-handler").options();
                    assertThat(echo.address()).contains("127.0.0.1");
                    assertThat(echo.port()).isZero();
                    assertThat(echo.loops()).isEqualTo(2);
                    assertThat(echo.idleTimeout()).isEqualTo(Duration.ofSeconds(7));
                    assertThat(echo.reusePort()).isTrue();
                    assertThat(echo.transport()).isEqualTo(Transport.NIO);
                    assertThat(echo.loadBalancer()).hasToString("leastConnections");
                    assertThat(echo.maxConnections()).isEqualTo(11);
                    assertThat(echo.tcpNoDelay()).isFalse();
                    assertThat(echo.keepAlive()).isTrue();
                    assertThat(echo.sendBufferSize()).isEqualTo(48 * 1024);
                    assertThat(echo.receiveBufferSize()).isEqualTo(96 * 1024);
                    assertThat(echo.backlog()).isEqualTo(17);
                    assertThat(echo.writeBufferHighWaterMark()).isEqualTo(100 * 1024);
                    assertThat(echo.writeBufferLowWaterMark()).isEqualTo(10 * 1024);
                    assertThat(echo.writeBufferLimit()).isEqualTo(3 * 1024 * 1024);
                    assertThat(echo.readBufferLimit()).isEqualTo(256 * 1024);
                    assertThat(echo.shutdownTimeout()).isEqualTo(Duration.ofSeconds(4));
                    assertThat(echo.blockedLoopWarning()).isEqualTo(Duration.ofMillis(300));
                    ServerOptions upper = servers.get("upper-handler").options();
                    assertThat(upper.loops()).isEqualTo(1);
                    assertThat(upper.maxConnections()).isEqualTo(5);
                    assertThat(upper.receiveBufferSize()).isEqualTo(32 * 1024);
                    assertThat(upper.sendBufferSize()).isEqualTo(48 * 1024);
                    assertThat(upper.idleTimeout()).isEqualTo(Duration.ofSeconds(7));
                    assertThat(servers).filteredOn((managed) -> managed.name().equals("echo-handler"))
                            .singleElement().satisfies((managed) -> {
                                assertThat(managed.graceful()).isFalse();
                                assertThat(managed.shutdownTimeout()).isEqualTo(Duration.ofSeconds(4));
                            });
                    assertThat(servers).filteredOn((managed) -> managed.name().equals("upper-handler"))
                            .singleElement().satisfies((managed) -> assertThat(managed.graceful()).isTrue());
                    // Resolving a server's settings leaves gev.server itself as bound.
                    assertThat(context.getBean(GevProperties.class).getServer().getLoops()).isEqualTo(2);
                    assertThat(context.getBean(GevProperties.class).getServer().getPort()).isEqualTo(0);
                });
    }

    @Test
    void shouldSetSocketBufferSizes() {
        this.runner.withUserConfiguration(EchoConfiguration.class)
                .withPropertyValues("gev.server.send-buffer-size=64KB", "gev.server.receive-buffer-size=128KB")
                .run((context) -> {
                    GevProperties.ServerProperties p = context.getBean(GevProperties.class).getServer();
                    assertThat(p.getSendBufferSize()).isEqualTo(DataSize.ofKilobytes(64));
                    assertThat(p.getReceiveBufferSize()).isEqualTo(DataSize.ofKilobytes(128));
                    Server server = context.getBean(GevServers.class).get("echo-handler");
                    assertThat(server.options().sendBufferSize()).isEqualTo(64 * 1024);
                    assertThat(server.options().receiveBufferSize()).isEqualTo(128 * 1024);
                    assertThat(Clients.echo(server.port(), "sized")).isEqualTo("sized");
                });
        this.runner.withUserConfiguration(EchoConfiguration.class).run((context) -> {
            ServerOptions options = context.getBean(GevServers.class).get("echo-handler").options();
            assertThat(options.sendBufferSize()).as("unset: the system's").isZero();
            assertThat(options.receiveBufferSize()).as("unset: the system's").isZero();
        });
    }

    @Test
    void shouldTellCustomizersWhichServerTheyCustomize() {
        this.runner.withUserConfiguration(TwoHandlersConfiguration.class, NamedCustomizerConfiguration.class)
                .withPropertyValues("gev.servers.echo-handler.port=0", "gev.servers.upper-handler.port=0")
                .run((context) -> {
                    assertThat(context.getBean(NamedCustomizerConfiguration.class).names)
                            .containsExactlyInAnyOrder("echo-handler", "upper-handler");
                    GevServers servers = context.getBean(GevServers.class);
                    assertThat(servers.get("upper-handler").options().maxConnections()).isEqualTo(9);
                    assertThat(servers.get("echo-handler").options().maxConnections()).isZero();
                });
    }

    @Test
    void shouldFailWhenSeveralHandlersShareTheDefaultServer() {
        this.runner.withUserConfiguration(TwoHandlersConfiguration.class).run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().isInstanceOf(GevServerConfigurationException.class)
                    .hasMessageContaining("2 Handler beans").hasMessageContaining("echo-handler")
                    .hasMessageContaining("upper-handler");
        });
    }

    @Test
    void shouldFailWhenTwoServersClaimOnePort() {
        this.runner.withUserConfiguration(TwoHandlersConfiguration.class)
                .withPropertyValues("gev.servers.echo-handler.port=40001", "gev.servers.upper-handler.port=40001")
                .run((context) -> assertThat(context.getStartupFailure()).rootCause()
                        .isInstanceOf(GevServerConfigurationException.class).hasMessageContaining("40001"));
    }

    @Test
    void shouldFailWhenProtocolIsAmbiguous() {
        this.runner.withUserConfiguration(EchoConfiguration.class, UpperCaseProtocolConfiguration.class,
                SecondProtocolConfiguration.class).run((context) -> assertThat(context.getStartupFailure())
                        .rootCause().isInstanceOf(GevServerConfigurationException.class)
                        .hasMessageContaining("upperCaseProtocol").hasMessageContaining("otherProtocol"));
    }

    @Test
    void shouldFailWhenProtocolBeanIsMissing() {
        this.runner.withUserConfiguration(EchoConfiguration.class).withPropertyValues("gev.server.protocol=nope")
                .run((context) -> assertThat(context.getStartupFailure()).rootCause()
                        .isInstanceOf(GevServerConfigurationException.class).hasMessageContaining("'nope'"));
    }

    @Test
    void shouldBindMetersWhenMicrometerIsPresent() {
        this.runner.withUserConfiguration(EchoConfiguration.class).withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run((context) -> {
                    assertThat(context).hasSingleBean(GevServersMeterBinder.class);
                    SimpleMeterRegistry registry = new SimpleMeterRegistry();
                    context.getBean(GevServersMeterBinder.class).bindTo(registry);
                    assertThat(registry.get("gev.connections").tag("server", "echo-handler").gauge().value()).isZero();
                });
    }

    @Test
    void shouldNotBindMetersWithoutMicrometer() {
        this.runner.withUserConfiguration(EchoConfiguration.class)
                .withClassLoader(new FilteredClassLoader(MeterRegistry.class))
                .run((context) -> {
                    assertThat(context).hasSingleBean(GevServers.class);
                    assertThat(context).doesNotHaveBean(GevServersMeterBinder.class);
                });
    }

    @Test
    void shouldNotStartServersWhenDisabled() {
        this.runner.withUserConfiguration(EchoConfiguration.class).withPropertyValues("gev.server.enabled=false")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(GevServers.class);
                });
    }

    @Test
    void shouldSkipDisabledServerAmongSeveral() {
        this.runner.withUserConfiguration(TwoHandlersConfiguration.class)
                .withPropertyValues("gev.servers.echo-handler.port=0", "gev.servers.upper-handler.enabled=false")
                .run((context) -> assertThat(context.getBean(GevServers.class).asMap()).containsOnlyKeys("echo-handler"));
    }

    @Test
    void shouldStartWebSocketServerForWebSocketHandler() {
        this.runner.withUserConfiguration(WebSocketEchoConfiguration.class)
                .withPropertyValues("gev.websocket.port=0", "gev.websocket.address=127.0.0.1", "gev.websocket.path=/echo")
                .run((context) -> {
                    Server server = context.getBean(GevServers.class).get("webSocketEcho");
                    int port = context.getEnvironment().getProperty("local.gev.websocket.port", Integer.class);
                    assertThat(port).isEqualTo(server.port());
                    assertThat(Clients.webSocketEcho(port, "/echo", "hi there")).isEqualTo("hi there");
                });
    }

    @Test
    void shouldServeTcpAndWebSocketSideBySide() {
        this.runner.withUserConfiguration(EchoConfiguration.class, WebSocketEchoConfiguration.class)
                .withPropertyValues("gev.websocket.port=0", "gev.websocket.address=127.0.0.1")
                .run((context) -> {
                    assertThat(context.getBean(GevServers.class).asMap()).containsOnlyKeys("echo-handler",
                            "webSocketEcho");
                    assertThat(Clients.echo(context.getEnvironment().getProperty("local.gev.server.port", Integer.class), "tcp"))
                            .isEqualTo("tcp");
                    assertThat(Clients.webSocketEcho(context.getEnvironment().getProperty("local.gev.websocket.port",
                            Integer.class), "/", "ws")).isEqualTo("ws");
                });
    }

    @Test
    void shouldBindWebSocketProperties() {
        this.runner.withUserConfiguration(WebSocketEchoConfiguration.class)
                .withPropertyValues("gev.websocket.port=0", "gev.websocket.path=/a,/b", "gev.websocket.subprotocols=chat",
                        "gev.websocket.allowed-origins=https://example.org",
                        "gev.websocket.allowed-origin-patterns=https://*.example.org", "gev.websocket.max-frame-size=64KB",
                        "gev.websocket.max-message-size=1MB", "gev.websocket.max-handshake-size=4KB",
                        "gev.websocket.handshake-timeout=3", "gev.websocket.ping-interval=20s",
                        "gev.websocket.ping-timeout=500ms", "gev.websocket.close-timeout=2s",
                        "gev.websocket.compression.enabled=true", "gev.websocket.compression.min-size=1KB",
                        "gev.websocket.compression.level=1")
                .run((context) -> {
                    io.gev.websocket.WebSocketOptions o = GevServersFactory
                            .webSocketOptions(context.getBean(GevProperties.class).getWebsocket());
                    assertThat(o.paths()).containsExactly("/a", "/b");
                    assertThat(o.subprotocols()).containsExactly("chat");
                    assertThat(o.allowedOrigins()).containsExactly("https://example.org");
                    assertThat(o.allowedOriginPatterns()).containsExactly("https://*.example.org");
                    assertThat(o.maxFrameSize()).isEqualTo(64 * 1024);
                    assertThat(o.maxMessageSize()).isEqualTo(1024 * 1024);
                    assertThat(o.maxHandshakeSize()).isEqualTo(4 * 1024);
                    assertThat(o.handshakeTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(o.pingInterval()).isEqualTo(Duration.ofSeconds(20));
                    assertThat(o.pingTimeout()).isEqualTo(Duration.ofMillis(500));
                    assertThat(o.closeTimeout()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(o.compression()).isTrue();
                    assertThat(o.compressionMinSize()).isEqualTo(1024);
                    assertThat(o.compressionLevel()).isEqualTo(1);
                });
    }

    @Test
    void shouldLetAWebSocketServerSendBackTheLargestMessageItAcceptsUnlessTheWriteBufferLimitIsSet() {
        this.runner.withUserConfiguration(WebSocketEchoConfiguration.class)
                .withPropertyValues("gev.websocket.port=0", "gev.websocket.max-message-size=32MB")
                .run((context) -> assertThat(options(context, "webSocketEcho").writeBufferLimit())
                        .isEqualTo(33 * 1024 * 1024));
        this.runner.withUserConfiguration(WebSocketEchoConfiguration.class)
                .withPropertyValues("gev.websocket.port=0", "gev.websocket.max-message-size=1MB")
                .run((context) -> assertThat(options(context, "webSocketEcho").writeBufferLimit())
                        .isEqualTo(ServerOptions.DEFAULT_WRITE_BUFFER_LIMIT));
        this.runner.withUserConfiguration(WebSocketEchoConfiguration.class)
                .withPropertyValues("gev.websocket.port=0", "gev.websocket.max-message-size=32MB",
                        "gev.server.write-buffer-limit=20MB")
                .run((context) -> assertThat(options(context, "webSocketEcho").writeBufferLimit())
                        .isEqualTo(20 * 1024 * 1024));
        this.runner.withUserConfiguration(EchoConfiguration.class)
                .run((context) -> assertThat(options(context, "echo-handler").writeBufferLimit())
                        .isEqualTo(ServerOptions.DEFAULT_WRITE_BUFFER_LIMIT));
    }

    private static ServerOptions options(org.springframework.context.ApplicationContext context, String server) {
        return context.getBean(GevServers.class).get(server).options();
    }

    @Test
    void shouldCapFrameSizeAtMessageSize() {
        this.runner.withUserConfiguration(WebSocketEchoConfiguration.class)
                .withPropertyValues("gev.websocket.port=0", "gev.websocket.max-message-size=64KB")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    io.gev.websocket.WebSocketOptions o = GevServersFactory
                            .webSocketOptions(context.getBean(GevProperties.class).getWebsocket());
                    assertThat(o.maxMessageSize()).isEqualTo(64 * 1024);
                    assertThat(o.maxFrameSize()).isEqualTo(64 * 1024);
                });
    }

    @Test
    void shouldNotStartWebSocketServerWhenDisabled() {
        this.runner.withUserConfiguration(EchoConfiguration.class, WebSocketEchoConfiguration.class)
                .withPropertyValues("gev.websocket.enabled=false")
                .run((context) -> assertThat(context.getBean(GevServers.class).asMap()).containsOnlyKeys("echo-handler"));
        this.runner.withUserConfiguration(WebSocketEchoConfiguration.class)
                .withPropertyValues("gev.websocket.enabled=false")
                .run((context) -> assertThat(context).doesNotHaveBean(GevServers.class));
    }

    @Test
    void shouldStartWebSocketServerWhenOnlyTcpIsDisabled() {
        this.runner.withUserConfiguration(EchoConfiguration.class, WebSocketEchoConfiguration.class)
                .withPropertyValues("gev.server.enabled=false", "gev.websocket.port=0")
                .run((context) -> assertThat(context.getBean(GevServers.class).asMap()).containsOnlyKeys("webSocketEcho"));
    }

    @Test
    void shouldFailWithSeveralWebSocketHandlers() {
        this.runner.withUserConfiguration(WebSocketEchoConfiguration.class, SecondWebSocketConfiguration.class)
                .withPropertyValues("gev.websocket.port=0")
                .run((context) -> assertThat(context.getStartupFailure()).rootCause()
                        .isInstanceOf(GevServerConfigurationException.class).hasMessageContaining("webSocketEcho")
                        .hasMessageContaining("otherWebSocket").hasMessageContaining("no routes"));
    }

    @Configuration(proxyBeanMethods = false)
    static class WebSocketEchoConfiguration {

        @Bean
        io.gev.websocket.WebSocketHandler webSocketEcho() {
            return new io.gev.websocket.WebSocketHandler() {
                @Override
                public Object onMessage(io.gev.websocket.WebSocketSession session,
                        io.gev.websocket.WebSocketMessage message) {
                    return message;
                }
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class SecondWebSocketConfiguration {

        @Bean
        io.gev.websocket.WebSocketHandler otherWebSocket() {
            return new io.gev.websocket.WebSocketHandler() {
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class EchoConfiguration {

        @Bean
        Handler<ByteBuffer> echoHandler() {
            return (connection, context, payload) -> payload;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoHandlersConfiguration {

        @Bean
        Handler<ByteBuffer> echoHandler() {
            return (connection, context, payload) -> payload;
        }

        @Bean
        Handler<ByteBuffer> upperHandler() {
            return (connection, context, payload) -> payload;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class CustomServerConfiguration {

        @Bean
        Server customServer() {
            return Server.builder((connection, context, payload) -> payload).address("127.0.0.1").port(0).loops(1)
                    .build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UpperCaseProtocolConfiguration {

        @Bean
        Protocol<ByteBuffer> upperCaseProtocol() {
            return new Protocol<>() {
                @Override
                public boolean unpack(Connection connection, RingBuffer in, Frame<ByteBuffer> frame) {
                    return RawProtocol.INSTANCE.unpack(connection, in, frame);
                }

                @Override
                public void pack(Connection connection, Object message, RingBuffer out) {
                    ByteBuffer bytes = (ByteBuffer) message;
                    while (bytes.hasRemaining()) {
                        out.writeByte(Character.toUpperCase(bytes.get()));
                    }
                }
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class SecondProtocolConfiguration {

        @Bean
        Protocol<ByteBuffer> otherProtocol() {
            return RawProtocol.INSTANCE;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class NamedCustomizerConfiguration {

        final List<String> names = new ArrayList<>();

        @Bean
        GevServerCustomizer upperOnly() {
            return new GevServerCustomizer() {
                @Override
                public void customize(Server.Builder builder) {
                    throw new AssertionError("the named variant is the one called");
                }

                @Override
                public void customize(String name, Server.Builder builder) {
                    NamedCustomizerConfiguration.this.names.add(name);
                    if (name.equals("upper-handler")) {
                        builder.maxConnections(9);
                    }
                }
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class CaptureConfiguration {

        final List<String> order = new ArrayList<>();
        final List<Server.Builder> builders = new ArrayList<>();

        @Bean
        @Order(2)
        GevServerCustomizer second() {
            return (builder) -> {
                this.order.add("second");
                this.builders.add(builder);
                builder.maxConnections(7);
            };
        }

        @Bean
        @Order(1)
        GevServerCustomizer first() {
            return (builder) -> {
                this.order.add("first");
                builder.maxConnections(3);
            };
        }
    }
}
