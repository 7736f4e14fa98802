package io.gev.spring.boot.autoconfigure;

import io.gev.EventLoops;
import io.gev.HandlerExecution;
import io.gev.spring.boot.context.GevDatagramServers;
import io.gev.spring.boot.metrics.GevDatagramServersMeterBinder;
import io.gev.udp.DatagramHandler;
import io.gev.udp.DatagramServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The datagram server of a {@link DatagramHandler} bean. */
class GevUdpAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GevAutoConfiguration.class, GevUdpAutoConfiguration.class))
            .withPropertyValues("gev.udp.port=0", "gev.udp.host=127.0.0.1");

    static String exchange(int port, String text) throws Exception {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            socket.setSoTimeout(10_000);
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
            DatagramPacket reply = new DatagramPacket(new byte[4096], 4096);
            socket.receive(reply);
            return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void defaultsMatchGevCore() {
        GevUdpProperties properties = new GevUdpProperties();
        io.gev.udp.DatagramOptions core = io.gev.udp.DatagramOptions.builder().build();
        assertThat(properties.isEnabled()).isTrue();
        assertThat(properties.getName()).isEqualTo(core.name());
        assertThat(properties.getHost()).isNull();
        assertThat(core.host()).isEmpty();
        assertThat(properties.getPort()).isEqualTo(core.port()).isEqualTo(1836);
        assertThat(properties.isReusePort()).isEqualTo(core.reusePort());
        assertThat(properties.getTransport()).isEqualTo(core.transport());
        assertThat(properties.getMaxDatagramSize().toBytes()).isEqualTo(core.maxDatagramSize());
        assertThat(properties.getMaxDatagramsPerRead()).isEqualTo(core.maxDatagramsPerRead());
        assertThat(properties.getMaxQueuedSends()).isEqualTo(core.maxQueuedSends());
        assertThat(properties.getReceiveBufferSize()).as("unset: the system's").isNull();
        assertThat(core.receiveBufferSize()).isZero();
        assertThat(properties.getSendBufferSize()).isNull();
        assertThat(core.sendBufferSize()).isZero();
        assertThat(properties.getMulticast().getGroups()).isEmpty();
        assertThat(properties.getMulticast().getNetworkInterface()).isNull();
        assertThat(properties.getMulticast().isLoopback()).isEqualTo(core.multicastLoopback());
        assertThat(properties.getMulticast().getTtl()).isEqualTo(core.multicastTtl());
    }

    @Test
    void aHandlerBeanGetsAServerThatRunsWithTheContextAndPublishesItsPort() {
        AtomicReference<DatagramServer> server = new AtomicReference<>();
        this.runner.withUserConfiguration(EchoConfiguration.class).run((context) -> {
            assertThat(context).hasSingleBean(DatagramServer.class).hasSingleBean(GevDatagramServers.class);
            DatagramServer udp = context.getBean(DatagramServer.class);
            server.set(udp);
            assertThat(udp.isRunning()).isTrue();
            int port = context.getEnvironment().getProperty("local.gev.udp.port", Integer.class);
            assertThat(port).isEqualTo(udp.port());
            assertThat(context.getEnvironment().getProperty("local.gev.udp.udp.port", Integer.class)).isEqualTo(port);
            assertThat(exchange(port, "hello udp")).isEqualTo("hello udp");
            assertThat(udp.eventLoops()).as("no TCP server: loops of its own").isEmpty();
            assertThat(udp.options().loops()).isEqualTo(1);
        });
        assertThat(server.get().isRunning()).as("stopped with the context").isFalse();
    }

    @Test
    void propertiesReachTheOptions() {
        this.runner.withUserConfiguration(EchoConfiguration.class)
                .withPropertyValues("gev.udp.name=dns", "gev.udp.max-datagram-size=512B", "gev.udp.reuse-port=true",
                        "gev.udp.max-queued-sends=7", "gev.udp.max-datagrams-per-read=3",
                        "gev.udp.receive-buffer-size=1MB", "gev.udp.multicast.ttl=5",
                        "gev.udp.multicast.loopback=false")
                .run((context) -> {
                    DatagramServer udp = context.getBean(DatagramServer.class);
                    assertThat(udp.name()).isEqualTo("dns");
                    assertThat(udp.options().maxDatagramSize()).isEqualTo(512);
                    assertThat(udp.options().reusePort()).isTrue();
                    assertThat(udp.options().loops()).as("one per processor with reuse-port").isZero();
                    assertThat(udp.options().maxQueuedSends()).isEqualTo(7);
                    assertThat(udp.options().maxDatagramsPerRead()).isEqualTo(3);
                    assertThat(udp.options().receiveBufferSize()).isEqualTo(1024 * 1024);
                    assertThat(udp.options().multicastTtl()).isEqualTo(5);
                    assertThat(udp.options().multicastLoopback()).isFalse();
                    assertThat(udp.stats().sockets()).isEqualTo(Runtime.getRuntime().availableProcessors());
                    String tooBig = "x".repeat(600);
                    assertThat(exchange(udp.port(), "small")).isEqualTo("small");
                    try (DatagramSocket socket = new DatagramSocket()) {
                        byte[] bytes = tooBig.getBytes(StandardCharsets.US_ASCII);
                        socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(),
                                udp.port()));
                    }
                    await().atMost(Duration.ofSeconds(10)).until(() -> udp.stats().droppedOversize() == 1);
                });
    }

    @Test
    void aMaxDatagramSizeOutOfRangeFailsTheStartNamingIt() {
        this.runner.withUserConfiguration(EchoConfiguration.class).withPropertyValues("gev.udp.max-datagram-size=64KB")
                .run((context) -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("maxDatagramSize"));
    }

    @Test
    void disabledThereIsNoServer() {
        this.runner.withUserConfiguration(EchoConfiguration.class).withPropertyValues("gev.udp.enabled=false")
                .run((context) -> assertThat(context).doesNotHaveBean(DatagramServer.class)
                        .doesNotHaveBean(GevDatagramServers.class));
    }

    @Test
    void noHandlerNoServer() {
        this.runner.run((context) -> assertThat(context).doesNotHaveBean(DatagramServer.class)
                .doesNotHaveBean(GevDatagramServers.class));
    }

    @Test
    void twoHandlersFailTheStartWithWhatToDo() {
        this.runner.withUserConfiguration(EchoConfiguration.class, SecondHandlerConfiguration.class)
                .run((context) -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause()
                            .isInstanceOf(GevServerConfigurationException.class)
                            .hasMessageContaining("udpEcho").hasMessageContaining("udpUpper");
                });
    }

    @Test
    void runsOnTheLoopsTheTcpServersShareAndCustomizersRunLast() {
        this.runner.withUserConfiguration(EchoConfiguration.class, GevAutoConfigurationTests.EchoConfiguration.class,
                        CustomizerConfiguration.class)
                .withPropertyValues("gev.server.port=0", "gev.server.address=127.0.0.1", "gev.event-loops.count=1",
                        "gev.event-loops.name=udp-shared-test")
                .run((context) -> {
                    DatagramServer udp = context.getBean(DatagramServer.class);
                    EventLoops loops = context.getBean("gevEventLoops", EventLoops.class);
                    assertThat(udp.eventLoops()).containsSame(loops);
                    assertThat(loops.servers()).contains("udp");
                    assertThat(udp.options().handlerExecution().offloads()).isTrue();
                    assertThat(exchange(udp.port(), "offloaded")).isEqualTo("offloaded");
                });
    }

    @Test
    void metersAreBoundWhenThereIsARegistry() {
        this.runner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                        CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
                .withUserConfiguration(EchoConfiguration.class)
                .run((context) -> {
                    assertThat(context).hasSingleBean(GevDatagramServersMeterBinder.class);
                    DatagramServer udp = context.getBean(DatagramServer.class);
                    assertThat(exchange(udp.port(), "counted")).isEqualTo("counted");
                    FunctionCounter in = context.getBean(MeterRegistry.class).find("gev.udp.datagrams.in")
                            .tag("server", "udp").functionCounter();
                    assertThat(in).isNotNull();
                    assertThat(in.count()).isEqualTo(1.0);
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class EchoConfiguration {

        @Bean
        DatagramHandler udpEcho() {
            return (out, sender, payload) -> payload;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class SecondHandlerConfiguration {

        @Bean
        DatagramHandler udpUpper() {
            return (out, sender, payload) -> payload;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class CustomizerConfiguration {

        @Bean
        GevDatagramServerCustomizer offload() {
            return (builder) -> builder.handlerExecution(HandlerExecution.executor(Runnable::run));
        }
    }
}
