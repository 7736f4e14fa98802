package io.gev;

import io.gev.loop.EventLoop;
import io.gev.loop.Transport;
import io.gev.testing.Connections;
import io.gev.testing.EchoProbe;
import io.gev.testing.LogCapture;
import io.gev.testing.TestCertificates;
import io.gev.testing.TestClient;
import io.gev.testing.TestServers;
import io.gev.websocket.WebSocketHandler;
import io.gev.websocket.WebSocketMessage;
import io.gev.websocket.WebSocketServer;
import io.gev.websocket.WebSocketSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static io.gev.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The counters of {@link ServerStats} beyond bytes and messages, with real clients. */
@Timeout(60)
class ServerStatsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final TestServers servers = new TestServers();

    private final TestCertificates certificates = TestCertificates.get();

    private static void awaitTrue(BooleanSupplier condition, String what) {
        await(WAIT, condition, () -> what);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void tlsHandshakesAreTimedAndTheirSessionsCountedWhileOpen(Transport transport) throws Exception {
        Server server = servers.start(TestServers.local((c, ctx, p) -> p, transport)
                .tls(certificates.serverOptions().build()));
        ServerStats stats = server.stats();
        try (SSLSocket client = connect(certificates.clientContext(), server.port())) {
            assertEquals("hi", echo(client, "hi"));
            awaitTrue(() -> stats.tlsHandshakes() == 1, "one handshake: " + stats.tlsHandshakes());
            assertTrue(stats.tlsHandshakeNanos() > 0, "handshake time " + stats.tlsHandshakeNanos());
            assertEquals(1, stats.tlsSessions());
            assertEquals(0, stats.upgradedConnections(), "TLS is not a protocol's upgrade");

            try (TestClient plaintext = TestClient.connect(server)) {
                plaintext.write("GET / HTTP/1.1\r\n\r\n");
                assertTrue(plaintext.awaitClosed());
            }
            awaitTrue(() -> stats.closedConnections(CloseReason.TLS_ERROR) == 1, "the failed handshake closed");
            assertEquals(1, stats.tlsHandshakes(), "a failed handshake is not timed");
            assertEquals(1, stats.tlsSessions(), "nor counted as a session");
        }
        awaitTrue(() -> stats.tlsSessions() == 0, "the session ends with its connection: " + stats.tlsSessions());
        assertEquals(1, stats.tlsHandshakes());
    }

    @Test
    void aPlainServerHasNoTlsSessions() throws Exception {
        Server server = servers.start(TestServers.local((c, ctx, p) -> p, Transport.AUTO));
        try (TestClient client = TestClient.connect(server)) {
            client.write("x");
            assertEquals("x", client.readString(1));
            assertEquals(0, server.stats().tlsSessions());
            assertEquals(0, server.stats().tlsHandshakes());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void webSocketUpgradesAreTimedAndTheirSessionsCountedWhileOpen(Transport transport) throws Exception {
        Server server = servers.start(WebSocketServer.builder(new Echo()).address("127.0.0.1").port(0).loops(2)
                .transport(transport).daemonThreads(true));
        ServerStats stats = server.stats();
        EchoProbe.Exchange ws = EchoProbe.webSocket(server.port(), "/");
        ws.roundTrip(1);
        awaitTrue(() -> stats.upgrades() == 1, "one upgrade: " + stats.upgrades());
        assertTrue(stats.upgradeNanos() > 0, "upgrade time " + stats.upgradeNanos());
        assertEquals(1, stats.upgradedConnections());

        try (TestClient plain = TestClient.connect(server)) {
            plain.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(plain.awaitClosed());
        }
        awaitTrue(() -> stats.closedConnections(CloseReason.PROTOCOL_ERROR) == 1, "the refused upgrade closed");
        assertEquals(1, stats.upgrades(), "a refused upgrade is not counted");
        assertEquals(1, stats.upgradedConnections());

        ws.close();
        awaitTrue(() -> stats.upgradedConnections() == 0, "the session ends: " + stats.upgradedConnections());
        assertEquals(1, stats.upgrades());
    }

    @Test
    void aWssSessionCountsAsBothTlsAndUpgraded() throws Exception {
        Server server = servers.start(WebSocketServer.builder(new Echo()).address("127.0.0.1").port(0).loops(2)
                .daemonThreads(true).tls(certificates.serverOptions().build()));
        ServerStats stats = server.stats();
        EchoProbe.Exchange ws = EchoProbe.webSocket(HttpClient.newBuilder().sslContext(certificates.clientContext())
                .build(), URI.create("wss://127.0.0.1:" + server.port() + "/"));
        ws.roundTrip(1);
        awaitTrue(() -> stats.upgradedConnections() == 1 && stats.tlsSessions() == 1,
                "tls " + stats.tlsSessions() + ", upgraded " + stats.upgradedConnections());
        assertEquals(1, stats.tlsHandshakes());
        assertEquals(1, stats.upgrades());
        ws.close();
        awaitTrue(() -> stats.upgradedConnections() == 0 && stats.tlsSessions() == 0,
                "tls " + stats.tlsSessions() + ", upgraded " + stats.upgradedConnections());
    }

    @Test
    void upgradedCountsOnceOnTheLoopAndNotAfterClose() throws Exception {
        Server server = servers.start(TestServers.local((c, ctx, p) -> {
            String line = StandardCharsets.US_ASCII.decode(p).toString();
            if (line.startsWith("up")) {
                c.upgraded(5);
                c.upgraded(7); // the second report of one connection is ignored
            }
            return "ok";
        }, Transport.AUTO).name("upgrading"));
        ServerStats stats = server.stats();
        try (TestClient client = TestClient.connect(server)) {
            client.write("up");
            assertEquals("ok", client.readString(2));
            awaitTrue(() -> stats.upgrades() == 1, "one upgrade: " + stats.upgrades());
            assertEquals(5, stats.upgradeNanos());
            assertEquals(1, stats.upgradedConnections());
            client.write("up");
            assertEquals("ok", client.readString(2));
            client.write("up");
            assertEquals("ok", client.readString(2));
            assertEquals(1, stats.upgrades(), "later reports of the connection are ignored");
            assertEquals(5, stats.upgradeNanos());
        }
        awaitTrue(() -> stats.upgradedConnections() == 0, "closed: " + stats.upgradedConnections());

        Connections connections = new Connections();
        Server other = servers.start(TestServers.local(connections, Transport.AUTO).name("off-loop"));
        Connection connected;
        try (TestClient client = TestClient.connect(other)) {
            connected = connections.next();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> connected.upgraded(1));
            assertTrue(e.getMessage().contains("not on the loop of"), e.getMessage());
        }
        awaitTrue(() -> other.stats().activeConnections() == 0, "closed");
        CompletableFuture<Void> late = new CompletableFuture<>();
        connected.loop().execute(() -> {
            connected.upgraded(1);
            late.complete(null);
        });
        late.get(10, TimeUnit.SECONDS);
        assertEquals(0, other.stats().upgrades(), "a closed connection is not counted");
        assertEquals(0, other.stats().upgradedConnections());
    }

    @Test
    void connectionsAndQueuedBytesAreCountedPerLoop() throws Exception {
        int size = 4 * 1024 * 1024;
        AtomicReference<Connection> writer = new AtomicReference<>();
        Server server = servers.start(TestServers.local(new Handler<ByteBuffer>() {
            @Override
            public void onConnect(Connection connection) {
                if (writer.compareAndSet(null, connection)) {
                    connection.send(new byte[size]); // to a client that does not read
                }
            }

            @Override
            public Object onMessage(Connection connection, Object context, ByteBuffer message) {
                return null;
            }
        }, Transport.AUTO).sendBufferSize(64 * 1024).writeBufferLimit(2 * size));
        ServerStats stats = server.stats();
        try (TestClient silent = nonReading(server); TestClient second = nonReading(server);
                TestClient third = nonReading(server)) {
            awaitTrue(() -> stats.activeConnections() == 3, "3 open");
            assertEquals(3, stats.connections(0) + stats.connections(1));
            for (EventLoop loop : server.loops()) {
                assertEquals(loop.connectionCount(), stats.connections(loop.index()));
            }
            int loop = writer.get().loop().index();
            awaitTrue(() -> stats.writeBufferBytes(loop) > 0
                    && stats.writeBufferBytes(loop) == stats.writeBufferBytes(),
                    "queued on loop " + loop + ": " + stats.writeBufferBytes(loop) + " of " + stats.writeBufferBytes());
            assertTrue(stats.writeBufferBytes(loop) <= size);
            assertEquals(0, stats.writeBufferBytes(1 - loop), "nothing queued on the other loop");
        }
        awaitTrue(() -> stats.writeBufferBytes() == 0, "released on close: " + stats.writeBufferBytes());
        // The writer's close released its bytes; the other two close when their FIN is read,
        // which may come later on the other loop.
        awaitTrue(() -> stats.connections(0) + stats.connections(1) == 0,
                "closed on both loops: " + stats.connections(0) + " + " + stats.connections(1));
        assertEquals(0, stats.connections(2), "a loop the server does not have");
    }

    @Test
    void everyStallTheWatchdogReportsIsCounted() {
        String name = "stalls";
        Server server = servers.start(TestServers.local((c, ctx, p) -> p, Transport.AUTO).name(name)
                .blockedLoopWarning(Duration.ofMillis(100)));
        ServerStats stats = server.stats();
        assertEquals(0, stats.blockedLoopStalls());
        try (LogCapture log = LogCapture.start()) {
            for (int stall = 1; stall <= 2; stall++) {
                // A task that blocks a loop, as a handler that blocks would: the watchdog's case.
                server.loops().get(1).execute(() -> LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500)));
                int expected = stall;
                awaitTrue(() -> stats.blockedLoopStalls() == expected,
                        "stall " + expected + ": " + stats.blockedLoopStalls());
                // Tasks run back to back are one stall: the next may block only once this one ended.
                String again = "loop gev-" + name + "-1 runs again after being blocked";
                awaitTrue(() -> log.text().split(again, -1).length - 1 == expected, "the end of stall " + expected);
            }
        }
        assertEquals("gev-" + name + "-1", server.loops().get(1).name(), "a loop is named as its thread");
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** A client whose small receive buffer soon stops taking what the server sends. */
    private static TestClient nonReading(Server server) throws Exception {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(64 * 1024);
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
        return new TestClient(socket);
    }

    private static SSLSocket connect(SSLContext context, int port) throws Exception {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static String echo(SSLSocket socket, String text) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(bytes);
        byte[] reply = socket.getInputStream().readNBytes(bytes.length);
        assertArrayEquals(bytes, reply);
        return new String(reply, StandardCharsets.UTF_8);
    }

    private static final class Echo implements WebSocketHandler {
        @Override
        public Object onMessage(WebSocketSession session, WebSocketMessage message) {
            return message;
        }
    }
}
