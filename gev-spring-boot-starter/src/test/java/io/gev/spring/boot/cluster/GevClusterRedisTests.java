package io.gev.spring.boot.cluster;

import io.gev.spring.boot.autoconfigure.GevAutoConfiguration;
import io.gev.spring.boot.autoconfigure.GevClusterAutoConfiguration;
import io.gev.testing.RedisServer;
import io.gev.websocket.WebSocketGroups;
import io.gev.websocket.WebSocketHandler;
import io.gev.websocket.WebSocketMessage;
import io.gev.websocket.WebSocketSession;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances (two application contexts, each with its own gev WebSocket server) share the
 * named group "room" through a real redis-server; JDK WebSocket clients are the members, and
 * every text a member sends is broadcast to the group.
 */
@Timeout(120)
class GevClusterRedisTests {

    private static RedisServer redis;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<WebSocket> clients = new ArrayList<>();

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void closeClients() {
        this.clients.forEach(WebSocket::abort);
    }

    private static ApplicationContextRunner runner(String instanceId) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(GevAutoConfiguration.class, DataRedisAutoConfiguration.class,
                        GevClusterAutoConfiguration.class, MetricsAutoConfiguration.class,
                        CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
                .withUserConfiguration(RoomConfiguration.class)
                .withPropertyValues("gev.server.loops=2", "gev.websocket.port=0", "gev.websocket.address=127.0.0.1",
                        "spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + redis.port(),
                        "gev.cluster.enabled=true", "gev.cluster.instance-id=" + instanceId,
                        "gev.cluster.probe-interval=100ms");
    }

    @Test
    void thousandMessagesFromEachInstanceReachEveryMemberInPublisherOrder() {
        runner("a").run((a) -> runner("b").run((b) -> {
            awaitHealth(a, Status.UP);
            awaitHealth(b, Status.UP);
            Member a1 = join(a);
            Member a2 = join(a);
            Member b1 = join(b);
            Member b2 = join(b);
            int n = 1000;
            Thread fromA = sender(a1, "a", n);
            Thread fromB = sender(b1, "b", n);
            fromA.start();
            fromB.start();
            fromA.join();
            fromB.join();
            for (Member member : List.of(a1, a2, b1, b2)) {
                List<String> seenA = new ArrayList<>();
                List<String> seenB = new ArrayList<>();
                for (int i = 0; i < 2 * n; i++) {
                    String m = member.next();
                    (m.startsWith("a") ? seenA : seenB).add(m);
                }
                assertThat(seenA).isEqualTo(sequence("a", n));
                assertThat(seenB).isEqualTo(sequence("b", n));
            }
            assertNoMore(List.of(a1, a2, b1, b2), a1, b1);
            WebSocketGroups groupsA = a.getBean(WebSocketGroups.class);
            WebSocketGroups groupsB = b.getBean(WebSocketGroups.class);
            assertThat(groupsA.published()).isEqualTo(n + 1);
            assertThat(groupsB.received()).isEqualTo(n + 1);
            assertThat(groupsA.received()).as("b's messages once each, none of a's own").isEqualTo(n + 1);
            assertThat(groupsA.dropped() + groupsB.dropped() + groupsA.rejected() + groupsB.rejected()).isZero();
            assertThat(counter(a, "published")).isEqualTo(n + 1);
            assertThat(counter(b, "received")).isEqualTo(n + 1);
        }));
    }

