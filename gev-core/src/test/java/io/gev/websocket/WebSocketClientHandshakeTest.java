package io.gev.websocket;

import io.gev.ClientOptions;
import io.gev.Server;
import io.gev.TlsOptions;
import io.gev.testing.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client's side of the opening handshake and of masking, seen on the wire by a server made
 * of the JDK's blocking sockets that answers as the test says, and by gev's server.
 */
@Timeout(60)
class WebSocketClientHandshakeTest {

    private final WebSocketClientTest.Messages messages = new WebSocketClientTest.Messages();
    private final WebSocketClient client = WebSocketClient.builder(messages).build();

    @AfterEach
    void stop() {
        client.stop(Duration.ofSeconds(2));
    }

    private static <T> T failure(CompletableFuture<?> future, Class<T> type) throws Exception {
        try {
            future.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return assertInstanceOf(type, e.getCause());
        }
        throw new AssertionError("the upgrade succeeded");
    }

    /**
     * Reads the upgrade request of one connection on {@code listener}, answers what
     * {@code answer} makes of its headers, and hands the socket to the caller.
     */
    private static Socket answerOne(ServerSocket listener, Function<Map<String, String>, String> answer)
            throws IOException {
        Socket socket = listener.accept();
        socket.setSoTimeout(20_000);
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(":request", in.readLine());
        String line;
        while ((line = in.readLine()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(), line.substring(colon + 1).trim());
        }
        OutputStream out = socket.getOutputStream();
        out.write(answer.apply(headers).getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return socket;
    }

    private static String switching(Map<String, String> request) {
        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + Handshake.accept(request.get("sec-websocket-key")) + "\r\n\r\n";
    }

    @Test
    void sendsAValidUpgradeAndMasksEveryFrameWithAFreshKey() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<WebSocketSession> future = client.connect(WebSocketRequest.builder(
                    URI.create("ws://localhost:" + listener.getLocalPort() + "/chat?room=1"))
                    .subprotocols("chat.v2", "chat.v1").header("Authorization", "Bearer t0ken").build());
            Map<String, String> seen = new LinkedHashMap<>();
            try (Socket socket = answerOne(listener, request -> {
                seen.putAll(request);
                return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Protocol: chat.v1\r\n"
                        + "Sec-WebSocket-Accept: " + Handshake.accept(request.get("sec-websocket-key")) + "\r\n\r\n";
            })) {
                WebSocketSession session = future.get(20, TimeUnit.SECONDS);
                assertEquals("GET /chat?room=1 HTTP/1.1", seen.get(":request"));
                assertEquals("localhost:" + listener.getLocalPort(), seen.get("host"));
                assertEquals("websocket", seen.get("upgrade"));
                assertEquals("13", seen.get("sec-websocket-version"));
                assertEquals(16, java.util.Base64.getDecoder().decode(seen.get("sec-websocket-key")).length);
                assertEquals("chat.v2, chat.v1", seen.get("sec-websocket-protocol"));
                assertEquals("Bearer t0ken", seen.get("authorization"));
                assertEquals("chat.v1", session.subprotocol());

                int frames = 200;
                for (int i = 0; i < frames; i++) {
                    session.sendText("frame " + i);
                }
                DataInputStream in = new DataInputStream(socket.getInputStream());
                Set<Integer> keys = new HashSet<>();
                for (int i = 0; i < frames; i++) {
                    assertEquals(0x81, in.readUnsignedByte(), "FIN and text");
                    int b1 = in.readUnsignedByte();
                    assertTrue((b1 & 0x80) != 0, "frame " + i + " is not masked");
                    int length = b1 & 0x7F;
                    int key = in.readInt();
                    keys.add(key);
                    byte[] payload = new byte[length];
                    in.readFully(payload);
                    for (int k = 0; k < length; k++) {
                        payload[k] ^= (byte) (key >>> (24 - 8 * (k & 3)));
                    }
                    assertEquals("frame " + i, new String(payload, StandardCharsets.UTF_8));
                }
                assertTrue(keys.size() >= frames - 1, "keys repeat: " + keys.size() + " distinct of " + frames);
            }
        }
    }

    @Test
    void aStatusOtherThan101FailsTheUpgrade() throws Exception {
        Server server = WebSocketServer.builder(new WebSocketHandler() { }, WebSocketOptions.builder().paths("/echo")
                .build()).address("127.0.0.1").port(0).loops(1).daemonThreads(true).build();
        server.start();
        try {
            WebSocketHandshakeException e = failure(client.connect(URI.create("ws://127.0.0.1:" + server.port()
                    + "/elsewhere")), WebSocketHandshakeException.class);
            assertEquals(404, e.status());
            assertTrue(e.getMessage().contains("ws://127.0.0.1:" + server.port() + "/elsewhere"), e.getMessage());
        } finally {
            server.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void aWrongAcceptFailsTheUpgrade() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<WebSocketSession> future = client.connect(URI.create("ws://127.0.0.1:"
                    + listener.getLocalPort() + "/"));
            try (Socket socket = answerOne(listener, request -> "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + Handshake.accept("not the key") + "\r\n\r\n")) {
                WebSocketHandshakeException e = failure(future, WebSocketHandshakeException.class);
                assertTrue(e.getMessage().contains("does not match the key"), e.getMessage());
            }
        }
    }

    @Test
    void aSubprotocolNotOfferedFailsTheUpgrade() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<WebSocketSession> future = client.connect(WebSocketRequest.builder(URI.create("ws://127.0.0.1:"
                    + listener.getLocalPort() + "/")).subprotocols("a").build());
            try (Socket socket = answerOne(listener, request -> switching(request).replace("\r\n\r\n",
                    "\r\nSec-WebSocket-Protocol: b\r\n\r\n"))) {
                WebSocketHandshakeException e = failure(future, WebSocketHandshakeException.class);
                assertTrue(e.getMessage().contains("subprotocol 'b'"), e.getMessage());
            }
        }
    }

    @Test
    void aMaskedFrameFromTheServerClosesWith1002() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<WebSocketSession> future = client.connect(URI.create("ws://127.0.0.1:"
                    + listener.getLocalPort() + "/"));
            try (Socket socket = answerOne(listener, WebSocketClientHandshakeTest::switching)) {
                future.get(20, TimeUnit.SECONDS);
                // A masked text frame "hi" with key 0: servers must not mask (RFC 6455 section 5.1).
                socket.getOutputStream().write(new byte[] {(byte) 0x81, (byte) 0x82, 0, 0, 0, 0, 'h', 'i'});
                DataInputStream in = new DataInputStream(socket.getInputStream());
                assertEquals(0x88, in.readUnsignedByte(), "a close frame");
                int length = in.readUnsignedByte() & 0x7F;
                int key = in.readInt();
                byte[] payload = new byte[length];
                in.readFully(payload);
                int code = ((payload[0] ^ (byte) (key >>> 24)) & 0xFF) << 8 | ((payload[1] ^ (byte) (key >>> 16)) & 0xFF);
                assertEquals(CloseStatus.PROTOCOL_ERROR, code);
            }
        }
    }

    @Test
    void aRefusedConnectFailsTheSessionsFuture() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        ConnectException e = failure(client.connect(URI.create("ws://127.0.0.1:" + port + "/")), ConnectException.class);
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
    }

    @Test
    void speaksWssToGevsTlsServer() throws Exception {
        TestCertificates certificates = TestCertificates.get();
        Server server = WebSocketServer.builder(new WebSocketHandler() {
            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                return message;
            }
        }).address("127.0.0.1").port(0).loops(1).daemonThreads(true).tls(certificates.serverOptions().build()).build();
        server.start();
        WebSocketClient secure = WebSocketClient.builder(messages).clientOptions(ClientOptions.builder()
                .tls(certificates.clientOptions("server", false, TlsOptions.Provider.AUTO).build()).build()).build();
        try {
            WebSocketSession session = secure.connect(URI.create("wss://localhost:" + server.port() + "/"))
                    .get(20, TimeUnit.SECONDS);
            assertTrue(session.connection().tls() != null, "not over TLS");
            session.sendText("over TLS");
            assertEquals("over TLS", messages.next().text());
        } finally {
            secure.stop(Duration.ofSeconds(1));
            server.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void aMessageOverTheClientsLimitClosesWith1009() throws Exception {
        Server server = WebSocketServer.builder(new WebSocketHandler() {
            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                return message;
            }
        }).address("127.0.0.1").port(0).loops(1).daemonThreads(true).build();
        server.start();
        WebSocketClient limited = WebSocketClient.builder(messages)
                .options(WebSocketOptions.builder().maxMessageSize(1000).maxFrameSize(1000).build()).build();
        try {
            WebSocketSession session = limited.connect(URI.create("ws://127.0.0.1:" + server.port() + "/"))
                    .get(20, TimeUnit.SECONDS);
            session.sendText("x".repeat(1000)); // at the limit
            assertEquals(1000, messages.next().size());
            session.sendText("x".repeat(1001)); // above it
            assertEquals(CloseStatus.MESSAGE_TOO_BIG, messages.nextClosed().code);
        } finally {
            limited.stop(Duration.ofSeconds(1));
            server.stop(Duration.ofSeconds(1));
        }
    }

    /**
     * The answer and the frames after it, written by the server in cuts: byte by byte, at seeded
     * random places, and all at once. Each cut is a write of its own on a socket without Nagle,
     * so the client's reads see them apart as far as the kernel keeps them so.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"byte-by-byte", "random", "coalesced"})
    void readsTheAnswerAndTheFramesInAnyCuts(String cuts) throws Exception {
        long seed = 20261203L + cuts.hashCode();
        java.util.Random random = new java.util.Random(seed);
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<WebSocketSession> future = client.connect(URI.create("ws://127.0.0.1:"
                    + listener.getLocalPort() + "/"));
            Map<String, String> request = new LinkedHashMap<>();
            try (Socket socket = answerOne(listener, r -> {
                request.putAll(r);
                return ""; // the answer goes out in cuts below
            })) {
                socket.setTcpNoDelay(true);
                java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
                wire.write(switching(request).getBytes(StandardCharsets.ISO_8859_1));
                java.util.List<String> sent = new java.util.ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    int length = i % 10 == 9 ? 70_000 : i % 5 == 4 ? 300 : random.nextInt(126);
                    byte[] payload = new byte[length];
                    for (int k = 0; k < length; k++) {
                        payload[k] = (byte) ('a' + random.nextInt(26));
                    }
                    sent.add(new String(payload, StandardCharsets.US_ASCII));
                    wire.write(0x81);
                    if (length < 126) {
                        wire.write(length);
                    } else if (length < 65536) {
                        wire.write(126);
                        wire.write(length >>> 8);
                        wire.write(length);
                    } else {
                        wire.write(127);
                        wire.write(new byte[] {0, 0, 0, 0, 0, (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
                    }
                    wire.write(payload);
                }
                byte[] bytes = wire.toByteArray();
                OutputStream out = socket.getOutputStream();
                int at = 0;
                while (at < bytes.length) {
                    int n = cuts.equals("coalesced") ? bytes.length
                            : cuts.equals("byte-by-byte") && at < 4096 ? 1 : 1 + random.nextInt(3000);
                    n = Math.min(n, bytes.length - at);
                    out.write(bytes, at, n);
                    out.flush();
                    at += n;
                }
                future.get(20, TimeUnit.SECONDS);
                for (String expected : sent) {
                    assertEquals(expected, messages.next().text(), "seed " + seed);
                }
            }
        }
    }

    @Test
    void theRequestRefusesWhatTheClientSetsItself() {
        WebSocketRequest.Builder b = WebSocketRequest.builder(URI.create("ws://h/"));
        assertEquals("header Sec-WebSocket-Key is set by the client itself",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> b.header("Sec-WebSocket-Key", "x")).getMessage());
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> WebSocketRequest.builder(URI.create("http://h/"))).getMessage().contains("ws:// or wss://"));
        assertEquals(443, WebSocketRequest.of(URI.create("wss://h/x")).port());
        assertEquals("/", WebSocketRequest.of(URI.create("ws://h")).target());
    }
}
