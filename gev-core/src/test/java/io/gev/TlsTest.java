package io.gev;

import io.gev.loop.Transport;
import io.gev.testing.Connections;
import io.gev.testing.EchoStream;
import io.gev.testing.LogCapture;
import io.gev.testing.LoopAllocations;
import io.gev.testing.PingPong;
import io.gev.testing.TestCertificates;
import io.gev.testing.TestClient;
import io.gev.testing.TestServers;
import io.gev.testing.TlsTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.gev.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** TLS on gev servers against clients nobody here wrote: the JDK's SSLSocket and OpenSSL's s_client. */
@Timeout(60)
@ParameterizedClass(name = "{0}")
@EnumSource(value = TlsOptions.Provider.class, names = {"JDK", "OPENSSL"})
class TlsTest {

    /** Every test runs on both engines. */
    @Parameter
    TlsOptions.Provider provider;

    private static final Path OPENSSL = Path.of("/usr/bin/openssl");

    @RegisterExtension
    final TestServers servers = new TestServers();

    private final TestCertificates certificates = TestCertificates.get();

    private Server start(Handler<ByteBuffer> handler, Transport transport, TlsOptions.Builder tls) {
        return servers.start(TestServers.local(handler, transport).tls(tls.build()));
    }

    private static SSLSocket connect(SSLContext context, int port) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(TestClient.TIMEOUT_MILLIS);
        return socket;
    }

    // ---- interoperability -------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void echoesRandomMessagesToJdkSslSockets(Transport transport) throws Exception {
        Connections echo = new Connections();
        Server server = start(echo, transport, certificates.serverOptions().provider(provider));
        long seed = System.nanoTime();
        try (SSLSocket a = connect(certificates.clientContext(), server.port());
                SSLSocket b = connect(certificates.clientContext(), server.port())) {
            CompletableFuture<Long> other = CompletableFuture.supplyAsync(() -> {
                try {
                    return EchoStream.run(b.getInputStream(), b.getOutputStream(), seed + 1, 1500, EchoStream::mixedSize);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            long bytes = EchoStream.run(a.getInputStream(), a.getOutputStream(), seed, 1500, EchoStream::mixedSize);
            assertTrue(other.get(30, TimeUnit.SECONDS) > 1500, "seed " + (seed + 1));
            assertTrue(bytes > 1500, "seed " + seed);
            assertEquals("TLSv1.3", a.getSession().getProtocol());
        }
        await("both connections closed", () -> echo.closed.size() == 2);
        assertEquals(0, server.stats().closedConnections(CloseReason.TLS_ERROR));
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void echoesRandomMessagesToOpensslSClient(Transport transport) throws Exception {
        assumeTrue(Files.isExecutable(OPENSSL), "/usr/bin/openssl is missing (apt-get install openssl)");
        Server server = start(new Connections(), transport, certificates.serverOptions().provider(provider));
        Path errors = Files.createTempFile("s_client", ".err");
        Process client = new ProcessBuilder(OPENSSL.toString(), "s_client", "-connect", "127.0.0.1:" + server.port(),
                "-servername", "localhost", "-CAfile", certificates.serverCertificatePem().toString(),
                "-verify_return_error", "-verify_ip", "127.0.0.1", "-quiet", "-nocommands")
                .redirectError(errors.toFile())
                .start();
        // Reads of a pipe cannot be interrupted: end the client if it hangs, so the read sees EOF.
        Thread watchdog = new Thread(() -> {
            try {
                if (!client.waitFor(45, TimeUnit.SECONDS)) {
                    client.destroyForcibly();
                }
            } catch (InterruptedException ignored) {
                // The test is over.
            }
        });
        watchdog.setDaemon(true);
        watchdog.start();
        long seed = System.nanoTime();
        try {
            long bytes = EchoStream.run(client.getInputStream(), client.getOutputStream(), seed, 2000,
                    (random) -> 1 + random.nextInt(4096));
            assertTrue(bytes > 2000);
        } catch (IOException | AssertionError e) {
            throw new AssertionError("s_client said: " + Files.readString(errors), e);
        } finally {
            client.destroyForcibly();
            watchdog.interrupt();
            Files.deleteIfExists(errors);
        }
        await("the s_client connection closed", () -> server.stats().activeConnections() == 0);
        assertEquals(0, server.stats().closedConnections(CloseReason.TLS_ERROR));
    }

    // ---- what the handler sees --------------------------------------------------------------

    @Test
    void showsProtocolCipherAlpnAndSniToTheHandler() throws Exception {
        Connections echo = new Connections();
        Server server = start(echo, Transport.AUTO, certificates.serverOptions().provider(provider).applicationProtocols("gev-echo", "h2"));
        try (SSLSocket socket = connect(certificates.clientContext(), server.port())) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2", "gev-echo"});
            parameters.setServerNames(List.of(new SNIHostName("localhost")));
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            TlsInfo tls = echo.next().tls();
            assertNotNull(tls);
            assertEquals("TLSv1.3", tls.protocol());
            assertEquals(socket.getSession().getCipherSuite(), tls.cipherSuite());
            assertEquals("gev-echo", tls.applicationProtocol(), "the server's preference wins");
            assertEquals("gev-echo", socket.getApplicationProtocol());
            assertEquals("localhost", tls.serverName());
            assertTrue(tls.peerCertificates().isEmpty());
            assertEquals(tls.protocol(), tls.session().getProtocol());
        }
    }

    @Test
    void plainConnectionsHaveNoTlsInfo() throws Exception {
        Connections echo = new Connections();
        Server server = servers.start(TestServers.local(echo, Transport.AUTO));
        try (TestClient client = TestClient.connect(server)) {
            assertNull(echo.next().tls());
        }
    }

    @Test
    void enablesOnlyTheConfiguredProtocols() throws Exception {
        Connections echo = new Connections();
        Server server = start(echo, Transport.AUTO, certificates.serverOptions().provider(provider).protocols("TLSv1.2"));
        try (SSLSocket socket = connect(certificates.clientContext(), server.port())) {
            socket.startHandshake();
            assertEquals("TLSv1.2", socket.getSession().getProtocol());
            assertEquals("TLSv1.2", echo.next().tls().protocol());
        }
        await("closed by the client's close_notify", () -> server.stats().closedConnections(CloseReason.PEER) == 1);
        try (LogCapture log = LogCapture.start(); SSLSocket socket = connect(certificates.clientContext(), server.port())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.3"});
            assertThrows(SSLException.class, socket::startHandshake);
            log.awaitLine("Closing Connection", "TLS handshake failed");
        }
    }

    // ---- client certificates ----------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void requiredClientAuthShowsThePeerCertificate(Transport transport) throws Exception {
        Connections echo = new Connections();
        Server server = start(echo, transport, certificates.serverOptions().provider(provider).clientAuth(TlsOptions.ClientAuth.NEED));
        try (SSLSocket socket = connect(certificates.clientContextWithCertificate(), server.port())) {
            socket.getOutputStream().write("who am I".getBytes(StandardCharsets.UTF_8));
            assertEquals("who am I", new String(socket.getInputStream().readNBytes(8), StandardCharsets.UTF_8));
            TlsInfo tls = echo.next().tls();
            assertEquals(1, tls.peerCertificates().size());
            assertEquals(certificates.clientCertificate(), tls.peerCertificates().get(0));
            assertEquals("CN=client", tls.peerCertificates().get(0).getSubjectX500Principal().getName());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void requiredClientAuthClosesOnlyClientsWithoutATrustedCertificate(Transport transport) throws Exception {
        Connections echo = new Connections();
        Server server = start(echo, transport, certificates.serverOptions().provider(provider).clientAuth(TlsOptions.ClientAuth.NEED));
        try (SSLSocket good = connect(certificates.clientContextWithCertificate(), server.port())) {
            good.startHandshake();
            echo.next();
            for (SSLContext bad : new SSLContext[] {certificates.strangerContext(), certificates.clientContext()}) {
                try (LogCapture log = LogCapture.start(); SSLSocket socket = connect(bad, server.port())) {
                    assertThrows(IOException.class, () -> {
                        socket.startHandshake();
                        // TLS 1.3 clients finish before the server checks their certificate.
                        socket.getOutputStream().write(1);
                        socket.getInputStream().read();
                    });
                    log.awaitLine("Closing Connection", "TLS handshake failed");
                }
            }
            assertEchoes(good);
        }
        assertEquals(2, server.stats().closedConnections(CloseReason.TLS_ERROR));
        assertTrue(echo.connected.isEmpty(), "the handler heard of a connection that failed its handshake");
    }

    @Test
    void optionalClientAuthAcceptsClientsWithoutCertificate() throws Exception {
        Connections echo = new Connections();
        Server server = start(echo, Transport.AUTO, certificates.serverOptions().provider(provider).clientAuth(TlsOptions.ClientAuth.WANT));
        try (SSLSocket anonymous = connect(certificates.clientContext(), server.port());
                SSLSocket known = connect(certificates.clientContextWithCertificate(), server.port())) {
            assertEchoes(anonymous);
            assertTrue(echo.next().tls().peerCertificates().isEmpty());
            assertEchoes(known);
            assertEquals(certificates.clientCertificate(), echo.next().tls().peerCertificates().get(0));
        }
    }

    // ---- bad input --------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void plaintextOnTheTlsPortClosesOnlyThatConnection(Transport transport) throws Exception {
        Connections echo = new Connections();
        Server server = start(echo, transport, certificates.serverOptions().provider(provider));
        try (SSLSocket good = connect(certificates.clientContext(), server.port());
                LogCapture log = LogCapture.start();
                TestClient plain = TestClient.connect(server)) {
            good.startHandshake();
            plain.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertTrue(plain.awaitClosed(), "the server kept a plaintext client");
            log.awaitLine("Closing Connection", "TLS handshake failed");
            assertEchoes(good);
        }
        assertEquals(1, server.stats().closedConnections(CloseReason.TLS_ERROR));
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void truncatedHandshakeClosesOnlyThatConnection(Transport transport) throws Exception {
        Connections echo = new Connections();
        Server server = start(echo, transport, certificates.serverOptions().provider(provider));
        byte[] hello = TlsTestClient.clientHello(certificates.clientContext());
        try (SSLSocket good = connect(certificates.clientContext(), server.port());
                LogCapture log = LogCapture.start();
                TestClient truncated = TestClient.connect(server)) {
            good.startHandshake();
            truncated.write(Arrays.copyOf(hello, hello.length / 2));
            truncated.shutdownOutput();
            assertTrue(truncated.awaitClosed());
            log.awaitLine("Closing Connection", "closed the connection during the TLS handshake");
            assertEchoes(good);
        }
        assertEquals(1, server.stats().closedConnections(CloseReason.TLS_ERROR));
        assertEquals(1, echo.connected.size(), "only the good connection reached the handler");
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void handshakeTimeoutClosesClientsThatNeverFinish(Transport transport) throws Exception {
        Connections echo = new Connections();
        Server server = start(echo, transport, certificates.serverOptions().provider(provider).handshakeTimeout(Duration.ofMillis(300)));
        byte[] hello = TlsTestClient.clientHello(certificates.clientContext());
        try (SSLSocket good = connect(certificates.clientContext(), server.port())) {
            good.startHandshake();
            echo.next();
            try (LogCapture log = LogCapture.start();
                    TestClient silent = TestClient.connect(server);
                    TestClient stuck = TestClient.connect(server)) {
                stuck.write(Arrays.copyOf(hello, 10));
                assertTrue(silent.awaitClosed());
                assertTrue(stuck.awaitClosed());
                log.awaitLine("Closing Connection", "TLS handshake not completed within PT0.3S (the client sent nothing)");
                log.awaitLine("Closing Connection", "TLS handshake not completed within PT0.3S");
            }
            // The completed handshake cancelled its timeout: the connection outlives it.
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(600);
            while (System.nanoTime() < deadline) {
                assertEchoes(good);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
        await("timed-out connections counted", () -> server.stats().closedConnections(CloseReason.TLS_ERROR) == 2);
    }

    @Test
    void refusesRenegotiation() throws Exception {
        Connections echo = new Connections();
        Server server = start(echo, Transport.AUTO, certificates.serverOptions().provider(provider).protocols("TLSv1.2"));
        try (LogCapture log = LogCapture.start(); SSLSocket socket = connect(certificates.clientContext(), server.port())) {
            assertEchoes(socket);
            assertThrows(IOException.class, () -> {
                socket.startHandshake();
                socket.getOutputStream().write(1);
                socket.getInputStream().read();
            });
            log.awaitLine("Closing Connection", "renegotiation refused");
        }
        await("closed", () -> server.stats().closedConnections(CloseReason.TLS_ERROR) == 1);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void answersTls13KeyUpdates(Transport transport) throws Exception {
        Server server = start(new Connections(), transport, certificates.serverOptions().provider(provider));
        try (SSLSocket socket = connect(certificates.clientContext(), server.port())) {
            assertEchoes(socket);
            for (int i = 0; i < 3; i++) {
                socket.startHandshake(); // TLS 1.3: a KeyUpdate asking the server to update too
                assertEchoes(socket);
            }
        }
        assertEquals(0, server.stats().closedConnections(CloseReason.TLS_ERROR));
    }

    // ---- closing ----------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void closeSendsCloseNotifyAfterTheReply(Transport transport) throws Exception {
        Handler<ByteBuffer> bye = (connection, context, payload) -> {
            connection.send("bye", (c, failure) -> c.close());
            return null;
        };
        Server server = start(bye, transport, certificates.serverOptions().provider(provider));
        try (TlsTestClient client = TlsTestClient.connect(server.port(), certificates.clientContext())) {
            client.write("hello".getBytes(StandardCharsets.UTF_8));
            assertEquals("bye", new String(client.readExactly(3), StandardCharsets.UTF_8));
            client.awaitCloseNotify();
            assertTrue(client.awaitTcpClosed());
        }
        await("closed", () -> server.stats().closedConnections(CloseReason.LOCAL) == 1);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void peerCloseNotifyEndsTheStreamAfterEveryReplyIsOut(Transport transport) throws Exception {
        Connections echo = new Connections();
        Server server = start(echo, transport, certificates.serverOptions().provider(provider));
        byte[] request = new byte[3 * 1024 * 1024];
        new Random(7).nextBytes(request);
        try (TlsTestClient client = TlsTestClient.connect(server.port(), certificates.clientContext())) {
            CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> {
                try {
                    if (provider == TlsOptions.Provider.OPENSSL) {
                        return client.readToCloseNotify();
                    }
                    byte[] bytes = client.readExactly(request.length);
                    client.awaitCloseNotify();
                    return bytes;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            client.write(request);
            client.sendCloseNotify();
            byte[] got = echoed.get(30, TimeUnit.SECONDS);
            if (provider == TlsOptions.Provider.OPENSSL) {
                // OpenSSL's engine closes both directions on the peer's close_notify, as TLS 1.2
                // does: what was echoed before it arrived is delivered, whole, then close_notify.
                assertTrue(got.length <= request.length, got.length + " bytes echoed");
                assertArrayEquals(Arrays.copyOf(request, got.length), got);
            } else {
                assertArrayEquals(request, got);
            }
            assertTrue(client.awaitTcpClosed());
        }
        await("closed by the peer", () -> server.stats().closedConnections(CloseReason.PEER) == 1);
        await("the handler told of the close", () -> echo.closed.size() == 1);
        assertEquals(0, server.stats().closedConnections(CloseReason.TLS_ERROR));
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void shutdownWriteSendsCloseNotifyAndKeepsReading(Transport transport) throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        Handler<ByteBuffer> halfClose = new Handler<ByteBuffer>() {
            @Override
            public void onConnect(Connection connection) {
                connection.send("last words");
                connection.shutdownWrite();
            }

            @Override
            public Object onMessage(Connection connection, Object context, ByteBuffer payload) {
                received.add(StandardCharsets.UTF_8.decode(payload).toString());
                return null;
            }
        };
        Server server = start(halfClose, transport, certificates.serverOptions().provider(provider));
        try (TlsTestClient client = TlsTestClient.connect(server.port(), certificates.clientContext())) {
            assertEquals("last words", new String(client.readExactly(10), StandardCharsets.UTF_8));
            client.awaitCloseNotify();
            assertTrue(client.awaitTcpClosed(), "FIN after close_notify");
            client.write("still listening?".getBytes(StandardCharsets.UTF_8));
            assertEquals("still listening?", received.poll(10, TimeUnit.SECONDS));
        }
    }

    // ---- cost -------------------------------------------------------------------------------

    /**
     * What the loop thread allocates per echoed message over TLS. The JDK's engine allocates a
     * result per call and some objects per record; gev's own buffers are reused, so the figure
     * stays flat however many messages go around. Printed, and bounded to catch a regression.
     */
    @Test
    void steadyStateEchoAllocationPerMessage() throws Exception {
        Server server = servers.start(TestServers.local((c, ctx, p) -> p, Transport.EPOLL).loops(1)
                .tls(certificates.serverOptions().provider(provider).build()));
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                SSLSocket socket = connect(certificates.clientContext(), server.port());
                socket.setTcpNoDelay(true);
                socket.startHandshake();
                sockets.add(socket);
            }
            await("handshakes done", () -> server.stats().activeConnections() == 10);
            byte[] small = new byte[64];
            byte[] medium = new byte[4096];
            new Random(1).nextBytes(small);
            new Random(2).nextBytes(medium);
            byte[][] messages = {small, medium};
            PingPong.run(sockets, 2, 20_000, messages, messages);
            LoopAllocations allocations = LoopAllocations.of(server.loops().get(0));
            long before = allocations.bytes();
            long measured = PingPong.run(sockets, 2, 40_000, messages, messages);
            double perMessage = (double) (allocations.bytes() - before) / measured;
            System.out.printf("steadyStateEchoAllocationPerMessage: TLS echo allocates %.0f bytes per message "
                    + "on the loop thread (%d messages of 64 B and 4 KiB)%n", perMessage, measured);
            // The JDK's: about 1.3 KB per record and direction, all of it inside the JDK (GCM state,
            // IVs, results). OpenSSL's: tens of bytes (its SSLEngineResult objects).
            long bound = provider == TlsOptions.Provider.OPENSSL ? 256 : 4096;
            assertTrue(perMessage < bound, "TLS echo allocates " + perMessage + " bytes per message on " + provider);
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static void assertEchoes(SSLSocket socket) throws IOException {
        byte[] ping = "ping".getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        out.write(ping);
        out.flush();
        assertArrayEquals(ping, in.readNBytes(ping.length));
    }
}