    @Test
    void aRedisOutageKeepsLocalDeliveryReportsItAndRecoversByItself() {
        runner("a").run((a) -> runner("b").run((b) -> {
            awaitHealth(a, Status.UP);
            awaitHealth(b, Status.UP);
            Member a1 = join(a);
            Member a2 = join(a);
            Member b1 = join(b);
            a1.send("before");
            for (Member m : List.of(a1, a2, b1)) {
                assertThat(m.next()).isEqualTo("before");
            }

            redis.stop();
            awaitHealth(a, Status.OUT_OF_SERVICE);
            awaitHealth(b, Status.OUT_OF_SERVICE);
            assertThat(a.getBean(GevClusterHealthIndicator.class).health(true).getDetails())
                    .containsEntry("broker", "unreachable").containsKey("error");
            double droppedBefore = counter(a, "dropped");
            for (int i = 0; i < 50; i++) {
                a1.send("during-" + i);
            }
            for (Member m : List.of(a1, a2)) {
                assertThat(m.next(50)).as("local members get every broadcast").isEqualTo(sequence("during-", 50));
            }
            assertThat(counter(a, "dropped")).isEqualTo(droppedBefore + 50);
            assertThat(a.getBean(MeterRegistry.class).get("gev.cluster.broker.available").gauge().value()).isZero();

            redis.restart();
            awaitHealth(a, Status.UP);
            awaitHealth(b, Status.UP);
            b1.send("after-b");
            a1.send("after-a");
            assertThat(b1.next(2)).as("b missed the outage's messages: at most once, no replay")
                    .containsExactlyInAnyOrder("after-a", "after-b");
            for (Member m : List.of(a1, a2)) {
                assertThat(List.of(m.next(), m.next())).containsExactlyInAnyOrder("after-a", "after-b");
            }
        }));
    }

    private static List<String> sequence(String prefix, int n) {
        List<String> expected = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            expected.add(prefix + i);
        }
        return expected;
    }

    private static Thread sender(Member member, String prefix, int n) {
        return new Thread(() -> {
            for (int i = 0; i < n; i++) {
                member.send(prefix + i);
            }
        });
    }

    private static void awaitHealth(ConfigurableApplicationContext context, Status status) {
        GevClusterHealthIndicator health = context.getBean(GevClusterHealthIndicator.class);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> status.equals(health.health(false).getStatus()));
    }

    private static double counter(ConfigurableApplicationContext context, String outcome) {
        return context.getBean(MeterRegistry.class).get("gev.cluster.messages").tag("outcome", outcome)
                .functionCounter().count();
    }

    /** Each member sends a marker; every member's next messages must be exactly the markers. */
    private static void assertNoMore(List<Member> members, Member... senders) throws InterruptedException {
        List<String> markers = new ArrayList<>();
        for (int i = 0; i < senders.length; i++) {
            markers.add("marker-" + i);
            senders[i].send("marker-" + i);
        }
        for (Member member : members) {
            assertThat(member.next(markers.size())).containsExactlyInAnyOrderElementsOf(markers);
        }
    }

    private Member join(ConfigurableApplicationContext context) throws Exception {
        int port = context.getEnvironment().getProperty("local.gev.websocket.port", Integer.class);
        Member member = new Member();
        this.clients.add(this.http.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/"), member).get(10, TimeUnit.SECONDS));
        member.socket = this.clients.get(this.clients.size() - 1);
        assertThat(context.getBean(Joins.class).joined.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        return member;
    }

    /** A JDK WebSocket client in the group. */
    static final class Member implements WebSocket.Listener {

        final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();
        volatile WebSocket socket;

        void send(String message) {
            this.socket.sendText(message, true).join();
        }

        String next() throws InterruptedException {
            String m = this.messages.poll(20, TimeUnit.SECONDS);
            assertThat(m).as("a message within 20 s").isNotNull();
            return m;
        }

        List<String> next(int count) throws InterruptedException {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                out.add(next());
            }
            return out;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            this.text.append(data);
            if (last) {
                this.messages.add(this.text.toString());
                this.text.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }

    /** Releases a permit whenever a session joined the group. */
    static final class Joins {
        final Semaphore joined = new Semaphore(0);
    }

    @Configuration(proxyBeanMethods = false)
    static class RoomConfiguration {

        @Bean
        Joins joins() {
            return new Joins();
        }

        @Bean
        WebSocketHandler room(WebSocketGroups groups, Joins joins) {
            return new WebSocketHandler() {
                @Override
                public void onOpen(WebSocketSession session) {
                    groups.group("room").add(session);
                    joins.joined.release();
                }

                @Override
                public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                    groups.group("room").broadcastText(message.text());
                    return null;
                }
            };
        }
    }
}
