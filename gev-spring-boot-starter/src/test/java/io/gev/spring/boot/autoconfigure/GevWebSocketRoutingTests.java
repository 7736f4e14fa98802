package io.gev.spring.boot.autoconfigure;

import io.gev.Server;
import io.gev.spring.boot.context.GevServers;
import io.gev.spring.boot.testing.Clients;
import io.gev.websocket.WebSocketHandler;
import io.gev.websocket.WebSocketMessage;
import io.gev.websocket.WebSocketSession;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/** Several WebSocket handlers on one port, mapped by path, and the origins each accepts. */
class GevWebSocketRoutingTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GevAutoConfiguration.class))
            .withPropertyValues("gev.server.loops=1", "gev.websocket.port=0", "gev.websocket.address=127.0.0.1");

    @Test
    void shouldServeTwoHandlerBeansOnOnePortByRouteProperties() {
        this.runner.withUserConfiguration(TwoHandlersConfiguration.class)
                .withPropertyValues("gev.websocket.routes.echo.path=/echo", "gev.websocket.routes.echo.handler=echoSocket",
                        "gev.websocket.routes.shout.path=/shout,/SHOUT", "gev.websocket.routes.shout.handler=shoutSocket")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    Server server = context.getBean(GevServers.class).get("websocket");
                    assertThat(context.getBean(GevServers.class).asMap()).containsOnlyKeys("websocket");
                    int port = port(context);
                    assertThat(port).isEqualTo(server.port());
                    assertThat(Clients.webSocketEcho(port, "/echo", "hi")).isEqualTo("hi");
                    assertThat(Clients.webSocketEcho(port, "/shout?loud=1", "hi")).isEqualTo("HI");
                    assertThat(Clients.webSocketEcho(port, "/SHOUT", "hey")).isEqualTo("HEY");
                    assertThat(Clients.upgrade(port, "/", null)).isEqualTo("404");
                    assertThat(Clients.upgrade(port, "/echo/", null)).isEqualTo("404");
                });
    }

    @Test
    void shouldServeHandlersOfAConfigurerBesideRouteProperties() {
        this.runner.withUserConfiguration(TwoHandlersConfiguration.class, ConfigurerConfiguration.class)
                .withPropertyValues("gev.websocket.routes.echo.path=/echo", "gev.websocket.routes.echo.handler=echoSocket")
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    int port = port(context);
                    assertThat(Clients.webSocketEcho(port, "/echo", "a")).isEqualTo("a");
                    assertThat(Clients.webSocketEcho(port, "/loud", "b")).isEqualTo("B");
                    assertThat(Clients.webSocketEcho(port, "/reversed", "abc")).as("a handler that is no bean")
                            .isEqualTo("cba");
                    assertThat(Clients.upgrade(port, "/reversed", null, "rev.v1")).isEqualTo("101 rev.v1");
                });
    }

    @Test
    void shouldStartForAConfigurerWithoutHandlerBeans() {
        this.runner.withUserConfiguration(ConfigurerOnlyConfiguration.class).run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(Clients.webSocketEcho(port(context), "/reversed", "xyz")).isEqualTo("zyx");
        });
        this.runner.withUserConfiguration(ConfigurerOnlyConfiguration.class)
                .withPropertyValues("gev.websocket.enabled=false")
                .run((context) -> assertThat(context).doesNotHaveBean(GevServers.class));
    }

    @Test
    void shouldKeepServingASingleHandlerOnEveryPathWithoutRoutes() {
        this.runner.withUserConfiguration(EchoConfiguration.class).run((context) -> {
            assertThat(context.getBean(GevServers.class).asMap()).containsOnlyKeys("echoSocket");
            assertThat(Clients.webSocketEcho(port(context), "/any/path", "same")).isEqualTo("same");
        });
    }

    @Test
    void shouldGiveEachRouteItsOwnSubprotocolsAndOrigins() {
        this.runner.withUserConfiguration(TwoHandlersConfiguration.class)
                .withPropertyValues("gev.websocket.subprotocols=base.v1",
                        "gev.websocket.allowed-origins=https://app.example",
                        "gev.websocket.routes.echo.path=/echo", "gev.websocket.routes.echo.handler=echoSocket",
                        "gev.websocket.routes.shout.path=/shout", "gev.websocket.routes.shout.handler=shoutSocket",
                        "gev.websocket.routes.shout.subprotocols=shout.v2,shout.v1",
                        "gev.websocket.routes.shout.allowed-origin-patterns=https://*.shout.example")
                .run((context) -> {
                    int port = port(context);
                    assertThat(Clients.upgrade(port, "/echo", null, "shout.v1", "base.v1")).isEqualTo("101 base.v1");
                    assertThat(Clients.upgrade(port, "/shout", null, "base.v1", "shout.v1")).isEqualTo("101 shout.v1");
                    assertThat(Clients.upgrade(port, "/echo", "https://app.example")).isEqualTo("101 ");
                    assertThat(Clients.upgrade(port, "/echo", "https://a.shout.example")).isEqualTo("403");
                    assertThat(Clients.upgrade(port, "/shout", "https://a.shout.example")).isEqualTo("101 ");
                    assertThat(Clients.upgrade(port, "/shout", "https://app.example"))
                            .as("the route's origin rules replace the server's").isEqualTo("403");
                    assertThat(Clients.upgrade(port, "/shout", "http://127.0.0.1:" + port)).isEqualTo("101 ");
                });
    }

    @Test
    void shouldAllowOnlyTheSameOriginByDefault() {
        this.runner.withUserConfiguration(EchoConfiguration.class).run((context) -> {
            int port = port(context);
            assertThat(Clients.upgrade(port, "/", null)).as("no Origin: not a browser").isEqualTo("101 ");
            assertThat(Clients.upgrade(port, "/", "http://127.0.0.1:" + port)).isEqualTo("101 ");
            assertThat(Clients.upgrade(port, "/", "http://127.0.0.1:" + (port + 1))).isEqualTo("403");
            assertThat(Clients.upgrade(port, "/", "http://localhost:" + port)).isEqualTo("403");
            assertThat(Clients.upgrade(port, "/", "https://127.0.0.1:" + port)).isEqualTo("403");
        });
    }

    @Test
    void shouldAllowTheOriginsConfigured() {
        this.runner.withUserConfiguration(EchoConfiguration.class)
                .withPropertyValues("gev.websocket.allowed-origins=http://localhost:8080",
                        "gev.websocket.allowed-origin-patterns=https://*.example.com,http://127.0.0.1:[*]")
                .run((context) -> {
                    int port = port(context);
                    assertThat(Clients.upgrade(port, "/", "http://localhost:8080")).isEqualTo("101 ");
                    assertThat(Clients.upgrade(port, "/", "http://localhost:8081")).isEqualTo("403");
                    assertThat(Clients.upgrade(port, "/", "https://www.example.com")).isEqualTo("101 ");
                    assertThat(Clients.upgrade(port, "/", "https://example.com")).isEqualTo("403");
                    assertThat(Clients.upgrade(port, "/", "http://127.0.0.1:9")).isEqualTo("101 ");
                });
        this.runner.withUserConfiguration(EchoConfiguration.class).withPropertyValues("gev.websocket.allowed-origins=*")
                .run((context) -> assertThat(Clients.upgrade(port(context), "/", "https://anywhere.example"))
                        .isEqualTo("101 "));
    }

    @Test
    void shouldFailForTwoHandlerBeansWithoutRoutesSayingHowToRouteThem() {
        this.runner.withUserConfiguration(TwoHandlersConfiguration.class).run((context) -> {
            assertThat(context.getStartupFailure()).rootCause().isInstanceOf(GevServerConfigurationException.class)
                    .hasMessageContaining("[echoSocket, shoutSocket]");
            GevServerConfigurationException failure = configurationFailure(context);
            assertThat(failure.action()).contains("gev.websocket.routes.echoSocket.path=/echoSocket")
                    .contains("gev.websocket.routes.echoSocket.handler=echoSocket").contains("GevWebSocketConfigurer")
                    .contains("registry.addHandler(handler, \"/path\")");
        });
    }

    @Test
    void shouldFailForARouteToABeanThatDoesNotExist() {
        this.runner.withUserConfiguration(TwoHandlersConfiguration.class)
                .withPropertyValues("gev.websocket.routes.chat.path=/chat", "gev.websocket.routes.chat.handler=chatt")
                .run((context) -> {
                    assertThat(context.getStartupFailure()).rootCause()
                            .isInstanceOf(GevServerConfigurationException.class)
                            .hasMessage("gev.websocket.routes.chat.handler is 'chatt', but there is no WebSocketHandler "
                                    + "bean of that name; WebSocketHandler beans: [echoSocket, shoutSocket].");
                    assertThat(configurationFailure(context).action())
                            .contains("define a WebSocketHandler bean named 'chatt'");
                });
    }

    @Test
    void shouldFailForRoutesMissingAHandlerOrAPath() {
        this.runner.withUserConfiguration(EchoConfiguration.class)
                .withPropertyValues("gev.websocket.routes.chat.path=/chat")
                .run((context) -> assertThat(context.getStartupFailure()).rootCause()
                        .hasMessageContaining("gev.websocket.routes.chat.handler is not set"));
        this.runner.withUserConfiguration(EchoConfiguration.class)
                .withPropertyValues("gev.websocket.routes.chat.handler=echoSocket")
                .run((context) -> assertThat(context.getStartupFailure()).rootCause()
                        .hasMessageContaining("gev.websocket.routes.chat.path is not set"));
    }

    @Test
    void shouldFailForBadOrClashingRoutes() {
        this.runner.withUserConfiguration(EchoConfiguration.class)
                .withPropertyValues("gev.websocket.routes.chat.path=chat", "gev.websocket.routes.chat.handler=echoSocket")
                .run((context) -> assertThat(configurationFailure(context)).hasMessageContaining("gev.websocket.routes.chat")
                        .hasMessageContaining("path must start with /"));
        this.runner.withUserConfiguration(TwoHandlersConfiguration.class, ConfigurerConfiguration.class)
                .withPropertyValues("gev.websocket.routes.echo.path=/loud", "gev.websocket.routes.echo.handler=echoSocket")
                .run((context) -> assertThat(context.getStartupFailure()).rootCause()
                        .hasMessageContaining("WebSocket path /loud is routed twice: by gev.websocket.routes.echo and by "
                                + "GevWebSocketConfigurer bean 'loud'"));
        this.runner.withUserConfiguration(EchoConfiguration.class)
                .withPropertyValues("gev.websocket.path=/echo", "gev.websocket.routes.echo.path=/echo",
                        "gev.websocket.routes.echo.handler=echoSocket")
                .run((context) -> assertThat(context.getStartupFailure()).rootCause()
                        .hasMessageContaining("gev.websocket.path is [/echo] but the WebSocket server has routes"));
    }

    private static int port(AssertableApplicationContext context) {
        return context.getEnvironment().getProperty("local.gev.websocket.port", Integer.class);
    }

    /** The configuration failure that caused startup to fail, wherever it is in the chain. */
    private static GevServerConfigurationException configurationFailure(AssertableApplicationContext context) {
        for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
            if (t instanceof GevServerConfigurationException failure) {
                return failure;
            }
        }
        throw new AssertionError("startup did not fail with a GevServerConfigurationException",
                context.getStartupFailure());
    }

    static WebSocketHandler echo() {
        return new WebSocketHandler() {
            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                return message;
            }
        };
    }

    static WebSocketHandler shout() {
        return new WebSocketHandler() {
            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                return message.text().toUpperCase(Locale.ROOT);
            }
        };
    }

    static WebSocketHandler reversed() {
        return new WebSocketHandler() {
            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                return new StringBuilder(message.text()).reverse().toString();
            }
        };
    }

    @Configuration(proxyBeanMethods = false)
    static class EchoConfiguration {

        @Bean
        WebSocketHandler echoSocket() {
            return echo();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoHandlersConfiguration {

        @Bean
        WebSocketHandler echoSocket() {
            return echo();
        }

        @Bean
        WebSocketHandler shoutSocket() {
            return shout();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ConfigurerConfiguration {

        @Bean
        @Order(1)
        GevWebSocketConfigurer loud(@Qualifier("shoutSocket") WebSocketHandler shoutSocket) {
            return (registry) -> registry.addHandler(shoutSocket, "/loud");
        }

        @Bean
        @Order(2)
        GevWebSocketConfigurer reversing() {
            return (registry) -> registry.addHandler(reversed(), "/reversed").setSubprotocols("rev.v1");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ConfigurerOnlyConfiguration {

        @Bean
        GevWebSocketConfigurer reversing() {
            return (registry) -> registry.addHandler(reversed(), "/reversed");
        }
    }
}
