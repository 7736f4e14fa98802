package io.gev.spring.boot.autoconfigure;

import io.gev.ProxyProtocol;
import io.gev.Server;
import io.gev.ServerOptions;
import io.gev.spring.boot.context.GevServers;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code gev.server.proxy-protocol.*} and the per-address limits: binding, fallback, checks, and a real header. */
class GevProxyProtocolTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GevAutoConfiguration.class))
            .withPropertyValues("gev.server.loops=1", "gev.server.address=127.0.0.1", "gev.server.port=0");

    private final ApplicationContextRunner tcp = this.runner
            .withUserConfiguration(GevAutoConfigurationTests.EchoConfiguration.class);

    @Test
    void shouldBeOffWithNoLimitsByDefault() {
        this.tcp.run((context) -> {
            ServerOptions options = context.getBean(GevServers.class).get("echo-handler").options();
            assertThat(options.proxyProtocol()).isEmpty();
            assertThat(options.maxConnectionsPerAddress()).isZero();
            assertThat(options.connectionRatePerAddress()).isZero();
            assertThat(options.connectionRateInterval()).isEqualTo(ServerOptions.DEFAULT_CONNECTION_RATE_INTERVAL);
        });
    }

    @Test
    void shouldBindEveryKeyAndReadTheClientsAddressFromARealHeader() {
        this.tcp.withPropertyValues("gev.server.proxy-protocol.enabled=true",
                "gev.server.proxy-protocol.trusted-proxies=127.0.0.1,10.0.0.0/8",
                "gev.server.proxy-protocol.header-timeout=2s", "gev.server.proxy-protocol.max-header-size=512B",
                "gev.server.max-connections-per-address=5", "gev.server.connection-rate-per-address=50",
                "gev.server.connection-rate-interval=10s").run((context) -> {
                    assertThat(context).hasNotFailed();
                    Server server = context.getBean(GevServers.class).get("echo-handler");
                    ProxyProtocol proxy = server.options().proxyProtocol().orElseThrow();
                    assertThat(proxy.trustedProxies()).containsExactly("127.0.0.1", "10.0.0.0/8");
                    assertThat(proxy.headerTimeout()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(proxy.maxHeaderSize()).isEqualTo(512);
                    assertThat(server.options().maxConnectionsPerAddress()).isEqualTo(5);
                    assertThat(server.options().connectionRatePerAddress()).isEqualTo(50);
                    assertThat(server.options().connectionRateInterval()).isEqualTo(Duration.ofSeconds(10));
                    try (Socket socket = new Socket("127.0.0.1", server.port())) {
                        socket.setSoTimeout(10_000);
                        socket.getOutputStream().write("PROXY TCP4 198.51.100.9 192.0.2.1 5555 1833\r\nhello\n"
                                .getBytes(StandardCharsets.US_ASCII));
                        // The echo handler answers what came behind the header, put back for it.
                        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                        assertThat(in.readLine()).isEqualTo("hello");
                    }
                });
    }

    @Test
    void shouldFallBackFromAServersKeysToTheDefaults() {
        this.runner.withUserConfiguration(GevAutoConfigurationTests.TwoHandlersConfiguration.class)
                .withPropertyValues("gev.server.proxy-protocol.enabled=true",
                        "gev.server.proxy-protocol.trusted-proxies=10.0.0.0/8",
                        "gev.servers.echo-handler.port=0", "gev.servers.upper-handler.port=0",
                        "gev.servers.upper-handler.proxy-protocol.enabled=false",
                        "gev.servers.echo-handler.max-connections-per-address=2")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    GevServers servers = context.getBean(GevServers.class);
                    ServerOptions echo = servers.get("echo-handler").options();
                    assertThat(echo.proxyProtocol().orElseThrow().trustedProxies()).isEqualTo(List.of("10.0.0.0/8"));
                    assertThat(echo.maxConnectionsPerAddress()).isEqualTo(2);
                    ServerOptions upper = servers.get("upper-handler").options();
                    assertThat(upper.proxyProtocol()).isEmpty();
                    assertThat(upper.maxConnectionsPerAddress()).isZero();
                });
    }

    @Test
    void shouldRefuseBadValuesNamingTheKey() {
        this.tcp.withPropertyValues("gev.server.proxy-protocol.enabled=true")
                .run((context) -> assertInvalid(context.getStartupFailure(), "gev.server.proxy-protocol.trusted-proxies"));
        this.tcp.withPropertyValues("gev.server.proxy-protocol.enabled=true",
                "gev.server.proxy-protocol.trusted-proxies=balancer.internal")
                .run((context) -> assertInvalid(context.getStartupFailure(), "gev.server.proxy-protocol.trusted-proxies"));
        this.tcp.withPropertyValues("gev.server.proxy-protocol.enabled=true",
                "gev.server.proxy-protocol.trusted-proxies=127.0.0.1", "gev.server.proxy-protocol.header-timeout=0s")
                .run((context) -> assertInvalid(context.getStartupFailure(), "gev.server.proxy-protocol.header-timeout"));
        for (String size : new String[] {"231B", "65552B"}) {
            this.tcp.withPropertyValues("gev.server.proxy-protocol.enabled=true",
                    "gev.server.proxy-protocol.trusted-proxies=127.0.0.1", "gev.server.proxy-protocol.max-header-size=" + size)
                    .run((context) -> assertInvalid(context.getStartupFailure(), "gev.server.proxy-protocol.max-header-size"));
        }
        for (String size : new String[] {"232B", "65551B"}) {
            this.tcp.withPropertyValues("gev.server.proxy-protocol.enabled=true",
                    "gev.server.proxy-protocol.trusted-proxies=127.0.0.1", "gev.server.proxy-protocol.max-header-size=" + size)
                    .run((context) -> assertThat(context).hasNotFailed());
        }
        this.tcp.withPropertyValues("gev.server.max-connections-per-address=-1")
                .run((context) -> assertInvalid(context.getStartupFailure(), "gev.server.max-connections-per-address"));
        this.tcp.withPropertyValues("gev.server.connection-rate-per-address=-1")
                .run((context) -> assertInvalid(context.getStartupFailure(), "gev.server.connection-rate-per-address"));
        this.tcp.withPropertyValues("gev.server.connection-rate-interval=0s")
                .run((context) -> assertInvalid(context.getStartupFailure(), "gev.server.connection-rate-interval"));
        // Disabled, its other keys are not checked: nothing of it is used.
        this.tcp.withPropertyValues("gev.server.proxy-protocol.header-timeout=0s")
                .run((context) -> assertThat(context).hasNotFailed());
    }

    @Test
    void shouldGiveTheWebSocketServerTheDefaults() {
        this.runner.withUserConfiguration(GevAutoConfigurationTests.WebSocketEchoConfiguration.class)
                .withPropertyValues("gev.websocket.port=0", "gev.server.proxy-protocol.enabled=true",
                        "gev.server.proxy-protocol.trusted-proxies=::1")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    Server ws = context.getBean(GevServers.class).asMap().values().iterator().next();
                    assertThat(ws.options().proxyProtocol().orElseThrow().trustedProxies()).containsExactly("::1");
                    try (Socket refused = new Socket()) {
                        refused.connect(new InetSocketAddress("127.0.0.1", ws.port()));
                        refused.setSoTimeout(10_000);
                        assertThat(refused.getInputStream().read()).as("127.0.0.1 is not trusted").isEqualTo(-1);
                    }
                });
    }

    private static void assertInvalid(Throwable failure, String key) {
        assertThat(failure).as("startup failure").isNotNull();
        Throwable cause = failure;
        while (cause.getCause() != null && !(cause instanceof InvalidConfigurationPropertyValueException)) {
            cause = cause.getCause();
        }
        assertThat(cause).isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class, (invalid) -> {
            assertThat(invalid.getName()).isEqualTo(key);
            assertThat(invalid.getReason()).isNotBlank();
        });
    }
}
