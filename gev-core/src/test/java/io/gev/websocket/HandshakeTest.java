package io.gev.websocket;

import io.gev.buffer.RingBuffer;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The upgrade request parser and checks alone: every bad request, random splits and garbage. */
@Timeout(60)
class HandshakeTest {

    private static final AtomicLong SEEDS = new AtomicLong(0x4A5D);
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 5000);

    static List<Arguments> badHandshakes() {
        return BadInput.handshakes();
    }

    static List<Arguments> goodHandshakes() {
        return BadInput.goodHandshakes();
    }

    /**
     * Feeds {@code bytes} in chunks of 1..maxChunk (all at once for 0) as the protocol does.
     *
     * @return the checked request, or {@code null} when the bytes end before the head does
     */
    private static HandshakeRequest handshake(byte[] bytes, RingBuffer in, Random random, int maxChunk) {
        HttpHead.Reader reader = new HttpHead.Reader();
        int pos = 0;
        while (pos < bytes.length) {
            int n = maxChunk == 0 ? bytes.length : Math.min(bytes.length - pos, 1 + random.nextInt(maxChunk));
            in.write(bytes, pos, n);
            pos += n;
            int length = reader.find(in, BadInput.MAX_HANDSHAKE);
            if (length >= 0) {
                HttpHead head = HttpHead.parse(in.readBytes(length));
                // The rest (frames a client sent right behind its request) stays in the ring.
                in.write(bytes, pos, bytes.length - pos);
                return Handshake.validate(head, Endpoints.single(new Recorder(), BadInput.options()), PEER, PEER, false);
            }
        }
        return null;
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badHandshakes")
    void badRequestsGetTheirStatusWholeAndByteByByte(String name, String request, int status) {
        for (int maxChunk : new int[]{0, 1}) {
            HandshakeException e = assertThrows(HandshakeException.class,
                    () -> handshake(latin1(request), RingBuffer.allocate(0), new Random(1), maxChunk), name);
            assertEquals(status, e.status(), name + ": " + e.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goodHandshakes")
    void goodRequestsAreAcceptedWholeAndByteByByte(String name, String request) {
        for (int maxChunk : new int[]{0, 1}) {
            HandshakeRequest r = handshake(latin1(request), RingBuffer.allocate(0), new Random(1), maxChunk);
            assertNotNull(r, name);
            assertEquals(WsTestClient.KEY, r.header("Sec-WebSocket-Key"));
        }
    }

    @Test
    void acceptKeyOfRfc6455() {
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", Handshake.accept("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    @Test
    void requestPartsAndSubprotocolChoice() {
        String request = "GET /app/chat?room=a%20b&x&room=2 HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + WsTestClient.KEY + "\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: v2.chat, v1.chat\r\nSec-WebSocket-Protocol: mqtt\r\nX-Multi: 1\r\nx-multi: 2\r\n\r\n";
        WebSocketOptions options = BadInput.options().toBuilder().subprotocols("mqtt", "v1.chat").build();
        RingBuffer in = RingBuffer.allocate(0);
        HttpHead.Reader reader = new HttpHead.Reader();
        in.write(latin1(request));
        HandshakeRequest r = Handshake.validate(HttpHead.parse(in.readBytes(reader.find(in, 1024))),
                Endpoints.single(new Recorder(), options), PEER, PEER, false);
        assertEquals("/app/chat", r.path());
        assertEquals("room=a%20b&x&room=2", r.query());
        assertEquals("/app/chat?room=a%20b&x&room=2", r.uri());
        assertEquals("a b", r.queryParameter("room"));
        assertEquals(List.of("a b", "2"), r.queryParameters().get("room"));
        assertEquals("", r.queryParameter("x"));
        assertNull(r.queryParameter("y"));
        assertEquals(List.of("1", "2"), r.headers("X-MULTI"));
        assertEquals(List.of("v2.chat", "v1.chat", "mqtt"), r.offeredSubprotocols());
        assertEquals("v1.chat", r.subprotocol(), "the client's first choice the server speaks");
        r.selectSubprotocol("mqtt");
        assertEquals("mqtt", r.subprotocol());
        assertThrows(IllegalArgumentException.class, () -> r.selectSubprotocol("stomp"));
        assertThrows(IllegalArgumentException.class, () -> r.reject(200));
        assertThrows(IllegalArgumentException.class, () -> r.addResponseHeader("Sec-WebSocket-Accept", "x"));
        assertThrows(IllegalArgumentException.class, () -> r.addResponseHeader("X-Evil", "a\r\nb"));
        r.addResponseHeader("Set-Cookie", "id=1");
        String response = new String(Handshake.switchingProtocols(r, null), StandardCharsets.ISO_8859_1);
        assertEquals("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + WsTestClient.ACCEPT + "\r\nSec-WebSocket-Protocol: mqtt\r\n"
                + "Set-Cookie: id=1\r\n\r\n", response);
        r.complete();
        assertThrows(IllegalStateException.class, () -> r.reject(400));
        assertEquals(PEER, r.remoteAddress());
    }

    @Test
    void permessageDeflateNegotiation() {
        WebSocketOptions on = WebSocketOptions.builder().compression(true).build();
        assertNull(PerMessageDeflate.negotiate(List.of("permessage-deflate"), WebSocketOptions.defaults()),
                "compression is off by default");
        assertNull(PerMessageDeflate.negotiate(List.of(), on));
        assertNull(PerMessageDeflate.negotiate(List.of("x-webkit-deflate-frame"), on));
        assertEquals("permessage-deflate", response(on, "permessage-deflate"));
        assertEquals("permessage-deflate", response(on, "permessage-deflate; client_max_window_bits"));
        assertEquals("permessage-deflate", response(on, "permessage-deflate; client_max_window_bits=10"));
        assertEquals("permessage-deflate; server_no_context_takeover; client_no_context_takeover",
                response(on, "permessage-deflate; server_no_context_takeover; client_no_context_takeover"));
        assertEquals("permessage-deflate; server_max_window_bits=15",
                response(on, "permessage-deflate; server_max_window_bits=\"15\""));
        // Smaller windows are granted as offered (the server deflates in chunks that fit them).
        for (int bits = 8; bits <= 15; bits++) {
            PerMessageDeflate d = PerMessageDeflate.negotiate(List.of("permessage-deflate; server_max_window_bits=" + bits), on);
            assertEquals("permessage-deflate; server_max_window_bits=" + bits, d.response);
            assertEquals(1 << bits, d.serverWindow);
            assertEquals(bits == 15 ? Integer.MAX_VALUE : 1 << bits, d.chunkSize());
        }
        assertEquals("permessage-deflate; server_no_context_takeover; server_max_window_bits=9", response(on,
                "permessage-deflate; client_max_window_bits; server_max_window_bits=9; server_no_context_takeover"));
        // The first valid offer is taken.
        assertEquals("permessage-deflate; server_max_window_bits=10",
                response(on, "permessage-deflate; server_max_window_bits=7, permessage-deflate; server_max_window_bits=10"));
        for (String invalid : new String[]{"permessage-deflate; server_max_window_bits",
                "permessage-deflate; server_max_window_bits=7", "permessage-deflate; server_max_window_bits=16",
                "permessage-deflate; server_max_window_bits=010", "permessage-deflate; server_max_window_bits=1x",
                "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
                "permessage-deflate; client_max_window_bits; client_max_window_bits",
                "permessage-deflate; client_max_window_bits=16", "permessage-deflate; client_max_window_bits=08",
                "permessage-deflate; server_no_context_takeover=1", "permessage-deflate; unknown",
                "permessage-deflate; server_no_context_takeover; server_no_context_takeover"}) {
            assertNull(PerMessageDeflate.negotiate(List.of(invalid), on), invalid);
        }
        WebSocketOptions reset = on.toBuilder().serverNoContextTakeover(true).clientNoContextTakeover(true).build();
        assertEquals("permessage-deflate; server_no_context_takeover; client_no_context_takeover",
                response(reset, "permessage-deflate"));
    }

    private static String response(WebSocketOptions options, String offer) {
        PerMessageDeflate d = PerMessageDeflate.negotiate(List.of(offer), options);
        assertNotNull(d, offer);
        return d.response;
    }

    /** A random valid request: header order, case and extra headers vary. */
    private static String randomRequest(Random random, List<String> expectedExtra) {
        List<String> headers = new ArrayList<>(List.of("Host: example.com:1834", "Upgrade: websocket",
                "Connection: Upgrade", "Sec-WebSocket-Key: " + WsTestClient.KEY, "Sec-WebSocket-Version: 13"));
        int extra = random.nextInt(6);
        for (int i = 0; i < extra; i++) {
            String value = Long.toString(random.nextLong(), 36) + (random.nextBoolean() ? " \u00e9\t;,=" : "");
            headers.add("X-Extra-" + i + ":" + (random.nextBoolean() ? " " : "") + value);
            expectedExtra.add(value.strip());
        }
        Collections.shuffle(headers, random);
        StringBuilder sb = new StringBuilder("GET /ws HTTP/1.1\r\n");
        for (String h : headers) {
            int colon = h.indexOf(':');
            String name = h.substring(0, colon);
            name = random.nextBoolean() ? name.toLowerCase(Locale.ROOT) : random.nextBoolean() ? name.toUpperCase(Locale.ROOT) : name;
            sb.append(name).append(h.substring(colon)).append(random.nextInt(4) == 0 ? "\n" : "\r\n");
        }
        return sb.append("\r\n").toString();
    }

    @RepeatedTest(30)
    void randomRequestsParseTheSameWhateverTheSplitsAndLeaveTheFramesBehind() {
        long seed = SEEDS.getAndIncrement();
        Random random = new Random(seed);
        for (int round = 0; round < 20; round++) {
            List<String> extra = new ArrayList<>();
            byte[] request = latin1(randomRequest(random, extra));
            byte[] frame = WsTestClient.frame(true, 0, 1, latin1("pipelined"), random.nextInt(), true);
            byte[] bytes = new byte[request.length + frame.length];
            System.arraycopy(request, 0, bytes, 0, request.length);
            System.arraycopy(frame, 0, bytes, request.length, frame.length);
            RingBuffer in = RingBuffer.allocate(0);
            int maxChunk = random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(40);
            HandshakeRequest r = handshake(bytes, in, random, maxChunk);
            String where = "seed " + seed + " round " + round;
            assertNotNull(r, where);
            assertEquals("/ws", r.path(), where);
            for (int i = 0; i < extra.size(); i++) {
                assertEquals(extra.get(i), r.header("x-extra-" + i), where);
            }
            assertArrayEquals(frame, in.toByteArray(), where);
        }
    }

    @RepeatedTest(30)
    void garbageAndMutatedRequestsFailOnlyWithAnHttpStatus() {
        long seed = SEEDS.getAndIncrement();
        Random random = new Random(seed);
        for (int round = 0; round < 40; round++) {
            byte[] bytes;
            if (round % 2 == 0) {
                bytes = new byte[random.nextInt(BadInput.MAX_HANDSHAKE * 2)];
                random.nextBytes(bytes);
                if (random.nextBoolean()) {
                    // Lines, so that the parser gets past finding the head.
                    for (int i = 0; i < bytes.length; i += 1 + random.nextInt(30)) {
                        bytes[i] = '\n';
                    }
                }
            } else {
                bytes = latin1(randomRequest(random, new ArrayList<>()));
                int flips = 1 + random.nextInt(3);
                for (int i = 0; i < flips; i++) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
            }
            try {
                handshake(bytes, RingBuffer.allocate(0), random, 1 + random.nextInt(100));
            } catch (HandshakeException e) {
                assertTrue(e.status() >= 400 && e.status() <= 505, "seed " + seed + " round " + round + ": " + e.status());
            } catch (RuntimeException e) {
                fail("seed " + seed + " round " + round + ": not an HTTP failure", e);
            }
        }
    }
}
