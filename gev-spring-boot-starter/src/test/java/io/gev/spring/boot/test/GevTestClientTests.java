package io.gev.spring.boot.test;

import io.gev.Handler;
import io.gev.spring.boot.autoconfigure.GevAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GevTestClientTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GevAutoConfiguration.class))
            .withPropertyValues("gev.server.port=0", "gev.server.loops=1", "gev.server.address=127.0.0.1");

    @Test
    void shouldInjectTheBoundPortAndTalkToTheServer() {
        this.runner.withUserConfiguration(EchoConfiguration.class).run((context) -> {
            PortHolder holder = new PortHolder();
            context.getAutowireCapableBeanFactory().autowireBean(holder);
            assertThat(holder.port).isPositive()
                    .isEqualTo(context.getEnvironment().getProperty("local.gev.server.port", Integer.class));
            try (GevTestClient client = GevTestClient.connect(holder.port)) {
                assertThat(client.send("hello\r\n").readLine()).isEqualTo("hello");
                byte[] bytes = { 0, 1, 2, (byte) 0xff };
                assertThat(client.send(bytes).read(4)).containsExactly(bytes);
                assertThat(new String(client.send("ünï\n").read("ünï\n".getBytes(StandardCharsets.UTF_8).length),
                        StandardCharsets.UTF_8)).isEqualTo("ünï\n");
            }
        });
    }

    @Test
    void shouldFailAReadTheServerDoesNotAnswerWithinTheTimeout() {
        this.runner.withUserConfiguration(SilentConfiguration.class).run((context) -> {
            int port = context.getEnvironment().getProperty("local.gev.server.port", Integer.class);
            try (GevTestClient client = GevTestClient.connect(port, Duration.ofMillis(200))) {
                client.send("anyone?\n");
                assertThatThrownBy(client::readLine).isInstanceOf(UncheckedIOException.class)
                        .hasCauseInstanceOf(SocketTimeoutException.class);
            }
        });
    }

    static class PortHolder {

        @LocalGevServerPort
        int port;
    }

    @Configuration(proxyBeanMethods = false)
    static class EchoConfiguration {

        @Bean
        Handler<ByteBuffer> echo() {
            return (connection, context, payload) -> payload;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class SilentConfiguration {

        @Bean
        Handler<ByteBuffer> silent() {
            return (connection, context, payload) -> null;
        }
    }
}
