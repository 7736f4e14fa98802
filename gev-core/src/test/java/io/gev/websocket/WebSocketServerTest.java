package io.gev.websocket;

import io.gev.CloseReason;
import io.gev.Server;
import io.gev.loop.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The WebSocket server over real sockets, on both transports: every bad input, control frames, timeouts, push. */
@Timeout(60)
class WebSocketServerTest {

    private final List<Server> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        for (Server s : servers) {
            s.stop(Duration.ZERO);
        }
    }

    private Server start(WebSocketHandler handler, WebSocketOptions options, Transport transport) {
        Server server = WebSocketServer.builder(handler, options).address("127.0.0.1").port(0).loops(1)
                .transport(transport).daemonThreads(true).build();
        servers.add(server);
        server.start();
        return server;
    }

    static List<Arguments> badFrames() {
        return withTransports(BadInput.frames());
    }

    static List<Arguments> badHandshakes() {
        return withTransports(BadInput.handshakes());
    }

    static List<Arguments> goodHandshakes() {
        return withTransports(BadInput.goodHandshakes());
    }

    private static List<Arguments> withTransports(List<Arguments> cases) {
        List<Arguments> all = new ArrayList<>();
        for (Transport t : new Transport[]{Transport.EPOLL, Transport.NIO}) {
            for (Arguments a : cases) {
                Object[] args = a.get();
                Object[] withTransport = new Object[args.length + 1];
                withTransport[0] = t;
                System.arraycopy(args, 0, withTransport, 1, args.length);
                all.add(Arguments.of(withTransport));
            }
        }
        return all;
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badFrames")
    void badFramesAreAnsweredWithTheirCloseCode(Transport transport, String name, boolean deflate, byte[] bytes,
                                                int code) throws Exception {
        Recorder handler = new Recorder();
        Server server = start(handler, BadInput.options(), transport);
        try (WsTestClient c = deflate ? WsTestClient.open(server.port(), "/ws", "Sec-WebSocket-Extensions: permessage-deflate")
                : WsTestClient.open(server.port(), "/ws")) {
            c.write(bytes);
            assertEquals(code, c.expectClose(), name);
        }
        assertEquals(code, handler.nextClosed().code, name);
        await("a protocol-error close", () -> server.stats().closedConnections(CloseReason.PROTOCOL_ERROR) == 1);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badHandshakes")
    void badUpgradeRequestsGetTheirHttpStatus(Transport transport, String name, String request, int status)
            throws Exception {
        Recorder handler = new Recorder();
        Server server = start(handler, BadInput.options(), transport);
        try (WsTestClient c = WsTestClient.connect(server.port())) {
            c.write(request);
            WsTestClient.HttpResponse response = c.readResponse();
            assertEquals(status, response.status, name + ": " + response);
            assertEquals("close", response.header("Connection"));
            assertTrue(response.header("Content-Type").startsWith("text/plain"));
            if (status == 426) {
                assertEquals("13", response.header("Sec-WebSocket-Version"));
            }
            if (status == 405) {
                assertEquals("GET", response.header("Allow"));
            }
            assertTrue(c.awaitClosed(), name);
        }
        assertTrue(handler.opened.isEmpty());
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("goodHandshakes")
    void goodUpgradeRequestsAreAccepted(Transport transport, String name, String request) throws Exception {
        Server server = start(new Recorder(), BadInput.options(), transport);
        try (WsTestClient c = WsTestClient.connect(server.port())) {
            // The first frame rides in the same write as the request.
            byte[] frame = WsTestClient.frame(true, 0, 1, "first".getBytes(StandardCharsets.UTF_8), 99, true);
            byte[] head = request.getBytes(StandardCharsets.ISO_8859_1);
            byte[] both = new byte[head.length + frame.length];
            System.arraycopy(head, 0, both, 0, head.length);
            System.arraycopy(frame, 0, both, head.length, frame.length);
            c.write(both);
            WsTestClient.HttpResponse response = c.readResponse();
            assertEquals(101, response.status, name + ": " + response);
            assertEquals(WsTestClient.ACCEPT, response.header("Sec-WebSocket-Accept"));
            assertEquals("websocket", response.header("Upgrade"));
            assertEquals("Upgrade", response.header("Connection"));
            assertNull(response.header("Sec-WebSocket-Extensions"), "no extension was offered");
            assertEquals("first", c.readFrame().text());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void slowClientsAreClosedAfterTheHandshakeTimeout(Transport transport) throws Exception {
        Server server = start(new Recorder(), WebSocketOptions.builder().handshakeTimeout(Duration.ofMillis(200)).build(),
                transport);
        try (WsTestClient c = WsTestClient.connect(server.port())) {
            c.write("GET / HTTP/1.1\r\nHost: h\r\n");
            assertEquals(408, c.readResponse().status);
            assertTrue(c.awaitClosed());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void manyCoalescedFramesWithInterleavedControlFramesEchoInOrder(Transport transport) throws Exception {
        Server server = start(new Recorder(), WebSocketOptions.defaults(), transport);
        try (WsTestClient c = WsTestClient.open(server.port(), "/")) {
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int i = 0; i < 200; i++) {
                byte[] text = ("message " + i).getBytes(StandardCharsets.UTF_8);
                burst.writeBytes(WsTestClient.frame(false, 0, 1, java.util.Arrays.copyOf(text, 4), i, true));
                burst.writeBytes(WsTestClient.frame(true, 0, 9, ("p" + i).getBytes(StandardCharsets.UTF_8), i, true));
                burst.writeBytes(WsTestClient.frame(true, 0, 0, java.util.Arrays.copyOfRange(text, 4, text.length), i, true));
                burst.writeBytes(WsTestClient.frame(true, 0, 10, new byte[]{1}, i, true)); // unsolicited pong: ignored
            }
            c.write(burst.toByteArray());
            for (int i = 0; i < 200; i++) {
                WsTestClient.ServerFrame pong = c.readFrame();
                assertEquals(10, pong.opcode);
                assertEquals("p" + i, pong.text());
                WsTestClient.ServerFrame echo = c.readFrame();
                assertEquals(1, echo.opcode);
                assertTrue(echo.fin);
                assertEquals("message " + i, echo.text());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void clientCloseIsEchoedAndTheServerClosesTcp(Transport transport) throws Exception {
        Recorder handler = new Recorder();
        Server server = start(handler, WebSocketOptions.defaults(), transport);
        try (WsTestClient c = WsTestClient.open(server.port(), "/")) {
            c.sendClose(1001, "going");
            assertEquals(1001, c.expectClose());
        }
        assertFalse(handler.expectClosed(1001, "going").session.isOpen());
        try (WsTestClient c = WsTestClient.open(server.port(), "/")) {
            c.send(true, 8, new byte[0]);
            assertEquals(1005, c.expectClose(), "an empty close is answered with an empty close");
        }
        assertEquals(CloseStatus.NO_STATUS_RECEIVED, handler.nextClosed().code);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void serverCloseWaitsForTheClientThenTimesOut(Transport transport) throws Exception {
        Recorder handler = new Recorder();
        Server server = start(handler, WebSocketOptions.builder().closeTimeout(Duration.ofMillis(300)).build(), transport);
        try (WsTestClient c = WsTestClient.open(server.port(), "/")) {
            WebSocketSession session = handler.nextOpened();
            assertThrows(IllegalArgumentException.class, () -> session.close(1005, ""));
            assertThrows(IllegalArgumentException.class, () -> session.close(1000, "x".repeat(124)));
            session.close(4002, "maintenance");
            WsTestClient.ServerFrame close = c.readFrame();
            assertEquals(8, close.opcode);
            assertArrayEquals(WsTestClient.closePayload(4002, "maintenance"), close.payload);
            assertFalse(session.isOpen());
            session.sendText("dropped: the close handshake began");
            // The client never answers: the server closes TCP after the close timeout.
            assertTrue(c.awaitClosed());
        }
        handler.expectClosed(4002, "maintenance");

        try (WsTestClient c = WsTestClient.open(server.port(), "/")) {
            WebSocketSession session = handler.nextOpened();
            session.close();
            assertEquals(8, c.readFrame().opcode);
            c.sendText("late message: dropped").sendClose(1000, "");
            assertTrue(c.awaitClosed(), "the client's answer completes the handshake");
        }
        assertEquals(1000, handler.nextClosed().code);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void keepAlivePingsCloseClientsThatStopAnswering(Transport transport) throws Exception {
        Recorder handler = new Recorder();
        Server server = start(handler, WebSocketOptions.builder().pingInterval(Duration.ofMillis(50))
                .pingTimeout(Duration.ofMillis(300)).build(), transport);
        try (WsTestClient c = WsTestClient.open(server.port(), "/")) {
            for (int i = 0; i < 3; i++) {
                WsTestClient.ServerFrame ping = c.readFrame();
                assertEquals(9, ping.opcode);
                c.send(true, 10, ping.payload);
            }
            assertTrue(handler.closed.isEmpty(), "a client that answers stays");
            // Now it stops answering.
            assertTrue(c.awaitClosed());
        }
        Recorder.Closed closed = handler.nextClosed();
        assertEquals(CloseStatus.ABNORMAL_CLOSURE, closed.code);
        assertTrue(closed.reason.startsWith("no pong"), closed.reason);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void compressedMessagesBothWaysAndSmallOnesPlain(Transport transport) throws Exception {
        Server server = start(new Recorder(), WebSocketOptions.builder().compression(true).compressionMinSize(100).build(),
                transport);
        try (WsTestClient c = WsTestClient.connect(server.port())) {
            c.write(WsTestClient.request("/", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, foo"));
            WsTestClient.HttpResponse response = c.readResponse();
            assertEquals(101, response.status);
            assertEquals("permessage-deflate", response.header("Sec-WebSocket-Extensions"));
            Deflater deflater = new Deflater(6, true);
            Inflater inflater = new Inflater(true);
            Random random = new Random(9);
            for (int i = 0; i < 50; i++) {
                String text = "compressible text ".repeat(random.nextInt(40)) + i;
                boolean compress = random.nextBoolean();
                byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
                c.write(WsTestClient.frame(true, compress ? 4 : 0, 1, compress ? BadInput.deflate(deflater, utf8) : utf8,
                        random.nextInt(), true));
                WsTestClient.ServerFrame echo = c.readFrame();
                assertEquals(utf8.length >= 100 ? 4 : 0, echo.rsv, "compressed only from 100 bytes on");
                byte[] payload = echo.payload;
                if (echo.rsv == 4) {
                    payload = inflate(inflater, echo.payload);
                    assertTrue(echo.payload.length < utf8.length);
                }
                assertEquals(text, new String(payload, StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void serverNoContextTakeoverMakesEveryMessageInflatableAlone() throws Exception {
        Server server = start(new Recorder(), WebSocketOptions.builder().compression(true)
                .serverNoContextTakeover(true).build(), Transport.AUTO);
        try (WsTestClient c = WsTestClient.connect(server.port())) {
            c.write(WsTestClient.request("/", "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover"));
            assertEquals("permessage-deflate; server_no_context_takeover; client_no_context_takeover",
                    c.readResponse().header("Sec-WebSocket-Extensions"));
            String text = "the same message again and again ".repeat(20);
            for (int i = 0; i < 3; i++) {
                // The client resets too: every message deflated by a fresh compressor.
                byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
                c.write(WsTestClient.frame(true, 4, 1, BadInput.deflate(new Deflater(6, true), utf8), i, true));
                WsTestClient.ServerFrame echo = c.readFrame();
                assertEquals(4, echo.rsv);
                assertEquals(text, new String(inflate(new Inflater(true), echo.payload), StandardCharsets.UTF_8),
                        "message " + i + " needs no earlier message to inflate");
            }
        }
    }

    static byte[] inflate(Inflater inflater, byte[] compressed) throws Exception {
        inflater.setInput(ByteBuffer.wrap(concat(compressed, PerMessageDeflate.TAIL)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = inflater.inflate(buf)) > 0) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void groupsBroadcastAndForgetClosedSessions() throws Exception {
        Recorder handler = new Recorder();
        Server server = start(handler, WebSocketOptions.builder().closeTimeout(Duration.ofMillis(100)).build(),
                Transport.AUTO);
        WebSocketGroup group = new WebSocketGroup();
        try (WsTestClient a = WsTestClient.open(server.port(), "/"); WsTestClient b = WsTestClient.open(server.port(), "/")) {
            WebSocketSession sa = handler.nextOpened();
            WebSocketSession sb = handler.nextOpened();
            assertTrue(group.add(sa));
            assertTrue(group.add(sb));
            assertFalse(group.add(sa));
            assertEquals(2, group.size());
            group.broadcastText("to all \u00e9");
            group.broadcastBinary(ByteBuffer.wrap(new byte[]{1, 2, 3}));
            for (WsTestClient c : new WsTestClient[]{a, b}) {
                WsTestClient.ServerFrame text = c.readFrame();
                assertEquals(1, text.opcode);
                assertEquals("to all \u00e9", text.text());
                WsTestClient.ServerFrame binary = c.readFrame();
                assertEquals(2, binary.opcode);
                assertArrayEquals(new byte[]{1, 2, 3}, binary.payload);
            }
            a.raw().close();
            handler.nextClosed();
            assertFalse(group.contains(sa), "a closed session leaves its groups");
            assertFalse(group.add(sa), "a closed session cannot join");
            assertEquals(1, group.size());
            group.close(CloseStatus.GOING_AWAY, "shutting down");
            assertEquals(1001, b.expectClose());
        }
        await("empty group", () -> group.size() == 0);
    }

    @Test
    void aFailingHandshakeHookAnswers500AndAHandlerThatThrowsClosesOnlyItsConnection() throws Exception {
        WebSocketHandler handler = new WebSocketHandler() {
            @Override
            public void onHandshake(HandshakeRequest request) {
                if (request.path().equals("/boom")) {
                    throw new IllegalStateException("hook failed (expected by the test)");
                }
            }

            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                if (message.text().equals("throw")) {
                    throw new IllegalStateException("handler failed (expected by the test)");
                }
                if (message.text().equals("unsupported")) {
                    return 42;
                }
                return message.text().toUpperCase(java.util.Locale.ROOT);
            }
        };
        Server server = start(handler, WebSocketOptions.defaults(), Transport.AUTO);
        try (WsTestClient c = WsTestClient.connect(server.port())) {
            c.write(WsTestClient.request("/boom"));
            assertEquals(500, c.readResponse().status);
            assertTrue(c.awaitClosed());
        }
        try (WsTestClient bad = WsTestClient.open(server.port(), "/");
             WsTestClient bad2 = WsTestClient.open(server.port(), "/");
             WsTestClient good = WsTestClient.open(server.port(), "/")) {
            bad.sendText("throw");
            assertTrue(bad.awaitClosed());
            bad2.sendText("unsupported");
            assertTrue(bad2.awaitClosed());
            good.sendText("still fine");
            assertEquals("STILL FINE", good.readFrame().text());
        }
        await("2 handler-error closes", () -> server.stats().closedConnections(CloseReason.HANDLER_ERROR) == 2);
    }

    @Test
    void pingsFromTheServerAndRepliesOfEveryType() throws Exception {
        Recorder handler = new Recorder() {
            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                switch (message.text()) {
                    case "bytes":
                        return new byte[]{7};
                    case "buffer":
                        return ByteBuffer.wrap(new byte[]{8, 9});
                    case "payload":
                        return message.payload();
                    default:
                        return new StringBuilder("text:").append(message.text());
                }
            }
        };
        Server server = start(handler, WebSocketOptions.defaults(), Transport.AUTO);
        try (WsTestClient c = WsTestClient.open(server.port(), "/")) {
            WebSocketSession session = handler.nextOpened();
            assertThrows(IllegalArgumentException.class, () -> session.ping(new byte[126]));
            session.ping("hi".getBytes(StandardCharsets.UTF_8));
            WsTestClient.ServerFrame ping = c.readFrame();
            assertEquals(9, ping.opcode);
            assertEquals("hi", ping.text());
            c.sendText("bytes").sendText("buffer").sendText("payload").sendText("x\uD800y");
            assertArrayEquals(new byte[]{7}, c.readFrame().payload);
            assertArrayEquals(new byte[]{8, 9}, c.readFrame().payload);
            WsTestClient.ServerFrame payload = c.readFrame();
            assertEquals(2, payload.opcode, "a payload buffer goes back as binary");
            assertEquals("payload", payload.text());
            WsTestClient.ServerFrame text = c.readFrame();
            assertEquals(1, text.opcode);
            assertEquals("text:x?y", text.text(), "an unpaired surrogate is sent as '?'");
        }
    }

    @Test
    void isWebSocketTellsAWebSocketServerFromOthers() {
        Server ws = WebSocketServer.builder(new Recorder()).build();
        assertTrue(WebSocketServer.isWebSocket(ws));
        assertTrue(ws.protocol() instanceof WebSocketProtocol, String.valueOf(ws.protocol()));
        Server tcp = Server.builder((c, ctx, p) -> p).build();
        assertFalse(WebSocketServer.isWebSocket(tcp));
        assertEquals(io.gev.protocol.RawProtocol.INSTANCE, tcp.protocol());
    }
}
