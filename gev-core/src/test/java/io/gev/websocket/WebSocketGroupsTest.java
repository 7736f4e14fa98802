package io.gev.websocket;

import io.gev.Server;
import io.gev.cluster.ClusterOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Named groups of two instances (two servers, two {@link WebSocketGroups} with their own ids) on
 * one broker, with the JDK's WebSocket client as members.
 */
@Timeout(60)
class WebSocketGroupsTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private final InMemoryBroker broker = new InMemoryBroker();
    private final List<Server> servers = new ArrayList<>();
    private final List<WebSocket> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        for (WebSocket ws : clients) {
            ws.abort();
        }
        for (Server s : servers) {
            s.stop(Duration.ZERO);
        }
        broker.close();
    }

    private final class Instance {
        final WebSocketGroups groups;
        final Server server;
        final WebSocketGroup room;
        private volatile CountDownLatch joined = new CountDownLatch(0);

        Instance(String id, int maxMessageSize) {
            groups = new WebSocketGroups(broker,
                    ClusterOptions.builder().instanceId(id).maxMessageSize(maxMessageSize).build());
            room = groups.group("room");
            server = WebSocketServer.builder(new WebSocketHandler() {
                @Override
                public void onOpen(WebSocketSession session) {
                    room.add(session);
                    joined.countDown();
                }
            }, WebSocketOptions.defaults()).address("127.0.0.1").port(0).loops(2).daemonThreads(true).build();
            servers.add(server);
            server.start();
        }

        JdkClientInteropTest.Collector join() throws Exception {
            joined = new CountDownLatch(1);
            JdkClientInteropTest.Collector collector = new JdkClientInteropTest.Collector();
            clients.add(http.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/"), collector)
                    .get(10, TimeUnit.SECONDS));
            assertTrue(joined.await(10, TimeUnit.SECONDS));
            return collector;
        }
    }

    @Test
    void everyMemberOnEveryInstanceGetsEachBroadcastOnceInPublisherOrder() throws Exception {
        Instance a = new Instance("a", 1024);
        Instance b = new Instance("b", 1024);
        List<JdkClientInteropTest.Collector> members = List.of(a.join(), a.join(), b.join(), b.join());
        int n = 300;
        Thread fromA = new Thread(() -> {
            for (int i = 0; i < n; i++) {
                a.room.broadcastText("a" + i);
            }
        });
        Thread fromB = new Thread(() -> {
            for (int i = 0; i < n; i++) {
                b.room.broadcastBinary(("b" + i).getBytes(StandardCharsets.US_ASCII));
            }
        });
        fromA.start();
        fromB.start();
        fromA.join();
        fromB.join();
        for (JdkClientInteropTest.Collector member : members) {
            List<String> seenA = new ArrayList<>();
            List<String> seenB = new ArrayList<>();
            for (int i = 0; i < 2 * n; i++) {
                Object m = member.next();
                if (m instanceof String s) {
                    seenA.add(s);
                } else {
                    seenB.add(new String((byte[]) m, StandardCharsets.US_ASCII));
                }
            }
            List<String> expectedA = new ArrayList<>();
            List<String> expectedB = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                expectedA.add("a" + i);
                expectedB.add("b" + i);
            }
            assertEquals(expectedA, seenA);
            assertEquals(expectedB, seenB);
        }
        assertNoMore(members, a, b);
        assertEquals(n + 1, a.groups.published(), "and the marker");
        assertEquals(n + 1, b.groups.received());
        assertEquals(n + 1, a.groups.received(), "b's messages, once each, not a's own echoes");
        assertEquals(0, a.groups.dropped() + b.groups.dropped() + a.groups.rejected() + b.groups.rejected());
    }

    @Test
    void whileTheBrokerIsDownLocalMembersStillGetEveryBroadcastAndTheRestIsDropped() throws Exception {
        Instance a = new Instance("a", 1024);
        Instance b = new Instance("b", 1024);
        JdkClientInteropTest.Collector onA = a.join();
        JdkClientInteropTest.Collector onB = b.join();

        broker.available(false);
        a.room.broadcastText("during");
        assertEquals("during", onA.next());
        assertEquals(1, a.groups.dropped());
        assertTrue(!a.groups.isBrokerAvailable());

        broker.available(true);
        a.room.broadcastText("after");
        assertEquals("after", onA.next());
        assertEquals("after", onB.next(), "b never got 'during'");
        assertNoMore(List.of(onA, onB), a, b);
    }

    @Test
    void malformedBrokerMessagesAreCountedAndTheNextOnesStillArrive() throws Exception {
        Instance a = new Instance("a", 8);
        JdkClientInteropTest.Collector onA = a.join();
        String channel = a.groups.channel("room");
        broker.inject(channel, new byte[] { 1, 2, 3 });
        broker.inject(channel, GroupEnvelope.encode("x".getBytes(StandardCharsets.UTF_8), FrameDecoder.OP_TEXT,
                new byte[] { (byte) 0xFF }));
        broker.inject(channel, GroupEnvelope.encode("x".getBytes(StandardCharsets.UTF_8), FrameDecoder.OP_BINARY,
                new byte[9]));
        broker.inject(channel, GroupEnvelope.encode("x".getBytes(StandardCharsets.UTF_8), FrameDecoder.OP_TEXT,
                "12345678".getBytes(StandardCharsets.UTF_8)));
        assertEquals("12345678", onA.next());
        assertEquals(3, a.groups.rejected());
        assertEquals(1, a.groups.received());
    }

    @Test
    void aBroadcastAboveTheLimitThrowsAndReachesNobody() throws Exception {
        Instance a = new Instance("a", 4);
        Instance b = new Instance("b", 4);
        JdkClientInteropTest.Collector onA = a.join();
        JdkClientInteropTest.Collector onB = b.join();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.room.broadcastText("12345"));
        assertTrue(e.getMessage().contains("maxMessageSize of 4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.room.broadcastBinary(new byte[5]));
        a.room.broadcastText("123");
        a.room.broadcastText("1234");
        assertEquals("123", onA.next());
        assertEquals("1234", onA.next());
        assertEquals("123", onB.next());
        assertEquals("1234", onB.next());
        assertNoMore(List.of(onA, onB), a, b);
    }

    @Test
    void namesAndLifecycle() {
        WebSocketGroups groups = new WebSocketGroups(broker, ClusterOptions.builder().channelPrefix("app:").build());
        WebSocketGroup chat = groups.group("chat");
        assertSame(chat, groups.group("chat"));
        assertEquals("chat", chat.name());
        assertEquals("app:chat", groups.channel("chat"));
        assertEquals(java.util.Set.of("chat"), groups.names());
        assertNull(new WebSocketGroup().name());
        assertThrows(IllegalArgumentException.class, () -> groups.group(""));
        assertThrows(IllegalArgumentException.class, () -> groups.group("n".repeat(201)));
        assertThrows(IllegalArgumentException.class, () -> groups.group("a\tb"));
        groups.close();
        assertThrows(IllegalStateException.class, () -> groups.group("other"));
        chat.broadcastText("local only now");
        assertEquals(1, groups.dropped());
    }

    /**
     * Each instance broadcasts a marker, which follows its earlier broadcasts everywhere: a member
     * whose next messages are not exactly the markers got one message too many.
     */
    private static void assertNoMore(List<JdkClientInteropTest.Collector> members, Instance... instances)
            throws InterruptedException {
        java.util.Set<String> markers = new java.util.HashSet<>();
        for (Instance instance : instances) {
            String marker = "." + instance.groups.options().instanceId();
            markers.add(marker);
            instance.room.broadcastText(marker);
        }
        for (JdkClientInteropTest.Collector member : members) {
            java.util.Set<Object> next = new java.util.HashSet<>();
            for (int i = 0; i < markers.size(); i++) {
                next.add(member.next());
            }
            assertEquals(markers, next);
        }
    }
}
