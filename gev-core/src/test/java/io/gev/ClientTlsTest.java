package io.gev;

import io.gev.loop.Transport;
import io.gev.protocol.LineProtocol;
import io.gev.testing.TestCertificates;
import io.gev.testing.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLHandshakeException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The TLS client against {@code openssl s_server} (a valid certificate, a host name it does not
 * name, an issuer not trusted, mutual TLS, ALPN) and against gev's own TLS server, on both engines.
 */
@Timeout(60)
@ParameterizedClass(name = "{0}")
@EnumSource(value = TlsOptions.Provider.class, names = {"JDK", "OPENSSL"})
class ClientTlsTest {

    @Parameter
    TlsOptions.Provider provider;

    private static final Path OPENSSL = Path.of("/usr/bin/openssl");

    private final TestCertificates certificates = TestCertificates.get();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private Client client(TlsOptions tls, ClientTest.Lines lines) {
        Client client = Client.builder(LineProtocol.builder().build(), lines).tls(tls)
                .shutdownTimeout(Duration.ofSeconds(2)).build();
        resources.add(client);
        return client;
    }

    /** {@code openssl s_server -rev}, which sends each line back reversed, with the server's certificate. */
    private SServer sServer(String... extra) throws IOException {
        assumeTrue(Files.isExecutable(OPENSSL), "/usr/bin/openssl is missing (apt-get install openssl)");
        List<String> command = new ArrayList<>(List.of(OPENSSL.toString(), "s_server", "-accept", "0", "-rev",
                "-cert", certificates.serverCertificatePem().toString(),
                "-key", certificates.serverKeyPem().toString()));
        command.addAll(List.of(extra));
        SServer server = new SServer(new ProcessBuilder(command).redirectErrorStream(true).start());
        resources.add(server);
        return server;
    }

    /** An {@code s_server} that requires the client's certificate. */
    private SServer requiringClientCertificates() throws IOException {
        return sServer("-Verify", "1", "-verify_return_error", "-CAfile", certificates.clientCertificatePem().toString());
    }

