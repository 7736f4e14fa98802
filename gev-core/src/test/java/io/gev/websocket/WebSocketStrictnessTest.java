package io.gev.websocket;

import io.gev.CloseReason;
import io.gev.embedded.EmbeddedConnection;
import io.gev.embedded.EmbeddedServer;
import io.gev.embedded.Segmentation;
import io.gev.embedded.WriteAcceptance;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regressions of the WebSocket server over gev's real connection path, each named after what a
 * client saw. ConformanceTest runs the full catalogue; these pin the bugs it found.
 */
class WebSocketStrictnessTest {

    private static final WebSocketHandler ECHO = new WebSocketHandler() {
        @Override
        public Object onMessage(WebSocketSession session, WebSocketMessage message) {
            return message;
        }
    };

    static EmbeddedServer server(WebSocketOptions options) {
        return EmbeddedServer.start(WebSocketServer.builder(ECHO, options).readBufferSize(1024));
    }

    /** A connection past the upgrade, its 101 taken. */
    static EmbeddedConnection open(EmbeddedServer server, String... headers) {
        EmbeddedConnection c = server.connect();
        c.receive(WsTestClient.request("/", headers).getBytes(StandardCharsets.ISO_8859_1));
        String response = new String(c.takeSent(), StandardCharsets.ISO_8859_1);
        assertTrue(response.startsWith("HTTP/1.1 101 "), response);
        return c;
    }

    /** Checks that {@code sent} ends with exactly one intact, unmasked close frame with {@code code}. */
    static void assertEndsWithClose(byte[] sent, int code) {
        // The close frame is the last thing sent: find it from the end (its payload is at most 125 bytes).
        for (int start = Math.max(0, sent.length - 127); start <= sent.length - 4; start++) {
            int len = sent[start + 1] & 0xFF;
            if ((sent[start] & 0xFF) == 0x88 && len < 126 && start + 2 + len == sent.length) {
                assertTrue(len >= 2, "close frame without a code");
                assertEquals(code, ((sent[start + 2] & 0xFF) << 8) | (sent[start + 3] & 0xFF), "close code");
                assertTrue(Utf8Validator.isValid(java.nio.ByteBuffer.wrap(sent, start + 4, len - 2)), "close reason");
                return;
            }
        }
        throw new AssertionError("no close frame at the end of " + sent.length + " bytes: "
                + java.util.HexFormat.of().formatHex(Arrays.copyOfRange(sent, Math.max(0, sent.length - 40), sent.length)));
    }

    @Test
    void aTextFrameWhoseSecondSegmentIsInvalidUtf8Fails1007WhenThatSegmentArrives() {
        byte[] text = "valid text, \u00e9\u00e8 ".repeat(100).getBytes(StandardCharsets.UTF_8);
        text[1500] = (byte) 0xC1; // never valid
        byte[] frame = WsTestClient.frame(true, 0, 1, text, 0x11223344, true);
        try (EmbeddedServer server = server(WebSocketOptions.defaults())) {
            EmbeddedConnection c = open(server);
            assertEquals(0, c.receive(frame, 0, 1000));
            assertTrue(c.isOpen());
            assertEquals(0, c.sentLength());
            // The second segment carries the bad byte; the frame has 500 more bytes to come.
            c.receive(frame, 1000, 600);
            assertFalse(c.isOpen(), "the server waited for the rest of the frame");
            assertEquals(CloseReason.PROTOCOL_ERROR, c.closeReason());
            assertEndsWithClose(c.takeSent(), CloseStatus.INVALID_PAYLOAD);
            assertEquals(0, server.buffersLent());
        }
    }

