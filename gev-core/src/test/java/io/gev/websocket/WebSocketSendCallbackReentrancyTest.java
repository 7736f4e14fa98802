package io.gev.websocket;

import io.gev.Server;
import io.gev.loop.Transport;
import io.gev.testing.Await;
import io.gev.testing.TestClient;
import io.gev.testing.TestServers;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static io.gev.testing.ServerRuns.closeCounts;
import static io.gev.testing.ServerRuns.difference;
import static io.gev.testing.ServerRuns.loopResponds;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The WebSocket side of {@link io.gev.internal.engine.SendCallbackReentrancyTest}: a WebSocket
 * connection closed from one of its own send callbacks (the echo of a client's close frame, a
 * refused upgrade's response) must give its buffers back to the loop's pool exactly once. Every
 * server has one loop, so the later conversations, every byte of them written in small TCP
 * segments, borrow the rings the first connection returned.
 */
@Timeout(60)
class WebSocketSendCallbackReentrancyTest {

    /** How long a client waits for a reply, an end of stream or the server's state. */
    private static final int READ_TIMEOUT_MILLIS = 1_500;
    /** Conversations after the connection closed from its callback. */
    private static final int CONVERSATIONS = 20;
    private static final int MAX_FAILURES = 3;
    /** The pause between the small TCP segments of the clients. */
    private static final long PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(150);
    private static final int TEXT = 1;
    private static final int BINARY = 2;
    private static final int CLOSE = 8;
    private static final String PLEASE_CLOSE = "please close";

    @RegisterExtension
    final TestServers servers = TestServers.bounded();

    /**
     * A completed close handshake begun by the client (the server echoes the close frame and
     * closes from that send's callback); then 20 WebSocket conversations written in 1 to 3 byte
     * TCP segments, each echoed exactly and closed with 1000.
     */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void webSocketConversationsAfterACompletedCloseHandshake(Transport transport) throws Exception {
        Server server = startWebSocket(transport);
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (WsTestClient a = connect(server)) {
            String key = key(random);
            writeSegmented(a, WsTestClient.requestWithKey(key, "/echo").getBytes(StandardCharsets.ISO_8859_1),
                    1, 40, random);
            WsTestClient.HttpResponse response = a.readResponse();
            assertEquals(101, response.status, "upgrade refused: " + response);
            assertEquals(WsTestClient.accept(key), response.header("sec-websocket-accept"));
            byte[] hello = ascii("hello before the close handshake");
            writeSegmented(a, frame(TEXT, hello, random), 1, 3, random);
            WsTestClient.ServerFrame echo = a.readFrame();
            assertEquals(TEXT, echo.opcode, "seed " + seed);
            assertArrayEquals(hello, echo.payload, "seed " + seed);
            writeSegmented(a, frame(CLOSE, WsTestClient.closePayload(1000, "bye"), random), 1, 3, random);
            WsTestClient.ServerFrame close = a.readFrame();
            assertEquals(CLOSE, close.opcode, "seed " + seed);
            assertEquals(1000, close.closeCode(), "seed " + seed);
            assertTrue(a.ends(), "the server did not close TCP after its close frame, seed " + seed);
        }
        awaitNoConnections(server);
        webSocketConversations(server, random, seed, "a completed close handshake");
    }

    /** How an upgrade is refused. */
    enum Refusal {
        /** The handler's onHandshake rejects it: the 401 is sent with a callback that closes. */
        BY_THE_HANDLER("/private", true, 401),
        /** A path the options do not serve: 404. */
        PATH_NOT_SERVED("/nowhere", true, 404),
        /** A plain HTTP request: 426. */
        NOT_AN_UPGRADE("/echo", false, 426);

        final String path;
        final boolean upgrade;
        final int status;

        Refusal(String path, boolean upgrade, int status) {
            this.path = path;
            this.upgrade = upgrade;
            this.status = status;
        }
    }

    /** A refused upgrade, then 20 segmented WebSocket conversations on the same loop. */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("transportsAndRefusals")
    void webSocketConversationsAfterARefusedUpgrade(Transport transport, Refusal refusal) throws Exception {
        Server server = startWebSocket(transport);
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (WsTestClient a = connect(server)) {
            String request = refusal.upgrade ? WsTestClient.requestWithKey(key(random), refusal.path)
                    : "GET " + refusal.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
            writeSegmented(a, request.getBytes(StandardCharsets.ISO_8859_1), 1, 40, random);
            WsTestClient.HttpResponse response = a.readResponse();
            assertEquals(refusal.status, response.status, response + ", seed " + seed);
            assertTrue(a.ends(), "the server did not close TCP after refusing the upgrade, seed " + seed);
        }
        awaitNoConnections(server);
        webSocketConversations(server, random, seed, "an upgrade refused with " + refusal.status);
    }

    static Stream<Arguments> transportsAndRefusals() {
        return Stream.of(Transport.EPOLL, Transport.NIO)
                .flatMap(t -> Arrays.stream(Refusal.values()).map(r -> Arguments.of(t, r)));
    }

    private Server startWebSocket(Transport transport) {
        WebSocketHandler echo = new WebSocketHandler() {
            @Override
            public void onHandshake(HandshakeRequest request) {
                if (request.path().equals("/private")) {
                    request.reject(401, "members only");
                }
            }

            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                if (message.isText() && message.text().equals(PLEASE_CLOSE)) {
                    session.close(); // Server-initiated: no send callback closes this connection.
                    return null;
                }
                return message;
            }
        };
        WebSocketOptions options = WebSocketOptions.builder().paths("/echo", "/private").build();
        return servers.start(WebSocketServer.builder(echo, options).address("127.0.0.1").port(0).loops(1)
                .transport(transport).daemonThreads(true));
    }

    /**
     * {@value #CONVERSATIONS} WebSocket conversations one after the other, every byte of them
     * (the upgrade request in 1 to 40 byte pieces, masked frames in 1 to 3 byte pieces) in small
     * TCP segments: one to three text or binary messages echoed, then "please close", which the
     * server answers with a close frame 1000 the client answers.
     */
    private static void webSocketConversations(Server server, Random random, long seed, String after)
            throws Exception {
        List<String> failures = new ArrayList<>();
        int answered = 0;
        int tried = 0;
        for (int n = 0; n < CONVERSATIONS && failures.size() < MAX_FAILURES; n++) {
            tried++;
            String failure = webSocketConversation(server, random, n);
            if (failure == null) {
                answered++;
            } else {
                failures.add("conversation " + n + ": " + failure);
                if (!loopResponds(server)) {
                    failures.add("the loop no longer runs tasks: it is stuck, so the run stops here");
                    break;
                }
            }
        }
        if (!failures.isEmpty()) {
            fail("after " + after + ": " + answered + " of " + tried + " WebSocket conversations went right"
                    + (tried < CONVERSATIONS ? " (stopped after " + MAX_FAILURES + " failures)" : "")
                    + "; seed " + seed + "; the server's closes: " + closeCounts(server)
                    + "\n  " + String.join("\n  ", failures));
        }
    }

    private static String webSocketConversation(Server server, Random random, int n) {
        String step = "connecting";
        try (WsTestClient ws = connect(server)) {
            step = "the upgrade";
            String key = key(random);
            writeSegmented(ws, WsTestClient.requestWithKey(key, "/echo").getBytes(StandardCharsets.ISO_8859_1),
                    1, 40, random);
            WsTestClient.HttpResponse response = ws.readResponse();
            if (response.status != 101) {
                return "upgrade answered with " + response;
            }
            if (!WsTestClient.accept(key).equals(response.header("sec-websocket-accept"))) {
                return "wrong Sec-WebSocket-Accept in " + response;
            }
            int messages = 1 + random.nextInt(3);
            for (int m = 0; m < messages; m++) {
                step = "message " + m;
                boolean text = random.nextBoolean();
                byte[] payload;
                if (text) {
                    StringBuilder sb = new StringBuilder("conversation " + n + " message " + m + ":");
                    for (int i = random.nextInt(40); i > 0; i--) {
                        sb.append((char) ('a' + random.nextInt(26)));
                    }
                    payload = ascii(sb.toString());
                } else {
                    payload = new byte[random.nextInt(60)];
                    random.nextBytes(payload);
                }
                int opcode = text ? TEXT : BINARY;
                writeSegmented(ws, frame(opcode, payload, random), 1, 3, random);
                WsTestClient.ServerFrame echo = ws.readFrame();
                if (echo.opcode != opcode || !echo.fin) {
                    return step + ": got a frame with opcode " + echo.opcode + (echo.fin ? "" : " without FIN")
                            + " instead of " + opcode;
                }
                String wrong = difference(payload, echo.payload);
                if (wrong != null) {
                    return step + " (" + payload.length + " bytes): " + wrong;
                }
            }
            step = "the close handshake";
            writeSegmented(ws, frame(TEXT, ascii(PLEASE_CLOSE), random), 1, 3, random);
            WsTestClient.ServerFrame close = ws.readFrame();
            if (close.opcode != CLOSE) {
                return step + ": got a frame with opcode " + close.opcode + " instead of the server's close";
            }
            if (close.closeCode() != 1000) {
                return step + ": the server closed with " + close.closeCode() + " instead of 1000";
            }
            writeSegmented(ws, frame(CLOSE, WsTestClient.closePayload(1000, ""), random), 1, 3, random);
            if (!ws.ends()) {
                return step + ": the server did not close TCP within " + READ_TIMEOUT_MILLIS + " ms of the answer";
            }
        } catch (SocketTimeoutException e) {
            return step + ": nothing within " + READ_TIMEOUT_MILLIS + " ms";
        } catch (EOFException e) {
            return step + ": the connection ended: " + e.getMessage();
        } catch (IOException e) {
            return step + ": " + e;
        }
        try {
            awaitNoConnections(server);
        } catch (AssertionError e) {
            return e.getMessage();
        }
        return null;
    }

    private static void awaitNoConnections(Server server) {
        Await.await(Duration.ofMillis(READ_TIMEOUT_MILLIS), () -> server.stats().activeConnections() == 0,
                () -> server.stats().activeConnections() + " connections still open on the server");
    }

    /** A client whose reads give up after {@value #READ_TIMEOUT_MILLIS} ms. */
    private static WsTestClient connect(Server server) throws IOException {
        TestClient client = TestClient.connect(server);
        client.socket().setSoTimeout(READ_TIMEOUT_MILLIS);
        return WsTestClient.over(client);
    }

    /** A random Sec-WebSocket-Key, so that no connection can pass with another's accept. */
    private static String key(Random random) {
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    /** A final, masked client frame with a random mask. */
    private static byte[] frame(int opcode, byte[] payload, Random random) {
        return WsTestClient.frame(true, 0, opcode, payload, random.nextInt(), true);
    }

    /** Writes {@code bytes} in pieces of {@code min} to {@code max} bytes with a short pause between them. */
    private static void writeSegmented(WsTestClient ws, byte[] bytes, int min, int max, Random random)
            throws IOException {
        for (int off = 0; off < bytes.length; ) {
            int n = Math.min(bytes.length - off, min + random.nextInt(max - min + 1));
            ws.write(Arrays.copyOfRange(bytes, off, off + n));
            off += n;
            if (off < bytes.length) {
                LockSupport.parkNanos(PAUSE_NANOS); // Client side: so that the pieces are TCP segments.
            }
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
