package io.gev.websocket;

import io.gev.CloseReason;
import io.gev.Server;
import io.gev.ServerStats;
import io.gev.loop.Transport;
import io.gev.testing.SegmentedExchange;
import io.gev.testing.SegmentedRuns;
import io.gev.testing.SegmentedSocket;
import io.gev.testing.SegmentedSocket.Cuts;
import io.gev.testing.TestCertificates;
import io.gev.testing.TestClient;
import io.gev.testing.TestServers;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.gev.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gev's WebSocket server over real sockets, ws and wss, when the client cuts what it sends into
 * TCP segments at seeded-random points (1 to 3,000 bytes, or one byte at a time, the upgrade
 * request and the TLS handshake included) with a short pause after each: text and binary
 * messages of every length encoding, fragmented ones with pings between the fragments, with and
 * without permessage-deflate, then the close handshake (see {@link SegmentedWebSocket}). Each
 * one-loop server serves conversations in sequence and at once ({@link SegmentedRuns}); every
 * echo and pong must come back in order and byte for byte, then an unmasked close frame with
 * 1000 and the end of the stream. Also the scenario of the bug report about split frames: a
 * second connection sending what the first sent in 2-byte segments is served too. Failures name
 * their seed; {@code -Dgev.test.seed=} replays a run.
 */
@Timeout(90)
class SegmentedWebSocketsTest {

    private static final long SEED = Long.getLong("gev.test.seed", 17L);
    private static final int MAX_PAYLOAD = 70_000;

    @RegisterExtension
    final TestServers servers = new TestServers();

    private final TestCertificates certificates = TestCertificates.get();

    private Server start(Recorder handler, WebSocketOptions options, Transport transport, boolean secure) {
        Server.Builder builder = WebSocketServer.builder(handler, options).address("127.0.0.1").port(0).loops(1)
                .transport(transport).daemonThreads(true);
        if (secure) {
            builder.tls(certificates.serverOptions().build());
        }
        return servers.start(builder);
    }

    static Stream<Arguments> endpoints() {
        List<Arguments> endpoints = new ArrayList<>();
        for (Transport transport : new Transport[] {Transport.EPOLL, Transport.NIO}) {
            for (String scheme : new String[] {"ws", "wss"}) {
                for (String compression : new String[] {"permessage-deflate", "no compression"}) {
                    endpoints.add(Arguments.of(transport, scheme, compression));
                }
            }
        }
        return endpoints.stream();
    }

    @ParameterizedTest(name = "{0}, {1}, {2}")
    @MethodSource("endpoints")
    void segmentedConversations(Transport transport, String scheme, String compression) throws Exception {
        boolean secure = scheme.equals("wss");
        boolean deflate = compression.equals("permessage-deflate");
        Recorder handler = new Recorder();
        // Replies from 64 bytes on are compressed, shorter ones not: both kinds in one conversation.
        Server server = start(handler, WebSocketOptions.builder().paths("/ws").compression(true)
                .compressionMinSize(64).build(), transport, secure);
        String name = scheme + " with " + compression + " on " + transport;
        SegmentedRuns.run(name, SEED, (seed, step, label) -> {
            try (SegmentedSocket tcp = SegmentedSocket.connect(server.port(), SegmentedRuns.cutSeed(seed), step.cuts());
                    Socket socket = secure ? tcp.tls(certificates.clientContext()) : tcp) {
                SegmentedWebSocket.converse(socket, "/ws", deflate, step.size(), MAX_PAYLOAD, seed, label);
                return tcp.segments();
            }
        });
        for (int i = 0; i < SegmentedRuns.CONVERSATIONS; i++) {
            Recorder.Closed closed = handler.nextClosed();
            assertEquals(1000, closed.code, name + ": the handler saw a close with " + closed + "; seed " + SEED);
        }
        assertNoErrors(server, name);
    }

    /** Every connection was accepted and closed, none of them by an error. */
    private static void assertNoErrors(Server server, String name) {
        ServerStats stats = server.stats();
        await(Duration.ofSeconds(10), () -> stats.activeConnections() == 0,
                () -> name + ": " + stats.activeConnections() + " connections still open; seed " + SEED);
        SegmentedRuns.assertClosedOnlyAs(stats, name, SEED, CloseReason.LOCAL, CloseReason.PEER);
    }

    /**
     * The bug report's scenario: on a one-loop server, a first connection sends {@code hello} as
     * one text frame in 2-byte segments, then a close, and is served; a second connection doing
     * exactly the same afterwards must be served as well.
     */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aSecondConnectionIsServedAfterOneThatSentHelloInTwoByteSegments(Transport transport) throws Exception {
        Recorder handler = new Recorder();
        Server server = start(handler, WebSocketOptions.defaults(), transport, false);
        byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
        for (int connection = 1; connection <= 2; connection++) {
            String label = "connection " + connection + " on " + transport + " (seed " + SEED + ")";
            try (SegmentedSocket socket = SegmentedSocket.connect(server.port(), SEED + connection, Cuts.whole())) {
                WsTestClient client = WsTestClient.over(new TestClient(socket));
                client.write(WsTestClient.request("/"));
                assertEquals(101, client.readResponse().status, label);
                socket.cuts(Cuts.fixed(2));
                client.write(WsTestClient.frame(true, 0, 1, hello, 0x1234_5678 + connection, true));
                assertEquals(6, socket.segments() - 1, label + ": the 11-byte frame went in 2-byte segments");
                socket.cuts(Cuts.whole());
                client.sendClose(1000, "");

                WsTestClient.ServerFrame echo = client.readFrame();
                assertTrue(echo.fin, label);
                assertEquals(1, echo.opcode, label);
                assertArrayEquals(hello, echo.payload, label + ": the echo of hello");
                WsTestClient.ServerFrame close = client.readFrame();
                assertEquals(8, close.opcode, label);
                assertTrue(close.payload.length >= 2, label + ": a close frame with a code");
                assertEquals(1000, SegmentedWebSocket.closeCode(close), label + ": the server closed with '"
                        + new String(close.payload, 2, close.payload.length - 2, StandardCharsets.UTF_8) + "'");
                SegmentedExchange.expectEnd(socket.getInputStream(), label);
            }
            Recorder.Closed closed = handler.nextClosed();
            assertEquals(1000, closed.code, label + ": the handler saw " + closed);
        }
        ServerStats stats = server.stats();
        await(Duration.ofSeconds(10), () -> stats.activeConnections() == 0, () -> "connections still open");
        assertEquals(0, stats.closedConnections(CloseReason.PROTOCOL_ERROR));
    }
}