    @Test
    void aTextFrameCutAnywhereIsEchoedIntact() {
        // Its prefix is unmasked in the loop's buffer, copied into the connection's ring, the rest
        // unmasked there: each byte exactly once, whatever the cuts.
        Random random = new Random(61);
        try (EmbeddedServer server = server(WebSocketOptions.defaults())) {
            for (int round = 0; round < 200; round++) {
                StringBuilder sb = new StringBuilder();
                int n = random.nextInt(round % 20 == 0 ? 65_000 : 3000);
                while (sb.length() < n) {
                    sb.appendCodePoint(new int[]{'a', 0xE9, 0x6F22, 0x1F600}[random.nextInt(4)]);
                }
                byte[] text = sb.toString().getBytes(StandardCharsets.UTF_8);
                ByteArrayOutputStream stream = new ByteArrayOutputStream();
                for (int i = 0; i < 3; i++) {
                    stream.writeBytes(WsTestClient.frame(true, 0, 1, text, random.nextInt(), true));
                }
                EmbeddedConnection c = open(server);
                assertEquals(0, c.receive(stream.toByteArray(), Segmentation.mixed(random)));
                byte[] echo = WsTestClient.frame(true, 0, 1, text, 0, false);
                ByteArrayOutputStream expected = new ByteArrayOutputStream();
                for (int i = 0; i < 3; i++) {
                    expected.writeBytes(echo);
                }
                assertArrayEquals(expected.toByteArray(), c.takeSent(), "round " + round + ", " + text.length + " bytes");
                c.connection().close();
            }
            assertEquals(0, server.buffersLent());
        }
    }

    @Test
    void aReservedOpcodeFails1002WithItsFirstByteWithoutWaitingForTheSecond() {
        try (EmbeddedServer server = server(WebSocketOptions.defaults())) {
            EmbeddedConnection c = open(server);
            c.receive(new byte[]{(byte) 0x83});
            assertFalse(c.isOpen());
            assertEquals(CloseReason.PROTOCOL_ERROR, c.closeReason());
            assertEndsWithClose(c.takeSent(), CloseStatus.PROTOCOL_ERROR);
        }
    }

    @Test
    void aMessageOfMaxMessageSizeIsEchoedInsteadOfClosedForTheWriteBufferLimit() {
        // With the defaults, 16 MiB in and 16 MiB plus a header out exceeded the 16 MiB write limit.
        byte[] payload = new byte[WebSocketOptions.DEFAULT_MAX_MESSAGE_SIZE];
        new Random(16).nextBytes(payload);
        byte[] frame = WsTestClient.frame(true, 0, 2, payload, 0x01020304, true);
        try (EmbeddedServer server = server(WebSocketOptions.defaults())) {
            EmbeddedConnection c = open(server);
            c.receive(frame);
            assertTrue(c.isOpen(), "closed: " + c.closeReason());
            assertArrayEquals(WsTestClient.frame(true, 0, 2, payload, 0, false), c.takeSent());
        }
        assertEquals(WebSocketOptions.DEFAULT_MAX_MESSAGE_SIZE + WebSocketServer.WRITE_BUFFER_SLACK,
                WebSocketServer.builder(ECHO).build().options().writeBufferLimit());
        assertEquals(io.gev.ServerOptions.DEFAULT_WRITE_BUFFER_LIMIT,
                WebSocketServer.builder(ECHO, WebSocketOptions.builder().maxMessageSize(1000).maxFrameSize(1000).build())
                        .build().options().writeBufferLimit());
        assertEquals(5000, WebSocketServer.builder(ECHO).writeBufferLimit(5000).writeBufferHighWaterMark(4000)
                .writeBufferLowWaterMark(2000)
                .build().options().writeBufferLimit(), "still the user's to set");
    }

    @Test
    void aServerCloseThatTheClientAnswersAtOnceReachesASlowClientWhole() {
        WebSocketHandler closer = new WebSocketHandler() {
            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                session.close(4001, "closing on request");
                return null;
            }
        };
        byte[] close = WsTestClient.frame(true, 0, 8, WsTestClient.closePayload(4001, "closing on request"), 0, false);
        try (EmbeddedServer server = EmbeddedServer.start(WebSocketServer.builder(closer, WebSocketOptions.defaults()))) {
            EmbeddedConnection c = open(server);
            // The client closes too, in the same segment as the message the server closes on,
            // while the socket takes one byte per write of the server's close frame.
            ByteArrayOutputStream both = new ByteArrayOutputStream();
            both.writeBytes(WsTestClient.frame(true, 0, 1, "bye".getBytes(StandardCharsets.UTF_8), 5, true));
            both.writeBytes(WsTestClient.frame(true, 0, 8, WsTestClient.closePayload(1000, ""), 6, true));
            c.acceptWrites(WriteAcceptance.atMost(1));
            c.receive(both.toByteArray());
            c.flush();
            assertArrayEquals(close, c.takeSent(), "the server's close frame, whole");
            assertFalse(c.isOpen());
            assertEquals(CloseReason.LOCAL, c.closeReason());
            assertEquals(0, server.buffersLent());
        }
    }
}