    private static <T> T failure(CompletableFuture<?> future, Class<T> type) throws InterruptedException {
        try {
            future.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return assertInstanceOf(type, e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("the connect neither completed nor failed", e);
        }
        throw new AssertionError("the connect succeeded");
    }

    @Test
    void talksToOpensslWithAValidCertificate() throws Exception {
        SServer server = sServer();
        ClientTest.Lines lines = new ClientTest.Lines();
        Client client = client(certificates.clientOptions("server", false, provider).build(), lines);
        Connection connection = client.connect("localhost", server.port).get(20, TimeUnit.SECONDS);
        assertNotNull(connection.tls(), "no TLS session");
        assertTrue(connection.tls().protocol().startsWith("TLSv1."), connection.tls().protocol());
        connection.send("hello, openssl");
        assertEquals("lssnepo ,olleh", lines.next());
        connection.send("x".repeat(10_000));
        assertEquals("x".repeat(10_000), lines.next());
    }

    @Test
    void aCertificateThatDoesNotNameTheHostFailsTheHandshake() throws Exception {
        SServer server = sServer();
        Client client = client(certificates.clientOptions("server", false, provider).build(), new ClientTest.Lines());
        // The certificate names localhost and 127.0.0.1; this host name resolves to 127.0.0.1.
        InetSocketAddress wrong = new InetSocketAddress(InetAddress.getByAddress("gev-wrong-host.test",
                new byte[] {127, 0, 0, 1}), server.port);
        SSLHandshakeException e = failure(client.connect(wrong), SSLHandshakeException.class);
        assertTrue(e.getMessage().contains("gev-wrong-host.test:" + server.port), e.getMessage());
        assertEquals(1, client.stats().closedConnections(CloseReason.TLS_ERROR));
    }

    @Test
    void withoutHostNameVerificationTheWrongHostIsAccepted() throws Exception {
        SServer server = sServer();
        ClientTest.Lines lines = new ClientTest.Lines();
        Client client = client(certificates.clientOptions("server", false, provider).hostnameVerification(false).build(),
                lines);
        InetSocketAddress wrong = new InetSocketAddress(InetAddress.getByAddress("gev-wrong-host.test",
                new byte[] {127, 0, 0, 1}), server.port);
        Connection connection = client.connect(wrong).get(20, TimeUnit.SECONDS);
        connection.send("abc");
        assertEquals("cba", lines.next());
    }

    @Test
    void anUntrustedIssuerFailsTheHandshake() throws Exception {
        SServer server = sServer();
        Client client = client(certificates.clientOptions("stranger", false, provider).build(), new ClientTest.Lines());
        SSLHandshakeException e = failure(client.connect("localhost", server.port), SSLHandshakeException.class);
        assertTrue(e.getMessage().contains("localhost:" + server.port), e.getMessage());
    }

    @Test
    void showsItsCertificateToAServerThatRequiresOne() throws Exception {
        SServer server = requiringClientCertificates();
        ClientTest.Lines lines = new ClientTest.Lines();
        Client client = client(certificates.clientOptions("server", true, provider).build(), lines);
        Connection connection = client.connect("localhost", server.port).get(20, TimeUnit.SECONDS);
        connection.send("mutual");
        assertEquals("lautum", lines.next());
    }

    @Test
    void withoutACertificateAServerThatRequiresOneRefusesIt() throws Exception {
        SServer server = requiringClientCertificates();
        ClientTest.Lines lines = new ClientTest.Lines();
        Client client = client(certificates.clientOptions("server", false, provider).build(), lines);
        CompletableFuture<Connection> future = client.connect("localhost", server.port);
        // Under TLS 1.3 the client's handshake ends before the server checks its certificate: the
        // refusal may come as a failed connect or as the first thing the open connection reads.
        try {
            Connection connection = future.get(20, TimeUnit.SECONDS);
            connection.send("anyone?");
            assertEquals(connection, lines.closed.poll(20, TimeUnit.SECONDS), "the server kept the connection");
            assertTrue(lines.received.isEmpty(), "the server answered: " + lines.received);
        } catch (ExecutionException e) {
            assertInstanceOf(SSLHandshakeException.class, e.getCause());
        }
        assertEquals(1, client.stats().closedConnections(CloseReason.TLS_ERROR));
    }

    @Test
    void negotiatesAlpnWithOpenssl() throws Exception {
        SServer server = sServer("-alpn", "gev-echo");
        Client client = client(certificates.clientOptions("server", false, provider)
                .applicationProtocols("h2", "gev-echo").build(), new ClientTest.Lines());
        Connection connection = client.connect("localhost", server.port).get(20, TimeUnit.SECONDS);
        assertEquals("gev-echo", connection.tls().applicationProtocol());
    }

    @Test
    void talksToGevsOwnTlsServer() throws Exception {
        Server server = TestServers.local(LineProtocol.builder().build(), (c, ctx, line) -> line, Transport.AUTO)
                .tls(certificates.serverOptions().provider(provider).build()).build();
        resources.add(server);
        server.start();
        ClientTest.Lines lines = new ClientTest.Lines();
        Client client = client(certificates.clientOptions("server", true, provider).build(), lines);
        Connection connection = client.connect("localhost", server.port()).get(20, TimeUnit.SECONDS);
        for (int i = 0; i < 200; i++) {
            connection.send("message " + i);
        }
        for (int i = 0; i < 200; i++) {
            assertEquals("message " + i, lines.next());
        }
        assertEquals(1, server.stats().tlsHandshakes());
        connection.close();
        assertEquals(connection, lines.closed.poll(20, TimeUnit.SECONDS));
    }

    /** A running {@code openssl s_server}, its port read from its first line. */
    static final class SServer implements AutoCloseable {
        final Process process;
        final int port;

        SServer(Process process) throws IOException {
            this.process = process;
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.US_ASCII));
            StringBuilder said = new StringBuilder();
            int found = -1;
            String line;
            while (found < 0 && (line = out.readLine()) != null) {
                said.append(line).append('\n');
                if (line.startsWith("ACCEPT ")) {
                    found = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1).trim());
                }
            }
            if (found < 0) {
                process.destroyForcibly();
                throw new IOException("s_server did not start: " + said);
            }
            this.port = found;
            // Keep reading, so s_server never blocks on a full pipe.
            Thread drain = new Thread(() -> {
                try {
                    out.transferTo(java.io.Writer.nullWriter());
                } catch (IOException ignored) {
                    // It ended.
                }
            }, "s_server-output");
            drain.setDaemon(true);
            drain.start();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
