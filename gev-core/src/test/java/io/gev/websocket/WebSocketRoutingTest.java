package io.gev.websocket;

import io.gev.CloseReason;
import io.gev.Server;
import io.gev.TlsOptions;
import io.gev.loop.Transport;
import io.gev.testing.TestCertificates;
import io.gev.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several handlers on one port, each on its path with its own subprotocols and origin rules,
 * against clients nobody here wrote: the JDK's {@code java.net.http.WebSocket} and Python's
 * {@code websockets}.
 */
@Timeout(60)
class WebSocketRoutingTest {

    @RegisterExtension
    final TestServers servers = new TestServers();

    private final HttpClient http = HttpClient.newHttpClient();

    /** Answers every text with its name, the path and the text. */
    static class Named extends Recorder {
        final String name;

        Named(String name) {
            this.name = name;
        }

        @Override
        public Object onMessage(WebSocketSession session, WebSocketMessage message) {
            return name + " " + session.request().path() + " " + message.text();
        }
    }

    private final Named echo = new Named("echo");
    private final Named upper = new Named("upper") {
        @Override
        public Object onMessage(WebSocketSession session, WebSocketMessage message) {
            return message.text().toUpperCase(Locale.ROOT);
        }
    };
    private final Named app = new Named("app");
    private final Named admin = new Named("admin");
    private final Named open = new Named("open");

    /**
     * {@code /echo} and {@code /upper} with the server's rules, {@code /app} speaking subprotocols
     * of its own, {@code /admin} allowing one other origin instead of the server's, {@code /open}
     * allowing every origin; the server speaks {@code base.v1} and allows {@code https://app.example}.
     */
    private Server start(Transport transport, TlsOptions tls) {
        WebSocketRoutes routes = WebSocketRoutes.builder()
                .route("/echo", echo)
                .route("/upper", upper)
                .route(WebSocketRoute.builder("/app", app).subprotocols("app.v2", "app.v1").build())
                .route(WebSocketRoute.builder("/admin", admin).allowedOrigins("https://admin.example")
                        .subprotocols().build())
                .route(WebSocketRoute.builder("/open", open).allowedOriginPatterns("*").build())
                .build();
        WebSocketOptions options = WebSocketOptions.builder().subprotocols("base.v1")
                .allowedOrigins("https://app.example").build();
        return servers.start(WebSocketServer.builder(routes, options).address("127.0.0.1").port(0).loops(2)
                .transport(transport).daemonThreads(true).tls(tls));
    }

    private WebSocket connect(Server server, String path, JdkClientInteropTest.Collector collector,
                              String... originAndSubprotocols) throws Exception {
        WebSocket.Builder builder = http.newWebSocketBuilder();
        if (originAndSubprotocols.length > 0 && originAndSubprotocols[0] != null) {
            builder.header("Origin", originAndSubprotocols[0]);
        }
        if (originAndSubprotocols.length > 1) {
            builder.subprotocols(originAndSubprotocols[1],
                    java.util.Arrays.copyOfRange(originAndSubprotocols, 2, originAndSubprotocols.length));
        }
        return builder.buildAsync(URI.create("ws://127.0.0.1:" + server.port() + path), collector)
                .get(10, TimeUnit.SECONDS);
    }

