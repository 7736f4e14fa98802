package io.gev.spring.boot.autoconfigure;

import io.gev.Client;
import io.gev.ClientOptions;
import io.gev.Connection;
import io.gev.EventLoops;
import io.gev.Handler;
import io.gev.Reconnect;
import io.gev.spring.boot.context.GevClientsLifecycle;
import io.gev.spring.boot.context.GevServers;
import io.gev.spring.boot.metrics.GevClientsMeterBinder;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class GevClientsAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GevAutoConfiguration.class, GevMetricsAutoConfiguration.class));

    @Test
    void shouldOfferGevClientsAndTheLifecycleWithoutServers() {
        this.runner.run((context) -> {
            assertThat(context).hasSingleBean(GevClients.class).hasSingleBean(GevClientsLifecycle.class)
                    .doesNotHaveBean(GevServers.class).doesNotHaveBean(EventLoops.class);
            assertThat(context.getBean(GevClientsLifecycle.class).getPhase()).isEqualTo(GevServers.PHASE - 1);
        });
    }

    @Test
    void shouldBuildClientsWithTheLibraryDefaultsWhenNothingIsSet() {
        this.runner.withUserConfiguration(ClientConfiguration.class).run((context) -> {
            ClientOptions options = context.getBean(Client.class).options();
            ClientOptions defaults = ClientOptions.defaults();
            assertThat(options.connectTimeout()).isEqualTo(defaults.connectTimeout());
            assertThat(options.loops()).isEqualTo(defaults.loops());
            assertThat(options.idleTimeout()).isEqualTo(defaults.idleTimeout());
            assertThat(options.tcpNoDelay()).isEqualTo(defaults.tcpNoDelay());
            assertThat(options.writeBufferHighWaterMark()).isEqualTo(defaults.writeBufferHighWaterMark());
            assertThat(options.writeBufferLowWaterMark()).isEqualTo(defaults.writeBufferLowWaterMark());
            assertThat(options.writeBufferLimit()).isEqualTo(defaults.writeBufferLimit());
            assertThat(options.readBufferLimit()).isEqualTo(defaults.readBufferLimit());
            assertThat(options.shutdownTimeout()).isEqualTo(GevServersFactory.DEFAULT_PHASE_TIMEOUT);
            assertThat(options.reconnect()).isEmpty();
            assertThat(context.getBean(Client.class).eventLoops()).isEmpty();
        });
    }

    @Test
    void shouldBindGevClientProperties() {
        this.runner.withUserConfiguration(ClientConfiguration.class)
                .withPropertyValues("gev.client.connect-timeout=3", "gev.client.loops=2", "gev.client.idle-timeout=1m",
                        "gev.client.shutdown-timeout=4s", "gev.client.tcp-no-delay=false",
                        "gev.client.write-buffer-limit=2MB", "gev.client.reconnect.enabled=true",
                        "gev.client.reconnect.initial-delay=200ms", "gev.client.reconnect.max-delay=5s",
                        "gev.client.reconnect.jitter=0.5", "gev.client.reconnect.max-attempts=7")
                .run((context) -> {
                    ClientOptions options = context.getBean(Client.class).options();
                    assertThat(options.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(options.loops()).isEqualTo(2);
                    assertThat(options.idleTimeout()).isEqualTo(Duration.ofMinutes(1));
                    assertThat(options.shutdownTimeout()).isEqualTo(Duration.ofSeconds(4));
                    assertThat(options.tcpNoDelay()).isFalse();
                    assertThat(options.writeBufferLimit()).isEqualTo(2 * 1024 * 1024);
                    Reconnect reconnect = options.reconnect().orElseThrow();
                    assertThat(reconnect.initialDelay()).isEqualTo(Duration.ofMillis(200));
                    assertThat(reconnect.maxDelay()).isEqualTo(Duration.ofSeconds(5));
                    assertThat(reconnect.jitter()).isEqualTo(0.5);
                    assertThat(reconnect.maxAttempts()).isEqualTo(7);
                });
    }

    @Test
    void shouldUseTheShutdownPhaseTimeoutWhenNoShutdownTimeoutIsSet() {
        this.runner.withUserConfiguration(ClientConfiguration.class)
                .withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=12s")
                .run((context) -> assertThat(context.getBean(Client.class).options().shutdownTimeout())
                        .isEqualTo(Duration.ofSeconds(12)));
    }

    @Test
    void shouldApplyCustomizersAfterThePropertiesAndBeforeTheApplication() {
        this.runner.withUserConfiguration(ClientConfiguration.class)
                .withBean(GevClientCustomizer.class, () -> (builder) -> builder.name("customized").loops(3)
                        .idleTimeout(Duration.ofSeconds(9)))
                .withPropertyValues("gev.client.loops=2", "gev.client.idle-timeout=1m")
                .run((context) -> {
                    Client client = context.getBean(Client.class);
                    assertThat(client.options().loops()).isEqualTo(3);
                    assertThat(client.options().idleTimeout()).isEqualTo(Duration.ofSeconds(9));
                    // the bean's own name(...) comes last
                    assertThat(client.name()).isEqualTo("upstream");
                });
    }

    @Test
    void shouldRunClientsOnTheSharedLoopsOfTheServersUnlessSharedLoopsIsFalse() {
        ApplicationContextRunner withServer = this.runner.withUserConfiguration(ClientConfiguration.class)
                .withBean("echo", Handler.class, () -> (Handler<ByteBuffer>) (c, ctx, bytes) -> bytes)
                .withPropertyValues("gev.server.port=0", "gev.server.address=127.0.0.1");
        withServer.run((context) -> assertThat(context.getBean(Client.class).eventLoops())
                .contains(context.getBean(EventLoops.class)));
        withServer.withPropertyValues("gev.client.shared-loops=false")
                .run((context) -> assertThat(context.getBean(Client.class).eventLoops()).isEmpty());
    }

    @Test
    void shouldStopClientBeansWhenTheContextClosesAndBindTheirMeters() throws Exception {
        try (ServerSocket peer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ApplicationContextRunner metered = this.runner
                    .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                            CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
                    .withUserConfiguration(ClientConfiguration.class);
            Client[] client = new Client[1];
            Socket[] accepted = new Socket[1];
            metered.run((context) -> {
                assertThat(context).hasSingleBean(GevClientsMeterBinder.class);
                client[0] = context.getBean(Client.class);
                Received received = context.getBean(Received.class);
                Connection connection = client[0].connect("127.0.0.1", peer.getLocalPort()).get(10, TimeUnit.SECONDS);
                accepted[0] = peer.accept();
                accepted[0].setSoTimeout(10_000);
                OutputStream out = accepted[0].getOutputStream();
                out.write("ping".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("ping");
                connection.send(ByteBuffer.wrap("pong".getBytes(StandardCharsets.US_ASCII)));
                assertThat(new String(accepted[0].getInputStream().readNBytes(4), StandardCharsets.US_ASCII))
                        .isEqualTo("pong");

                MeterRegistry registry = context.getBean(MeterRegistry.class);
                Gauge open = registry.find("gev.connections").tags("server", "upstream", "side", "client").gauge();
                assertThat(open).isNotNull();
                await().atMost(Duration.ofSeconds(10)).until(() -> open.value() == 1.0);
                assertThat(client[0].isRunning()).isTrue();
            });
            // The context closed: the lifecycle stopped the client, which closed its connection.
            assertThat(client[0].isRunning()).isFalse();
            InputStream in = accepted[0].getInputStream();
            assertThat(in.read()).as("end of stream once the client stopped").isEqualTo(-1);
            accepted[0].close();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ClientConfiguration {

        @Bean
        Received received() {
            return new Received();
        }

        @Bean
        Client upstream(GevClients clients, Received received) {
            return clients.builder((Handler<ByteBuffer>) (connection, context, bytes) -> {
                received.add(StandardCharsets.US_ASCII.decode(bytes).toString());
                return null;
            }).name("upstream").build();
        }
    }

    /** What the client bean's connections read. */
    static final class Received extends LinkedBlockingQueue<String> {

        private static final long serialVersionUID = 1L;
    }
}
