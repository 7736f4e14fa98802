package io.gev.spring.boot.autoconfigure;

import io.gev.Handler;
import io.gev.Server;
import io.gev.spring.boot.context.GevServers;
import io.gev.spring.boot.testing.Clients;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import java.nio.ByteBuffer;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Server names: kebab-case keys, unknown entries, and the application's own servers beside them. */
class GevServerNamingTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GevAutoConfiguration.class))
            .withPropertyValues("gev.server.loops=1", "gev.server.address=127.0.0.1");

    @Test
    void shouldDeriveKebabCaseNamesFromCamelCaseBeans() {
        assertThat(GevServerNames.canonical("tlsEcho")).isEqualTo("tls-echo");
        assertThat(GevServerNames.canonical("lengthFieldDemo")).isEqualTo("length-field-demo");
        assertThat(GevServerNames.canonical("tls-echo")).isEqualTo("tls-echo");
        assertThat(GevServerNames.canonical("echo")).isEqualTo("echo");
    }

    @Test
    void shouldConfigureCamelCaseBeanUnderKebabCaseKeysAndGoByThatNameEverywhere() {
        this.runner.withUserConfiguration(TwoHandlers.class)
                .withPropertyValues("gev.servers.tls-echo.port=0", "gev.servers.tls-echo.max-connections=3",
                        "gev.servers.upper.port=0")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    GevServers servers = context.getBean(GevServers.class);
                    assertThat(servers.asMap()).containsOnlyKeys("tls-echo", "upper");
                    Server echo = servers.get("tls-echo");
                    assertThat(echo.name()).isEqualTo("tls-echo");
                    assertThat(echo.options().maxConnections()).isEqualTo(3);
                    int port = context.getEnvironment().getProperty("local.gev.servers.tls-echo.port", Integer.class);
                    assertThat(port).isEqualTo(echo.port());
                    assertThat(Clients.echo(port, "hello")).isEqualTo("hello");
                    // The first TCP server also stands for local.gev.server.port.
                    assertThat(context.getEnvironment().getProperty("local.gev.server.port", Integer.class))
                            .isEqualTo(echo.port());
                });
    }

    @Test
    void shouldBindServerFromEnvironmentVariablesWithoutDashes() {
        this.runner.withUserConfiguration(TwoHandlers.class)
                .withInitializer((context) -> context.getEnvironment().getPropertySources()
                        .addFirst(new SystemEnvironmentPropertySource(
                                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                                Map.of("GEV_SERVERS_TLSECHO_PORT", "0", "GEV_SERVERS_TLSECHO_MAXCONNECTIONS", "4",
                                        "GEV_SERVERS_UPPER_PORT", "0"))))
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    Server echo = context.getBean(GevServers.class).get("tls-echo");
                    assertThat(echo.options().maxConnections()).isEqualTo(4);
                    assertThat(Clients.echo(echo.port(), "env")).isEqualTo("env");
                });
    }

    @Test
    void shouldFailOnServerEntryWithoutHandlerBean() {
        this.runner.withUserConfiguration(TwoHandlers.class)
                .withPropertyValues("gev.servers.tls-echo.port=0", "gev.servers.upper.port=0",
                        "gev.servers.uper.port=0")
                .run((context) -> assertThat(context).getFailure().rootCause()
                        .isInstanceOf(GevServerConfigurationException.class)
                        .hasMessageContaining("gev.servers.uper")
                        .hasMessageContaining("[tls-echo, upper]"));
    }

    @Test
    void shouldNameTheKeysItLookedForWhenAServerIsNotConfigured() {
        this.runner.withUserConfiguration(TwoHandlers.class).withPropertyValues("gev.servers.upper.port=0")
                .run((context) -> assertThat(context).getFailure().rootCause()
                        .isInstanceOfSatisfying(GevServerConfigurationException.class, (failure) -> {
                            assertThat(failure).hasMessageContaining("no configuration for [tls-echo]")
                                    .hasMessageContaining("gev.servers.tls-echo.*");
                            // gev.server.port is 1833 by default: the next port up is the WebSocket one.
                            assertThat(failure.action()).contains("gev.servers.tls-echo.port=1835")
                                    .doesNotContain("=1834");
                        }));
    }

    @Test
    void shouldRunTheApplicationsServerBesideAutoConfiguredOnes() {
        this.runner.withUserConfiguration(OneHandler.class, OwnServer.class).withPropertyValues("gev.server.port=0")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    GevServers servers = context.getBean(GevServers.class);
                    assertThat(servers.asMap()).containsOnlyKeys("tls-echo", "own-server");
                    int handler = context.getEnvironment().getProperty("local.gev.servers.tls-echo.port", Integer.class);
                    int own = context.getEnvironment().getProperty("local.gev.servers.own-server.port", Integer.class);
                    assertThat(handler).isEqualTo(servers.get("tls-echo").port());
                    assertThat(own).isEqualTo(servers.get("own-server").port());
                    assertThat(context.getEnvironment().getProperty("local.gev.server.port", Integer.class))
                            .isEqualTo(handler);
                    assertThat(Clients.echo(handler, "auto")).isEqualTo("auto");
                    assertThat(Clients.echo(own, "own")).isEqualTo("own");
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoHandlers {

        @Bean
        Handler<ByteBuffer> tlsEcho() {
            return (connection, context, payload) -> payload;
        }

        @Bean
        Handler<ByteBuffer> upper() {
            return (connection, context, payload) -> payload;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OneHandler {

        @Bean
        Handler<ByteBuffer> tlsEcho() {
            return (connection, context, payload) -> payload;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnServer {

        @Bean
        Server ownServer() {
            return Server.builder((connection, context, payload) -> payload).name("own-server").address("127.0.0.1")
                    .port(0).loops(1).build();
        }
    }
}
