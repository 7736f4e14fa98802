package io.gev.spring.boot.autoconfigure;

import io.gev.EventLoops;
import io.gev.Server;
import io.gev.spring.boot.context.GevServers;
import io.gev.spring.boot.testing.Clients;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The auto-configured servers on the {@code gevEventLoops} bean. */
class GevEventLoopsAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GevAutoConfiguration.class))
            .withUserConfiguration(GevAutoConfigurationTests.TwoHandlersConfiguration.class,
                    GevAutoConfigurationTests.WebSocketEchoConfiguration.class)
            // A name of their own: cached contexts of other test classes may run default-named loops.
            .withPropertyValues("gev.event-loops.count=2", "gev.event-loops.name=shared-test", "gev.server.address=127.0.0.1",
                    "gev.servers.echo-handler.port=0", "gev.servers.upper-handler.port=0", "gev.websocket.port=0",
                    "gev.websocket.address=127.0.0.1", "gev.websocket.path=/echo");

    @Test
    void threeServersServeOnTheThreadsOfOneGroup() {
        AtomicReference<EventLoops> closed = new AtomicReference<>();
        this.runner.run((context) -> {
            EventLoops loops = context.getBean("gevEventLoops", EventLoops.class);
            GevServers servers = context.getBean(GevServers.class);
            for (Server server : servers.asMap().values()) {
                assertThat(server.eventLoops()).as(server.name()).containsSame(loops);
            }
            assertThat(Clients.echo(servers.get("echo-handler").port(), "one")).isEqualTo("one");
            assertThat(Clients.echo(servers.get("upper-handler").port(), "two")).isEqualTo("two");
            assertThat(Clients.webSocketEcho(servers.get("webSocketEcho").port(), "/echo", "three"))
                    .isEqualTo("three");
            assertThat(liveThreads("gev-shared-test-")).as("two loops, one acceptor and one watchdog for the three servers")
                    .containsExactlyInAnyOrder("gev-shared-test-0", "gev-shared-test-1", "gev-shared-test-accept",
                            "gev-shared-test-watchdog");
            assertThat(liveThreads("gev-echo-handler")).isEmpty();
            assertThat(liveThreads("gev-upper-handler")).isEmpty();
            assertThat(loops.servers()).containsExactlyInAnyOrder("echo-handler", "upper-handler", "webSocketEcho");
            closed.set(loops);
        });
        assertThat(closed.get().isClosed()).as("closed with the context").isTrue();
        // close() waits for the loops to terminate; each thread exits just after saying so.
        await().atMost(Duration.ofSeconds(10)).until(() -> liveThreads("gev-shared-test-").isEmpty());
    }

    @Test
    void stopAndStartOfTheContextBindEveryServerAgain() {
        this.runner.run((context) -> {
            GevServers servers = context.getBean(GevServers.class);
            context.stop();
            for (Server server : servers.asMap().values()) {
                assertThat(server.isRunning()).as(server.name()).isFalse();
            }
            context.start();
            assertThat(servers.isRunning()).isTrue();
            Server echo = servers.get("echo-handler");
            Server upper = servers.get("upper-handler");
            Server ws = servers.get("webSocketEcho");
            assertThat(context.getEnvironment().getProperty("local.gev.servers.echo-handler.port", Integer.class))
                    .isEqualTo(echo.port());
            assertThat(context.getEnvironment().getProperty("local.gev.servers.upper-handler.port", Integer.class))
                    .isEqualTo(upper.port());
            assertThat(context.getEnvironment().getProperty("local.gev.websocket.port", Integer.class))
                    .isEqualTo(ws.port());
            assertThat(Clients.echo(echo.port(), "again")).isEqualTo("again");
            assertThat(Clients.echo(upper.port(), "too")).isEqualTo("too");
            assertThat(Clients.webSocketEcho(ws.port(), "/echo", "back")).isEqualTo("back");
        });
    }

    @Test
    void aServerThatDoesNotShareHasThreadsOfItsOwn() {
        this.runner.withPropertyValues("gev.servers.upper-handler.shared-loops=false", "gev.servers.upper-handler.loops=1")
                .run((context) -> {
                    GevServers servers = context.getBean(GevServers.class);
                    Server upper = servers.get("upper-handler");
                    assertThat(upper.eventLoops()).isEmpty();
                    assertThat(servers.get("echo-handler").eventLoops()).isPresent();
                    assertThat(Clients.echo(upper.port(), "own")).isEqualTo("own");
                    assertThat(liveThreads("gev-upper-handler")).isNotEmpty();
                    assertThat(liveThreads("gev-shared-test-")).hasSize(4);
                    assertThat(liveThreads("gev-echo-handler")).isEmpty();
                });
    }

    @Test
    void theWebSocketServerCanHaveLoopsOfItsOwn() {
        this.runner.withPropertyValues("gev.websocket.shared-loops=false").run((context) -> {
            GevServers servers = context.getBean(GevServers.class);
            assertThat(servers.get("webSocketEcho").eventLoops()).isEmpty();
            assertThat(servers.get("echo-handler").eventLoops()).isPresent();
            assertThat(liveThreads("gev-webSocketEcho")).isNotEmpty();
        });
    }

    @Test
    void customizersMaySetTheLoopsLast() {
        this.runner.withBean("ownLoops", GevServerCustomizer.class,
                () -> (builder) -> builder.eventLoops(null)).run((context) -> {
                    for (Server server : context.getBean(GevServers.class).asMap().values()) {
                        assertThat(server.eventLoops()).as(server.name()).isEmpty();
                    }
                });
    }

    @Test
    void backsOffForTheApplicationsLoops() {
        this.runner.withBean("appLoops", EventLoops.class, () -> EventLoops.builder().name("app").loops(1).build(),
                (definition) -> definition.setDestroyMethodName("close")).run((context) -> {
                    assertThat(context).doesNotHaveBean("gevEventLoops");
                    EventLoops app = context.getBean(EventLoops.class);
                    assertThat(context.getBean(GevServers.class).get("echo-handler").eventLoops()).containsSame(app);
                });
    }

    private static Set<String> liveThreads(String prefix) {
        Set<String> names = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith(prefix)) {
                names.add(t.getName());
            }
        }
        return names;
    }
}
