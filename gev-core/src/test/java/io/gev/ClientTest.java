package io.gev;

import io.gev.loop.EventLoop;
import io.gev.loop.Transport;
import io.gev.protocol.LineProtocol;
import io.gev.testing.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.gev.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client against peers nobody here wrote (the JDK's blocking sockets) and against gev's own
 * server: echo, refusal, timeout, unknown host, a reset mid-message, reconnecting, stopping.
 */
@Timeout(60)
class ClientTest {

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        resources.add(resource);
        return resource;
    }

    private Client client(Client.Builder builder, Transport transport) {
        return closeLater(builder.transport(transport).shutdownTimeout(Duration.ofSeconds(3)).build());
    }

    private static <T> T failure(CompletableFuture<?> future, Class<T> type) throws InterruptedException {
        try {
            future.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return assertInstanceOf(type, e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the connect neither completed nor failed", e);
        }
        throw new AssertionError("the connect succeeded");
    }

    // ---- against the JDK's sockets ----------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void echoesLinesThroughAJdkServerSocket(Transport transport) throws Exception {
        JdkEchoServer peer = closeLater(new JdkEchoServer());
        Lines lines = new Lines();
        Client client = client(Client.builder(LineProtocol.builder().build(), lines), transport);

        Connection connection = client.connect("localhost", peer.port()).get(20, TimeUnit.SECONDS);
        assertTrue(connection.isConnected());
        assertEquals(peer.port(), connection.remoteAddress().getPort());
        assertEquals(transport, client.transport());
        assertTrue(connection.toString().endsWith(", client=client]"), connection.toString());
        for (int i = 0; i < 100; i++) {
            connection.send("line " + i);
        }
        for (int i = 0; i < 100; i++) {
            assertEquals("line " + i, lines.next());
        }
        assertEquals(1, client.stats().acceptedConnections());
        assertEquals(1, client.stats().activeConnections());
        connection.close();
        await("the close", () -> client.stats().activeConnections() == 0);
        assertEquals(1, client.stats().closedConnections(CloseReason.LOCAL));
    }

    @Test
    void connectsToAResolvedAddressAndAnIpLiteral() throws Exception {
        JdkEchoServer peer = closeLater(new JdkEchoServer());
        Lines lines = new Lines();
        Client client = client(Client.builder(LineProtocol.builder().build(), lines), Transport.AUTO);
        Connection a = client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), peer.port()))
                .get(20, TimeUnit.SECONDS);
        Connection b = client.connect("127.0.0.1", peer.port()).get(20, TimeUnit.SECONDS);
        a.send("a");
        assertEquals("a", lines.next());
        b.send("b");
        assertEquals("b", lines.next());
    }

    @Test
    void aRefusedConnectFailsNamingTheAddress() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        Client client = client(Client.builder(new Lines()), Transport.AUTO);
        ConnectException e = failure(client.connect("127.0.0.1", port), ConnectException.class);
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        assertTrue(e.getMessage().toLowerCase().contains("refused"), e.getMessage());
        assertEquals(0, client.stats().activeConnections());
        assertEquals(0, client.stats().acceptedConnections());
    }

    @Test
    void anUnknownHostFailsNamingIt() throws Exception {
        Client client = client(Client.builder(new Lines()), Transport.AUTO);
        // .invalid never resolves (RFC 6761).
        UnknownHostException e = failure(client.connect("no-such-host.invalid", 80), UnknownHostException.class);
        assertTrue(e.getMessage().contains("no-such-host.invalid"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aConnectThatHangsTimesOut(Transport transport) throws Exception {
        FullBacklog hanging = closeLater(new FullBacklog());
        Client client = client(Client.builder(new Lines()).connectTimeout(Duration.ofMillis(300)), transport);
        ConnectTimeoutException e = failure(client.connect("127.0.0.1", hanging.port()), ConnectTimeoutException.class);
        assertTrue(e.getMessage().contains("127.0.0.1:" + hanging.port()), e.getMessage());
        assertTrue(e.getMessage().contains("PT0.3S"), e.getMessage());
        assertEquals(0, client.stats().activeConnections());
    }

    @Test
    void aPeerResetMidMessageClosesWithAnIoError() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Lines lines = new Lines();
            Client client = client(Client.builder(LineProtocol.builder().build(), lines), Transport.AUTO);
            CompletableFuture<Connection> future = client.connect("127.0.0.1", listener.getLocalPort());
            try (Socket peer = listener.accept()) {
                Connection connection = future.get(20, TimeUnit.SECONDS);
                OutputStream out = peer.getOutputStream();
                out.write("complete\nhalf a li".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertEquals("complete", lines.next());
                peer.setSoLinger(true, 0); // close() now sends RST
                peer.close();
                assertSame(connection, lines.closed.poll(20, TimeUnit.SECONDS));
            }
            assertEquals(1, client.stats().closedConnections(CloseReason.IO_ERROR));
            assertTrue(lines.received.isEmpty(), "half a line is no line: " + lines.received);
        }
    }

    @Test
    void aCancelledConnectClosesTheConnectionItMade() throws Exception {
        FullBacklog hanging = closeLater(new FullBacklog());
        Client client = client(Client.builder(new Lines()).connectTimeout(Duration.ofMillis(200)), Transport.AUTO);
        CompletableFuture<Connection> future = client.connect("127.0.0.1", hanging.port());
        assertTrue(future.cancel(false));
        assertThrows(CancellationException.class, future::join);
        await("no connection left", () -> client.stats().activeConnections() == 0);
    }

    @Test
    void aPeerThatStopsReadingClosesAtTheWriteLimit() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Lines lines = new Lines();
            Client client = client(Client.builder(lines).writeBufferHighWaterMark(16 * 1024)
                    .writeBufferLowWaterMark(8 * 1024).writeBufferLimit(64 * 1024).sendBufferSize(16 * 1024),
                    Transport.AUTO);
            CompletableFuture<Connection> future = client.connect("127.0.0.1", listener.getLocalPort());
            try (Socket peer = listener.accept()) { // never reads
                Connection connection = future.get(20, TimeUnit.SECONDS);
                byte[] chunk = new byte[8192];
                connection.loop().execute(() -> {
                    while (connection.isConnected()) {
                        connection.send(ByteBuffer.wrap(chunk));
                    }
                });
                assertSame(connection, lines.closed.poll(20, TimeUnit.SECONDS));
            }
            assertEquals(1, client.stats().closedConnections(CloseReason.WRITE_LIMIT));
        }
    }

    @Test
    void anIdleConnectionClosesAfterTheIdleTimeout() throws Exception {
        JdkEchoServer peer = closeLater(new JdkEchoServer());
        Lines lines = new Lines();
        Client client = client(Client.builder(lines).idleTimeout(Duration.ofMillis(200)), Transport.AUTO);
        Connection connection = client.connect("127.0.0.1", peer.port()).get(20, TimeUnit.SECONDS);
        assertSame(connection, lines.closed.poll(20, TimeUnit.SECONDS));
        assertEquals(1, client.stats().closedConnections(CloseReason.IDLE));
    }

    @Test
    void anOffloadedHandlerRunsOnTheExecutor() throws Exception {
        JdkEchoServer peer = closeLater(new JdkEchoServer());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "client-worker");
            thread.setDaemon(true);
            return thread;
        });
        closeLater(pool::shutdownNow);
        BlockingQueue<String> threads = new LinkedBlockingQueue<>();
        Client client = client(Client.builder(LineProtocol.builder().build(), (c, ctx, line) -> {
            threads.add(Thread.currentThread().getName() + " " + text(line));
            return null;
        }).handlerExecution(HandlerExecution.executor(pool)), Transport.AUTO);
        Connection connection = client.connect("127.0.0.1", peer.port()).get(20, TimeUnit.SECONDS);
        connection.send("offloaded");
        assertEquals("client-worker offloaded", threads.poll(20, TimeUnit.SECONDS));
    }

    // ---- against gev's server ---------------------------------------------------------------

    @Test
    void reconnectsAfterTheServerRestarts() throws Exception {
        Server server = closeLater(TestServers.local(LineProtocol.builder().build(), (c, ctx, line) -> "echo " + text(line),
                Transport.AUTO).build());
        server.start();
        int port = server.port();
        BlockingQueue<Integer> attempts = new LinkedBlockingQueue<>();
        Lines lines = new Lines();
        Client client = client(Client.builder(LineProtocol.builder().build(), lines)
                .reconnect(Reconnect.builder().initialDelay(Duration.ofMillis(20)).maxDelay(Duration.ofMillis(100))
                        .listener((address, attempt, delay, cause) -> attempts.add(attempt)).build()), Transport.AUTO);

        Connection first = client.connect("127.0.0.1", port).get(20, TimeUnit.SECONDS);
        assertSame(first, lines.connected.poll(20, TimeUnit.SECONDS));
        first.send("one");
        assertEquals("echo one", lines.next());

        server.stop(Duration.ZERO);
        assertSame(first, lines.closed.poll(20, TimeUnit.SECONDS));
        assertEquals(1, attempts.poll(20, TimeUnit.SECONDS));
        assertEquals(2, attempts.poll(20, TimeUnit.SECONDS), "the server is down: the first attempt fails");

        Server again = closeLater(TestServers.local(LineProtocol.builder().build(), (c, ctx, line) -> "again " + text(line),
                Transport.AUTO).port(port).build());
        again.start();
        Connection second = lines.connected.poll(20, TimeUnit.SECONDS);
        assertNotNull(second, "no new connection after the server came back");
        assertFalse(second == first);
        second.send("two");
        assertEquals("again two", lines.next());

        // The application's own close is final.
        second.close();
        assertSame(second, lines.closed.poll(20, TimeUnit.SECONDS));
        attempts.clear();
        assertEquals(null, lines.connected.poll(300, TimeUnit.MILLISECONDS));
        assertTrue(attempts.isEmpty(), "reconnected after close(): " + attempts);
    }

    @Test
    void aLimitedReconnectGivesUpAndFailsTheFuture() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        CompletableFuture<Integer> gaveUp = new CompletableFuture<>();
        Client client = client(Client.builder(new Lines())
                .reconnect(Reconnect.builder().initialDelay(Duration.ZERO).maxDelay(Duration.ofMillis(10)).maxAttempts(3)
                        .listener(new Reconnect.Listener() {
                            @Override
                            public void reconnecting(SocketAddress address, int attempt, Duration delay, Throwable cause) {
                                attempts.add(attempt);
                            }

                            @Override
                            public void gaveUp(SocketAddress address, int count, Throwable cause) {
                                gaveUp.complete(count);
                            }
                        }).build()), Transport.AUTO);
        ConnectException e = failure(client.connect("127.0.0.1", port), ConnectException.class);
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        assertEquals(List.of(1, 2, 3), attempts);
        assertEquals(3, gaveUp.get(20, TimeUnit.SECONDS));
    }

    @Test
    void aConnectFromALoopThreadStaysOnThatLoop() throws Exception {
        JdkEchoServer upstream = closeLater(new JdkEchoServer());
        EventLoops loops = closeLater(EventLoops.builder().name("proxy").loops(2).daemonThreads(true).build());
        Lines lines = new Lines();
        Client client = client(Client.builder(LineProtocol.builder().build(), lines).eventLoops(loops), Transport.AUTO);
        BlockingQueue<Object[]> pairs = new LinkedBlockingQueue<>();
        Server server = closeLater(Server.builder(LineProtocol.builder().build(), new Handler<ByteBuffer>() {
            @Override
            public void onConnect(Connection inbound) {
                client.connect("127.0.0.1", upstream.port()).thenAccept(outbound -> pairs.add(new Object[] {
                        inbound.loop(), outbound.loop(), Thread.currentThread()}));
            }

            @Override
            public Object onMessage(Connection connection, Object context, ByteBuffer line) {
                return null;
            }
        }).address("127.0.0.1").port(0).eventLoops(loops).build());
        server.start();
        for (int i = 0; i < 4; i++) {
            closeLater(new Socket("127.0.0.1", server.port()));
            Object[] pair = pairs.poll(20, TimeUnit.SECONDS);
            assertNotNull(pair, "no outbound connection");
            EventLoop inbound = (EventLoop) pair[0];
            EventLoop outbound = (EventLoop) pair[1];
            // A loop's name is its thread's.
            assertEquals(inbound.name(), outbound.name(), "the pair is on two loops");
            assertEquals(outbound.name(), ((Thread) pair[2]).getName(), "the future completed off the loop");
        }
    }

    @Test
    void stopFailsAConnectInProgressAndClosesOpenConnections() throws Exception {
        FullBacklog hanging = closeLater(new FullBacklog());
        JdkEchoServer peer = closeLater(new JdkEchoServer());
        Lines lines = new Lines();
        Client client = client(Client.builder(LineProtocol.builder().build(), lines).connectTimeout(Duration.ZERO),
                Transport.AUTO);
        Connection open = client.connect("127.0.0.1", peer.port()).get(20, TimeUnit.SECONDS);
        CompletableFuture<Connection> stuck = client.connect("127.0.0.1", hanging.port());
        client.stop(Duration.ofSeconds(2));
        IllegalStateException e = failure(stuck, IllegalStateException.class);
        assertTrue(e.getMessage().contains("stopped"), e.getMessage());
        assertSame(open, lines.closed.poll(20, TimeUnit.SECONDS));
        assertFalse(client.isRunning());
        assertThrows(IllegalStateException.class, () -> client.connect("127.0.0.1", peer.port()));

        client.start();
        CompletableFuture<Throwable> fromLoop = new CompletableFuture<>();
        Connection running = client.connect("127.0.0.1", peer.port()).get(20, TimeUnit.SECONDS);
        running.loop().execute(() -> {
            try {
                client.stop(Duration.ZERO);
                fromLoop.complete(null);
            } catch (Throwable t) {
                fromLoop.complete(t);
            }
        });
        assertInstanceOf(IllegalStateException.class, fromLoop.get(20, TimeUnit.SECONDS), "stop() from its own loop");
        assertTrue(client.isRunning(), "a refused stop() stopped nothing");
        Connection again = client.connect("127.0.0.1", peer.port()).get(20, TimeUnit.SECONDS);
        again.send("after a restart");
        assertEquals("after a restart", lines.next());
    }

    static String text(ByteBuffer bytes) {
        return StandardCharsets.UTF_8.decode(bytes).toString();
    }

    // ---- peers ------------------------------------------------------------------------------

    /** Hands each line to the test, and each connection as it opens and closes. */
    static final class Lines implements Handler<Object> {
        final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        final BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        final BlockingQueue<Connection> closed = new LinkedBlockingQueue<>();

        @Override
        public void onConnect(Connection connection) {
            connected.add(connection);
        }

        @Override
        public Object onMessage(Connection connection, Object context, Object message) {
            received.add(message instanceof ByteBuffer ? text((ByteBuffer) message) : message);
            return null;
        }

        @Override
        public void onClose(Connection connection) {
            closed.add(connection);
        }

        Object next() throws InterruptedException {
            Object line = received.poll(20, TimeUnit.SECONDS);
            assertNotNull(line, "nothing received");
            return line;
        }
    }

    /** A blocking echo server on the JDK's sockets, a thread per connection. */
    static final class JdkEchoServer implements AutoCloseable {
        private final ServerSocket listener;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        JdkEchoServer() throws IOException {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(this::accept, "jdk-echo-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        private void accept() {
            try {
                while (true) {
                    Socket socket = listener.accept();
                    sockets.add(socket);
                    Thread echo = new Thread(() -> echo(socket), "jdk-echo");
                    echo.setDaemon(true);
                    echo.start();
                }
            } catch (IOException closed) {
                // The test is over.
            }
        }

        private static void echo(Socket socket) {
            try (InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                byte[] buffer = new byte[8192];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                }
            } catch (IOException closed) {
                // The peer left.
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    /**
     * A listener whose accept queue is full and that never accepts: the kernel drops further SYNs,
     * so a connect to it hangs until its timeout. Filled by JDK connects until one of them hangs.
     */
    static final class FullBacklog implements AutoCloseable {
        private final ServerSocket listener;
        private final List<Socket> fillers = new ArrayList<>();

        FullBacklog() throws IOException {
            listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            for (int i = 0; i < 16; i++) {
                Socket filler = new Socket();
                fillers.add(filler);
                try {
                    filler.connect(listener.getLocalSocketAddress(), 200);
                } catch (SocketTimeoutException full) {
                    return;
                }
            }
            throw new IllegalStateException("the accept queue of " + listener + " never filled up");
        }

        int port() {
            return listener.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            for (Socket filler : fillers) {
                filler.close();
            }
            listener.close();
        }
    }
}
