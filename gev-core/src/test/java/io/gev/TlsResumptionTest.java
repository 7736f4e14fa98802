package io.gev;

import io.gev.loop.Transport;
import io.gev.testing.Connections;
import io.gev.testing.TestCertificates;
import io.gev.testing.TestServers;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Session resumption as a client nobody here wrote sees it: OpenSSL's {@code s_client} saves the
 * session of a first connection ({@code -sess_out}) and offers it on the next ones
 * ({@code -sess_in}), printing "New" or "Reused" for each.
 */
@Timeout(60)
@ParameterizedClass(name = "{0}")
@EnumSource(value = TlsOptions.Provider.class, names = {"JDK", "OPENSSL"})
class TlsResumptionTest {

    static final Path OPENSSL = Path.of("/usr/bin/openssl");

    @Parameter
    TlsOptions.Provider provider;

    @RegisterExtension
    final TestServers servers = new TestServers();

    private final TestCertificates certificates = TestCertificates.get();

    @ParameterizedTest
    @ValueSource(strings = {"-tls1_2", "-tls1_3"})
    void aReconnectingClientResumesItsSessionByDefault(String version) throws Exception {
        Server server = servers.start(TestServers.local(new Connections(), Transport.AUTO)
                .tls(certificates.serverOptions().provider(provider).build()));
        Path session = Files.createTempFile("s_client", ".session");
        try {
            assertEquals("New", connect(server.port(), version, "-sess_out", session.toString()));
            for (int i = 0; i < 3; i++) {
                assertEquals("Reused", connect(server.port(), version, "-sess_in", session.toString()),
                        "reconnection " + (i + 1));
            }
        } finally {
            Files.deleteIfExists(session);
        }
        assertEquals(0, server.stats().closedConnections(CloseReason.TLS_ERROR));
    }

    /**
     * One s_client connection to {@code port} that sends a line and waits for its echo (so that a
     * TLS 1.3 ticket, which comes after the handshake, is in before it quits).
     *
     * @return "New" or "Reused", as s_client reports the session
     */
    static String connect(int port, String... options) throws Exception {
        assumeTrue(Files.isExecutable(OPENSSL), "/usr/bin/openssl is missing (apt-get install openssl)");
        List<String> command = new ArrayList<>(List.of(OPENSSL.toString(), "s_client", "-connect",
                "127.0.0.1:" + port, "-servername", "localhost", "-CAfile",
                TestCertificates.get().serverCertificatePem().toString(), "-verify_return_error"));
        command.addAll(List.of(options));
        Process client = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuilder said = new StringBuilder();
        String session = null;
        // Reads of a pipe cannot be interrupted: end the client if it hangs, so the read sees EOF.
        Thread watchdog = new Thread(() -> {
            try {
                if (!client.waitFor(30, TimeUnit.SECONDS)) {
                    client.destroyForcibly();
                }
            } catch (InterruptedException ignored) {
                // The test is over.
            }
        });
        watchdog.setDaemon(true);
        watchdog.start();
        try (OutputStream in = client.getOutputStream();
                BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(),
                        StandardCharsets.UTF_8))) {
            in.write("resume-me\n".getBytes(StandardCharsets.US_ASCII));
            in.flush();
            String line;
            while ((line = out.readLine()) != null) {
                said.append(line).append('\n');
                if (line.startsWith("New, ") || line.startsWith("Reused, ")) {
                    session = line.substring(0, line.indexOf(','));
                }
                if (line.equals("resume-me")) {
                    break; // The echo: the ticket came before it.
                }
            }
        } finally {
            client.waitFor(10, TimeUnit.SECONDS);
            client.destroyForcibly();
            watchdog.interrupt();
        }
        assertTrue(session != null && said.indexOf("\nresume-me\n") >= 0, "s_client said:\n" + said);
        return session;
    }
}
