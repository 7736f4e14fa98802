package io.gev.spring.boot.autoconfigure;

import io.gev.Server;
import io.gev.spring.boot.context.GevServers;
import io.gev.spring.boot.health.GevServerHealthIndicator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code gev.server.unix-socket} and its companions: binding, publishing, health, checks, a real echo. */
class GevUnixSocketTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GevAutoConfiguration.class))
            .withPropertyValues("gev.server.loops=1");

    private final ApplicationContextRunner tcp = this.runner
            .withUserConfiguration(GevAutoConfigurationTests.EchoConfiguration.class);

    @TempDir
    Path dir;

    @Test
    void shouldServeTheHandlerOnTheSocketFileAndPublishItsPath() {
        Path file = this.dir.resolve("app.sock");
        this.tcp.withPropertyValues("gev.server.unix-socket=" + file).run((context) -> {
            assertThat(context).hasNotFailed();
            Server server = context.getBean(GevServers.class).get("echo-handler");
            assertThat(server.unixSocket()).contains(file);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-rw----");
            assertThat(context.getEnvironment().getProperty("local.gev.servers.echo-handler.unix-socket"))
                .isEqualTo(file.toString());
            assertThat(context.getEnvironment().getProperty("local.gev.server.port")).isNull();
            assertEchoes(file);
        });
        assertThat(file).as("removed when the context closes").doesNotExist();
    }

    @Test
    void shouldGiveTheFileItsPermissionsAndReportItInHealth() {
        Path file = this.dir.resolve("health.sock");
        this.tcp.withPropertyValues("gev.server.unix-socket=" + file, "gev.server.unix-socket-permissions=rw-------")
            .run((context) -> {
                assertThat(context).hasNotFailed();
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
                Server server = context.getBean(GevServers.class).get("echo-handler");
                assertThat(new GevServerHealthIndicator(server).health(true).getDetails()).containsEntry("unixSocket", file.toString())
                    .doesNotContainKey("port");
            });
    }

    @Test
    void shouldServeOneServerOnAFileAndAnotherOnTcp() {
        Path file = this.dir.resolve("echo.sock");
        this.runner.withUserConfiguration(GevAutoConfigurationTests.TwoHandlersConfiguration.class)
            .withPropertyValues("gev.servers.echo-handler.unix-socket=" + file, "gev.servers.upper-handler.port=0",
                    "gev.servers.upper-handler.address=127.0.0.1")
            .run((context) -> {
                assertThat(context).hasNotFailed();
                GevServers servers = context.getBean(GevServers.class);
                assertThat(servers.get("echo-handler").unixSocket()).contains(file);
                assertThat(servers.get("upper-handler").unixSocket()).isEmpty();
                assertThat(servers.get("upper-handler").port()).isPositive();
                assertEchoes(file);
            });
    }

    @Test
    void shouldRefuseTwoServersOnOneFile() {
        Path file = this.dir.resolve("shared.sock");
        this.runner.withUserConfiguration(GevAutoConfigurationTests.TwoHandlersConfiguration.class)
            .withPropertyValues("gev.server.unix-socket=" + file, "gev.servers.echo-handler.loops=1",
                    "gev.servers.upper-handler.loops=1")
            .run((context) -> assertThat(context.getStartupFailure()).hasMessageContaining("both configured to listen on "
                    + file));
    }

    @Test
    void shouldServeTheWebSocketServerOnItsOwnFile() {
        Path file = this.dir.resolve("ws.sock");
        this.runner.withUserConfiguration(GevAutoConfigurationTests.WebSocketEchoConfiguration.class)
            .withPropertyValues("gev.websocket.unix-socket=" + file)
            .run((context) -> {
                assertThat(context).hasNotFailed();
                Server ws = context.getBean(GevServers.class).asMap().values().iterator().next();
                assertThat(ws.unixSocket()).contains(file);
                try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(file))) {
                    client.write(ByteBuffer.wrap(("GET /echo HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
                    byte[] status = Channels.newInputStream(client).readNBytes(12);
                    assertThat(new String(status, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 101");
                }
            });
    }

    @Test
    void shouldRefuseBadValuesNamingTheKey() {
        Path file = this.dir.resolve("bad.sock");
        for (String permissions : new String[] {"r--r-----", "rw-rw", "rwxrwxrwz"}) {
            this.tcp.withPropertyValues("gev.server.unix-socket=" + file, "gev.server.unix-socket-permissions=" + permissions)
                .run((context) -> assertInvalid(context.getStartupFailure(), "gev.server.unix-socket-permissions"));
        }
        this.tcp.withPropertyValues("gev.server.unix-socket=" + file, "gev.server.address=127.0.0.1")
            .run((context) -> assertInvalid(context.getStartupFailure(), "gev.server.address"));
        this.tcp.withPropertyValues("gev.server.unix-socket=" + file, "gev.server.reuse-port=true")
            .run((context) -> assertInvalid(context.getStartupFailure(), "gev.server.reuse-port"));
        this.tcp.withPropertyValues("gev.server.unix-socket=" + file, "gev.server.max-connections-per-address=2")
            .run((context) -> assertInvalid(context.getStartupFailure(), "gev.server.max-connections-per-address"));
        this.tcp.withPropertyValues("gev.server.unix-socket=/" + "s".repeat(107))
            .run((context) -> assertInvalid(context.getStartupFailure(), "gev.server.unix-socket"));
        this.tcp.withPropertyValues("gev.servers.echo-handler.unix-socket=/" + "s".repeat(107))
            .run((context) -> assertInvalid(context.getStartupFailure(), "gev.servers.echo-handler.unix-socket"));
    }

    private static void assertEchoes(Path file) throws Exception {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(file))) {
            client.write(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.US_ASCII)));
            assertThat(new String(Channels.newInputStream(client).readNBytes(6), StandardCharsets.US_ASCII))
                .isEqualTo("hello\n");
        }
    }

    private static void assertInvalid(Throwable failure, String key) {
        assertThat(failure).as("startup failure").isNotNull();
        Throwable cause = failure;
        while (cause.getCause() != null && !(cause instanceof InvalidConfigurationPropertyValueException)) {
            cause = cause.getCause();
        }
        assertThat(cause).as(String.valueOf(failure)).isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
                (invalid) -> {
                    assertThat(invalid.getName()).isEqualTo(key);
                    assertThat(invalid.getReason()).isNotBlank();
                });
    }
}
