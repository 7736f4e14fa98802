package io.gev.spring.boot.context;

import io.gev.Server;
import io.gev.ServerStartException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.context.ApplicationEvent;
import org.springframework.core.env.StandardEnvironment;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@Timeout(60)
class GevServersTests {

    private static Server echo(int port) {
        return Server.builder((connection, context, payload) -> payload).name("s" + port).address("127.0.0.1")
                .port(port).loops(1).build();
    }

    @Test
    void startPublishesPortsAndEventsAndStopStops() {
        StandardEnvironment environment = new StandardEnvironment();
        Server a = echo(0);
        Server b = echo(0);
        GevServers servers = new GevServers(List.of(new GevServers.Managed("a", a, true, Duration.ofSeconds(1),
                "local.gev.server.port"), new GevServers.Managed("b", b, false, Duration.ofSeconds(1), null)),
                environment);
        List<ApplicationEvent> events = new ArrayList<>();
        servers.setApplicationEventPublisher((event) -> events.add((ApplicationEvent) event));
        servers.start();
        try {
            assertThat(servers.isRunning()).isTrue();
            assertThat(environment.getProperty("local.gev.server.port", Integer.class)).isEqualTo(a.port());
            assertThat(events).hasSize(2).allSatisfy((e) -> assertThat(e).isInstanceOf(GevServerInitializedEvent.class));
            assertThat(((GevServerInitializedEvent) events.get(1)).getServer()).isSameAs(b);
            assertThat(servers.asMap()).containsKeys("a", "b");
            assertThat(servers.getPhase()).isEqualTo(GevServers.PHASE);
        } finally {
            servers.stop();
        }
        assertThat(servers.isRunning()).isFalse();
        assertThat(a.isRunning()).isFalse();
        assertThat(b.isRunning()).isFalse();
    }

    @Test
    void aServerThatCannotBindStopsTheOthersAndFailsStart() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            Server first = echo(0);
            Server second = echo(taken.getLocalPort());
            GevServers servers = new GevServers(List.of(new GevServers.Managed("first", first, true, Duration.ZERO, null),
                    new GevServers.Managed("second", second, true, Duration.ZERO, null)), null);
            assertThatExceptionOfType(ServerStartException.class).isThrownBy(servers::start)
                    .satisfies((e) -> assertThat(e.isAddressInUse()).isTrue());
            assertThat(first.isRunning()).isFalse();
            assertThat(servers.isRunning()).isFalse();
        }
    }

    @Test
    void gracefulStopLetsALongReplyDrainThenCallsBack() throws Exception {
        byte[] reply = new byte[4 * 1024 * 1024];
        CountDownLatch requested = new CountDownLatch(1);
        Server server = Server.builder((connection, context, payload) -> {
            requested.countDown();
            return reply;
        }).address("127.0.0.1").port(0).loops(1).build();
        GevServers servers = new GevServers(
                List.of(new GevServers.Managed("big", server, true, Duration.ofSeconds(30), null)), null);
        servers.start();
        try (Socket client = new Socket("127.0.0.1", server.port())) {
            client.setSoTimeout(10_000);
            client.getOutputStream().write('x');
            assertThat(requested.await(10, TimeUnit.SECONDS)).isTrue();
            CountDownLatch stopped = new CountDownLatch(1);
            servers.stop(stopped::countDown);
            InputStream in = client.getInputStream();
            byte[] received = in.readAllBytes();
            assertThat(received).hasSize(reply.length);
            assertThat(stopped.await(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(server.isRunning()).isFalse();
    }
}
