package io.gev.spring.boot.autoconfigure;

import io.gev.Handler;
import io.gev.spring.boot.autoconfigure.GevAutoConfigurationTests.WebSocketEchoConfiguration;
import io.gev.spring.boot.metrics.GevServersMeterBinder;
import io.gev.spring.boot.testing.Clients;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class GevMetricsAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GevAutoConfiguration.class, GevMetricsAutoConfiguration.class,
                    MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
                    SimpleMetricsExportAutoConfiguration.class))
            .withUserConfiguration(BlockingConfiguration.class, WebSocketEchoConfiguration.class)
            .withPropertyValues("gev.server.port=0", "gev.server.loops=1", "gev.server.shared-loops=false", "gev.server.address=127.0.0.1",
                    "gev.server.blocked-loop-warning=100ms", "gev.websocket.port=0",
                    "gev.websocket.address=127.0.0.1");

    @Test
    void shouldRegisterTheHandshakeTimerAndTheBlockedLoopCounterAndMoveThem() {
        this.runner.run((context) -> {
            assertThat(context).hasSingleBean(GevServersMeterBinder.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            FunctionTimer upgrades = registry.find("gev.handshake.duration")
                    .tags("server", "webSocketEcho", "kind", "upgrade").functionTimer();
            FunctionCounter blocked = registry.find("gev.loop.blocked").tag("server", "slow").functionCounter();
            Gauge sessions = registry.find("gev.sessions").tags("server", "webSocketEcho", "kind", "upgrade").gauge();
            assertThat(upgrades).isNotNull();
            assertThat(blocked).isNotNull();
            assertThat(sessions).isNotNull();
            assertThat(upgrades.count()).isZero();
            assertThat(blocked.count()).isZero();

            int webSocketPort = context.getEnvironment().getProperty("local.gev.websocket.port", Integer.class);
            assertThat(Clients.webSocketEcho(webSocketPort, "/", "timed")).isEqualTo("timed");
            await().atMost(Duration.ofSeconds(10)).until(() -> upgrades.count() == 1);
            assertThat(upgrades.totalTime(TimeUnit.NANOSECONDS)).isPositive();

            int port = context.getEnvironment().getProperty("local.gev.server.port", Integer.class);
            assertThat(Clients.echo(port, "block")).isEqualTo("block");
            await().atMost(Duration.ofSeconds(10)).until(() -> blocked.count() == 1);
            assertThat(blocked.getId().getBaseUnit()).isEqualTo(BaseUnits.EVENTS);
            assertThat(sessions.getId().getBaseUnit()).isEqualTo(BaseUnits.SESSIONS);
        });
    }

    @Test
    void shouldGiveEveryGevMeterABaseUnitOfMicrometer() {
        Set<String> baseUnits = Set.of(BaseUnits.BYTES, BaseUnits.CONNECTIONS, BaseUnits.MESSAGES, BaseUnits.TASKS,
                BaseUnits.SESSIONS, BaseUnits.EVENTS);
        this.runner.run((context) -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.find("gev.connections").tag("server", "slow").gauge()).isNotNull();
            for (Meter meter : registry.getMeters()) {
                if (!meter.getId().getName().startsWith("gev.") || meter instanceof FunctionTimer) {
                    continue; // a timer's unit is the registry's
                }
                assertThat(meter.getId().getBaseUnit()).as(meter.getId().toString()).isIn(baseUnits);
            }
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class BlockingConfiguration {

        /** Echoes, after blocking its loop a while on "block": a handler that breaks the rule. */
        @Bean
        Handler<ByteBuffer> slow() {
            return (connection, context, payload) -> {
                if (StandardCharsets.US_ASCII.decode(payload.duplicate()).toString().equals("block")) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
                }
                return payload;
            };
        }
    }
}