    private int refusal(Server server, String path, String origin) {
        WebSocket.Builder builder = http.newWebSocketBuilder();
        if (origin != null) {
            builder.header("Origin", origin);
        }
        return JdkClientInteropTest.handshakeStatus(builder.buildAsync(URI.create("ws://127.0.0.1:" + server.port()
                + path), new JdkClientInteropTest.Collector()));
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void eachPathIsAnsweredByItsOwnHandler(Transport transport) throws Exception {
        Server server = start(transport, null);
        JdkClientInteropTest.Collector toEcho = new JdkClientInteropTest.Collector();
        JdkClientInteropTest.Collector toUpper = new JdkClientInteropTest.Collector();
        WebSocket a = connect(server, "/echo?room=1", toEcho);
        WebSocket b = connect(server, "/upper", toUpper);
        for (int i = 0; i < 20; i++) {
            a.sendText("hi " + i, true).get(10, TimeUnit.SECONDS);
            b.sendText("hi " + i, true).get(10, TimeUnit.SECONDS);
            assertEquals("echo /echo hi " + i, toEcho.next(), "the query does not take part in matching");
            assertEquals("HI " + i, toUpper.next());
        }
        assertEquals("/echo", echo.nextOpened().request().path());
        assertEquals("/upper", upper.nextOpened().request().path());
        assertTrue(echo.opened.isEmpty() && upper.opened.isEmpty());
        a.sendClose(1000, "a").get(10, TimeUnit.SECONDS);
        b.sendClose(1000, "b").get(10, TimeUnit.SECONDS);
        echo.expectClosed(1000, "a");
        upper.expectClosed(1000, "b");
        assertTrue(app.opened.isEmpty() && app.closed.isEmpty(), "other routes' handlers see nothing");
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void pathsNoRouteServesGet404AndTheConnectionCloses(Transport transport) throws Exception {
        Server server = start(transport, null);
        for (String path : new String[] {"/", "/nope", "/echo/", "/echo/x", "/ECHO", "/echoes", "/%65cho"}) {
            try (WsTestClient c = WsTestClient.connect(server.port())) {
                c.write(WsTestClient.request(path));
                WsTestClient.HttpResponse response = c.readResponse();
                assertEquals(404, response.status, path + ": " + response);
                assertEquals("close", response.header("Connection"));
                assertTrue(c.awaitClosed(), path);
            }
        }
        assertEquals(404, refusal(server, "/missing", null));
        assertEquals(0, server.stats().closedConnections(CloseReason.PROTOCOL_ERROR),
                "an unknown path is refused, not counted as a protocol error");
        try (WsTestClient c = WsTestClient.open(server.port(), "/echo?x=/nope")) {
            c.send(true, 1, "still there".getBytes(StandardCharsets.UTF_8));
            assertEquals("echo /echo still there", c.readFrame().text());
        }
    }

    @Test
    void eachRouteNegotiatesItsOwnSubprotocols() throws Exception {
        Server server = start(Transport.AUTO, null);
        JdkClientInteropTest.Collector c = new JdkClientInteropTest.Collector();
        assertEquals("app.v1", connect(server, "/app", c, null, "base.v1", "app.v1").getSubprotocol(),
                "the route's own list, not the server's");
        assertEquals("app.v1", app.nextOpened().subprotocol());
        assertEquals("app.v2", connect(server, "/app", c, null, "app.v2", "app.v1").getSubprotocol(),
                "the client's first offer the route speaks");
        assertEquals("base.v1", connect(server, "/echo", c, null, "app.v1", "base.v1").getSubprotocol(),
                "a route without a list of its own speaks the server's");
        assertEquals("", connect(server, "/admin", c, "https://admin.example", "base.v1").getSubprotocol(),
                "an empty list of its own speaks none");
        assertNull(admin.nextOpened().subprotocol());
    }

    @Test
    void eachRouteAllowsItsOwnOrigins() throws Exception {
        Server server = start(Transport.AUTO, null);
        String self = "http://127.0.0.1:" + server.port();
        JdkClientInteropTest.Collector c = new JdkClientInteropTest.Collector();
        // /echo keeps the server's rules: its own origin, https://app.example, and clients without Origin.
        connect(server, "/echo", c, self).sendClose(1000, "").get(10, TimeUnit.SECONDS);
        connect(server, "/echo", c, "https://app.example").sendClose(1000, "").get(10, TimeUnit.SECONDS);
        connect(server, "/echo", c).sendClose(1000, "").get(10, TimeUnit.SECONDS);
        assertEquals(403, refusal(server, "/echo", "https://admin.example"));
        assertEquals(403, refusal(server, "/echo", "http://127.0.0.1:" + (server.port() + 1)));
        // /admin has rules of its own, which replace the server's allowed origins.
        connect(server, "/admin", c, "https://admin.example").sendClose(1000, "").get(10, TimeUnit.SECONDS);
        connect(server, "/admin", c, self).sendClose(1000, "").get(10, TimeUnit.SECONDS);
        assertEquals(403, refusal(server, "/admin", "https://app.example"));
        // /open allows every origin.
        connect(server, "/open", c, "https://anywhere.example").sendClose(1000, "").get(10, TimeUnit.SECONDS);
        connect(server, "/open", c, "null").sendClose(1000, "").get(10, TimeUnit.SECONDS);
        assertEquals(0, server.stats().closedConnections(CloseReason.PROTOCOL_ERROR));
    }

    @Test
    void overTlsTheServersOriginIsHttps() throws Exception {
        TestCertificates certificates = TestCertificates.get();
        Server server = start(Transport.AUTO, certificates.serverOptions().build());
        HttpClient client = HttpClient.newBuilder().sslContext(certificates.clientContext()).build();
        URI uri = URI.create("wss://127.0.0.1:" + server.port() + "/echo");
        WebSocket ws = client.newWebSocketBuilder().header("Origin", "https://127.0.0.1:" + server.port())
                .buildAsync(uri, new JdkClientInteropTest.Collector()).get(10, TimeUnit.SECONDS);
        ws.sendClose(1000, "").get(10, TimeUnit.SECONDS);
        assertEquals(403, JdkClientInteropTest.handshakeStatus(client.newWebSocketBuilder()
                .header("Origin", "http://127.0.0.1:" + server.port())
                .buildAsync(uri, new JdkClientInteropTest.Collector())),
                "an http page is another origin than a wss server on the same host and port");
    }

    @Test
    void routesServedToPythonWebsockets() throws Exception {
        String python = PythonWebSockets.python();
        Path script = PythonWebSockets.script("/websocket/route_client.py");
        Server server = start(Transport.AUTO, null);
        String base = "ws://127.0.0.1:" + server.port();
        String output = PythonWebSockets.run(python, script,
                base + "/echo",
                base + "/upper", "-", "http://127.0.0.1:" + server.port(),
                base + "/app", "base.v1,app.v1",
                base + "/echo", "app.v1,base.v1",
                base + "/nope",
                base + "/echo/",
                base + "/echo", "-", "https://evil.example",
                base + "/admin", "-", "https://admin.example",
                base + "/admin", "-", "https://app.example",
                base + "/open", "-", "https://evil.example");
        assertEquals(List.of(
                "OPEN - echo /echo hello /echo",
                "OPEN - HELLO /UPPER",
                "OPEN app.v1 app /app hello /app",
                "OPEN base.v1 echo /echo hello /echo",
                "REFUSED 404",
                "REFUSED 404",
                "REFUSED 403",
                "OPEN - admin /admin hello /admin",
                "REFUSED 403",
                "OPEN - open /open hello /open"), output.lines().toList());
    }

    @Test
    void aRoutedServerRefusesOptionsWithPaths() {
        WebSocketRoutes routes = WebSocketRoutes.builder().route("/echo", echo).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WebSocketServer.builder(routes, WebSocketOptions.builder().paths("/echo").build()));
        assertTrue(e.getMessage().startsWith("paths"), e.getMessage());
        assertEquals("websocket", WebSocketServer.builder(routes).build().name());
    }
}
