package io.gev.websocket;

import io.gev.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class WebSocketOptionsTest {

    @Test
    void defaults() {
        WebSocketOptions o = WebSocketOptions.defaults();
        assertEquals(List.of(), o.paths());
        assertEquals(List.of(), o.subprotocols());
        assertEquals(List.of(), o.allowedOrigins());
        assertEquals(8192, o.maxHandshakeSize());
        assertEquals(16 << 20, o.maxFrameSize());
        assertEquals(16 << 20, o.maxMessageSize());
        assertEquals(Duration.ofSeconds(10), o.handshakeTimeout());
        assertEquals(Duration.ZERO, o.pingInterval());
        assertEquals(Duration.ofSeconds(10), o.pingTimeout());
        assertEquals(Duration.ofSeconds(5), o.closeTimeout());
        assertFalse(o.compression());
        assertEquals(128, o.compressionMinSize());
        assertEquals(6, o.compressionLevel());
        assertFalse(o.serverNoContextTakeover());
        assertFalse(o.clientNoContextTakeover());
        assertTrue(o.servesPath("/anything"));
        assertEquals(List.of(), o.allowedOriginPatterns());
        assertTrue(o.originRules().allows("http://h:1834", "h:1834", false), "the same origin");
        assertFalse(o.originRules().allows("https://anywhere.example", "h:1834", false), "only the same origin");
    }

    @Test
    void toBuilderCopiesEveryOption() {
        WebSocketOptions o = WebSocketOptions.builder().paths("/a", "/b/*").subprotocols("chat")
                .allowedOrigins("https://x.example").allowedOriginPatterns("https://*.x.example")
                .maxHandshakeSize(1000).maxFrameSize(200).maxMessageSize(300)
                .handshakeTimeout(Duration.ofSeconds(1)).pingInterval(Duration.ofSeconds(2))
                .pingTimeout(Duration.ofSeconds(3)).closeTimeout(Duration.ofSeconds(4)).compression(true)
                .compressionMinSize(5).compressionLevel(1).serverNoContextTakeover(true)
                .clientNoContextTakeover(true).build();
        assertEquals(o.toString(), o.toBuilder().build().toString());
        assertTrue(o.servesPath("/a"));
        assertTrue(o.servesPath("/b"));
        assertTrue(o.servesPath("/b/c/d"));
        assertFalse(o.servesPath("/bc"));
        assertFalse(o.servesPath("/a/"));
        assertTrue(o.originRules().allows("HTTPS://X.EXAMPLE", "h", false));
        assertTrue(o.originRules().allows(null, "h", false), "non-browser clients send no Origin");
        assertFalse(o.originRules().allows("https://y.example", "h", false));
        assertTrue(o.toBuilder().allowedOrigins("*").build().originRules().allows("https://y.example", "h", false));
    }

    @Test
    void settersNameTheBadArgument() {
        WebSocketOptions.Builder b = WebSocketOptions.builder();
        expect("paths", () -> b.paths("no-slash"));
        expect("paths", () -> b.paths("/with?query"));
        expect("paths", () -> b.paths(Arrays.asList("/ok", null)));
        expect("paths", () -> b.paths((List<String>) null));
        expect("subprotocols", () -> b.subprotocols("not a token"));
        expect("allowedOrigins", () -> b.allowedOrigins(" "));
        expect("allowedOrigins", () -> b.allowedOrigins("https://a.example,https://b.example"));
        expect("allowedOrigins", () -> b.allowedOrigins(Arrays.asList("https://a.example", null)));
        expect("allowedOriginPatterns", () -> b.allowedOriginPatterns("https://*.example.com:[80;81]"));
        expect("allowedOriginPatterns", () -> b.allowedOriginPatterns("https://a.example, https://b.example"));
        expect("allowedOriginPatterns", () -> b.allowedOriginPatterns((List<String>) null));
        expect("maxHandshakeSize", () -> b.maxHandshakeSize(255));
        expect("maxFrameSize", () -> b.maxFrameSize(124));
        expect("maxMessageSize", () -> b.maxMessageSize(0));
        expect("handshakeTimeout", () -> b.handshakeTimeout(Duration.ofSeconds(-1)));
        expect("pingInterval", () -> b.pingInterval(Duration.ofSeconds(-1)));
        expect("pingTimeout", () -> b.pingTimeout(Duration.ZERO));
        expect("closeTimeout", () -> b.closeTimeout(Duration.ZERO));
        expect("closeTimeout", () -> b.closeTimeout(null));
        expect("compressionMinSize", () -> b.compressionMinSize(-1));
        expect("compressionLevel", () -> b.compressionLevel(0));
        expect("compressionLevel", () -> b.compressionLevel(10));
        expect("maxFrameSize", () -> WebSocketOptions.builder().maxMessageSize(1000).maxFrameSize(2000).build());
        expect("handler", () -> WebSocketServer.builder((WebSocketHandler) null));
        expect("routes", () -> WebSocketServer.builder((WebSocketRoutes) null));
        expect("options", () -> WebSocketServer.builder(new Recorder(), null));
    }

    private static void expect(String name, Executable call) {
        RuntimeException e = assertThrows(RuntimeException.class, call);
        assertTrue(e instanceof IllegalArgumentException || e instanceof NullPointerException, e.toString());
        assertTrue(String.valueOf(e.getMessage()).contains(name), "message should name " + name + ": " + e.getMessage());
    }

    @Test
    void oneLineServerWithDefaults() throws Exception {
        assertEquals(WebSocketServer.DEFAULT_PORT, 1834);
        Server server = WebSocketServer.builder(new Recorder()).address("127.0.0.1").port(0).daemonThreads(true).build();
        assertEquals("websocket", server.name());
        server.start();
        try {
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/any/path"),
                            new JdkClientInteropTest.Collector())
                    .get(10, TimeUnit.SECONDS);
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
        } finally {
            server.stop(Duration.ZERO);
        }
    }
}
