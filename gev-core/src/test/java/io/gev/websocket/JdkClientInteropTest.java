package io.gev.websocket;

import io.gev.Server;
import io.gev.loop.Transport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Interoperability with a client nobody here wrote: the JDK's {@code java.net.http.WebSocket}. */
@Timeout(60)
class JdkClientInteropTest {

    private static HttpClient http;
    private final List<Server> servers = new ArrayList<>();

    @BeforeAll
    static void client() {
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void closeClient() {
        http = null;
    }

    @AfterEach
    void stop() {
        for (Server s : servers) {
            s.stop(Duration.ZERO);
        }
    }

    private Server start(WebSocketHandler handler, WebSocketOptions options, Transport transport) {
        Server server = WebSocketServer.builder(handler, options)
                .address("127.0.0.1").port(0).loops(2).transport(transport).daemonThreads(true).build();
        servers.add(server);
        server.start();
        return server;
    }

    private static WebSocketOptions options() {
        return WebSocketOptions.builder().paths("/echo").subprotocols("chat", "superchat")
                .maxFrameSize(8 << 20).maxMessageSize(8 << 20).build();
    }

    /** Collects whole messages (String or byte[]), pongs and the close the JDK client receives. */
    static final class Collector implements WebSocket.Listener {
        final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        final BlockingQueue<ByteBuffer> pongs = new LinkedBlockingQueue<>();
        final CompletableFuture<String> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            binary.write(b, 0, b.length);
            if (last) {
                messages.add(binary.toByteArray());
                binary.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            pongs.add(message);
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.completeExceptionally(error);
        }

        Object next() throws InterruptedException {
            Object m = messages.poll(20, TimeUnit.SECONDS);
            assertNotNull(m, "no message arrived");
            return m;
        }
    }

    private static WebSocket connect(Server server, String path, Collector collector, String... subprotocols)
            throws Exception {
        WebSocket.Builder b = http.newWebSocketBuilder();
        if (subprotocols.length > 0) {
            b.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        return b.buildAsync(URI.create("ws://127.0.0.1:" + server.port() + path), collector).get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void textBinaryFragmentedAndLargeMessagesEcho(Transport transport) throws Exception {
        Recorder handler = new Recorder();
        Server server = start(handler, options(), transport);
        Collector c = new Collector();
        WebSocket ws = connect(server, "/echo?room=1", c);
        WebSocketSession session = handler.nextOpened();
        assertEquals("/echo", session.request().path());
        assertEquals("1", session.request().queryParameter("room"));

        ws.sendText("hello", true).get(10, TimeUnit.SECONDS);
        assertEquals("hello", c.next());

        byte[] small = random(1000, 1);
        ws.sendBinary(ByteBuffer.wrap(small), true).get(10, TimeUnit.SECONDS);
        assertArrayEquals(small, (byte[]) c.next());

        ws.sendText("frag", false).thenCompose(w -> w.sendText("men", false))
                .thenCompose(w -> w.sendText("ted \u00fc\u20ac\uD83D\uDE00", true)).get(10, TimeUnit.SECONDS);
        assertEquals("fragmented \u00fc\u20ac\uD83D\uDE00", c.next());

        byte[] a = random(70_000, 2);
        byte[] b = random(10, 3);
        ws.sendBinary(ByteBuffer.wrap(a), false).thenCompose(w -> w.sendBinary(ByteBuffer.wrap(b), true))
                .get(10, TimeUnit.SECONDS);
        byte[] joined = new byte[a.length + b.length];
        System.arraycopy(a, 0, joined, 0, a.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        assertArrayEquals(joined, (byte[]) c.next());

        byte[] large = random(3 * 1024 * 1024 + 17, 4);
        ws.sendBinary(ByteBuffer.wrap(large), true).get(20, TimeUnit.SECONDS);
        assertArrayEquals(large, (byte[]) c.next());

        StringBuilder sb = new StringBuilder();
        Random r = new Random(5);
        while (sb.length() < 600_000) {
            sb.append("caf\u00e9 \u6f22\u5b57 ").append(r.nextInt()).append(' ');
        }
        String largeText = sb.toString();
        ws.sendText(largeText, true).get(20, TimeUnit.SECONDS);
        assertEquals(largeText, c.next());

        // The client's close code is echoed; the handler gets it with the reason.
        ws.sendClose(4000, "bye \u00e9").get(10, TimeUnit.SECONDS);
        assertEquals("4000 ", c.closed.get(10, TimeUnit.SECONDS));
        handler.expectClosed(4000, "bye \u00e9");
    }

    @Test
    void pingIsAnsweredWithThePayload() throws Exception {
        Server server = start(new Recorder(), options(), Transport.AUTO);
        Collector c = new Collector();
        WebSocket ws = connect(server, "/echo", c);
        ws.sendPing(ByteBuffer.wrap("are you there".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
        ByteBuffer pong = c.pongs.poll(10, TimeUnit.SECONDS);
        assertNotNull(pong);
        assertEquals("are you there", StandardCharsets.UTF_8.decode(pong).toString());
        // An unsolicited pong is ignored; the connection goes on.
        ws.sendPong(ByteBuffer.wrap(new byte[]{1, 2})).get(10, TimeUnit.SECONDS);
        ws.sendText("still here", true).get(10, TimeUnit.SECONDS);
        assertEquals("still here", c.next());
        ws.abort();
    }

    @Test
    void serverPushesFromOtherThreadsAndClosesWithACode() throws Exception {
        Recorder handler = new Recorder();
        Server server = start(handler, options(), Transport.AUTO);
        Collector c = new Collector();
        connect(server, "/echo", c, "superchat", "chat");
        WebSocketSession session = handler.nextOpened();
        assertEquals("superchat", session.subprotocol(), "the client's first choice the server speaks");
        int threads = 3;
        int perThread = 300;
        List<Thread> pushers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread pusher = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    if (i % 2 == 0) {
                        session.sendText(id + ":" + i);
                    } else {
                        session.sendBinary((id + ":" + i).getBytes(StandardCharsets.UTF_8));
                    }
                }
            });
            pushers.add(pusher);
            pusher.start();
        }
        int[] next = new int[threads];
        for (int n = 0; n < threads * perThread; n++) {
            Object m = c.next();
            String s = m instanceof String ? (String) m : new String((byte[]) m, StandardCharsets.UTF_8);
            int id = Integer.parseInt(s.substring(0, s.indexOf(':')));
            int seq = Integer.parseInt(s.substring(s.indexOf(':') + 1));
            assertEquals(next[id]++, seq, "thread " + id + " out of order");
            assertEquals(seq % 2 == 0, m instanceof String, "type of " + s);
        }
        for (Thread t : pushers) {
            t.join();
        }
        session.close(4001, "server says bye");
        assertEquals("4001 server says bye", c.closed.get(10, TimeUnit.SECONDS));
        handler.expectClosed(4001, "server says bye");
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aGracefulStopSaysGoingAway(Transport transport) throws Exception {
        Recorder handler = new Recorder();
        Server server = start(handler, options(), transport);
        Collector c = new Collector();
        connect(server, "/echo", c);
        handler.nextOpened();
        server.stop(Duration.ofSeconds(10));
        assertEquals("1001 server stopping", c.closed.get(10, TimeUnit.SECONDS));
        handler.expectClosed(1001, "server stopping");
    }

    @Test
    void handshakeHookRejectsWithItsStatusAndUnknownPathsGet404() throws Exception {
        Recorder handler = new Recorder() {
            @Override
            public void onHandshake(HandshakeRequest request) {
                if (!"secret".equals(request.header("X-Token"))) {
                    request.reject(401, "token required");
                } else {
                    request.setAttribute("user", "alice");
                }
            }

            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                return session.request().attribute("user") + ": " + message.text();
            }
        };
        Server server = start(handler, options(), Transport.AUTO);
        URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/echo");
        assertEquals(401, handshakeStatus(http.newWebSocketBuilder().buildAsync(uri, new Collector())));
        assertEquals(404, handshakeStatus(http.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/other"), new Collector())));

        Collector c = new Collector();
        WebSocket ws = http.newWebSocketBuilder().header("X-Token", "secret").buildAsync(uri, c).get(10, TimeUnit.SECONDS);
        ws.sendText("hi", true);
        assertEquals("alice: hi", c.next());
    }

    /** The HTTP status that refused the upgrade {@code attempt}; fails when it was accepted. */
    static int handshakeStatus(CompletableFuture<WebSocket> attempt) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> attempt.get(10, TimeUnit.SECONDS));
        Throwable cause = e.getCause() instanceof CompletionException ? e.getCause().getCause() : e.getCause();
        WebSocketHandshakeException refused = assertInstanceOf(WebSocketHandshakeException.class, cause);
        assertTrue(refused.getResponse().statusCode() >= 400);
        return refused.getResponse().statusCode();
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}
