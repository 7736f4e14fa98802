package io.gev;

import io.gev.loop.Transport;
import io.gev.testing.Connections;
import io.gev.testing.TestCertificates;
import io.gev.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * OpenSSL's ticket keys rotated by gev: a ticket opens for the period it was issued in and the
 * next, and no longer. The rotation happens as connections come, so the test moves time on by
 * waiting out the period between connections.
 */
@Timeout(60)
class TlsTicketKeyRotationTest {

    @RegisterExtension
    final TestServers servers = new TestServers();

    @Test
    void aTicketResumesUntilItsKeyIsRotatedOutTwoPeriodsLater() throws Exception {
        // Long enough that the first two connections fall in the first period even on a loaded machine.
        Duration period = Duration.ofSeconds(3);
        Server server = servers.start(TestServers.local(new Connections(), Transport.AUTO)
                .tls(TestCertificates.get().serverOptions().provider(TlsOptions.Provider.OPENSSL)
                        .ticketKeyRotation(period).build()));
        Path session = Files.createTempFile("s_client", ".session");
        try {
            assertEquals("New", TlsResumptionTest.connect(server.port(), "-tls1_3", "-sess_out", session.toString()));
            assertEquals("Reused", TlsResumptionTest.connect(server.port(), "-tls1_3", "-sess_in", session.toString()),
                    "within the period of its key");
            Thread.sleep(period.toMillis() + 200); // The test's clock, not a loop's.
            assertEquals("Reused", TlsResumptionTest.connect(server.port(), "-tls1_3", "-sess_in", session.toString()),
                    "one rotation later the previous key still opens it");
            Thread.sleep(period.toMillis() + 200);
            assertEquals("New", TlsResumptionTest.connect(server.port(), "-tls1_3", "-sess_in", session.toString()),
                    "two rotations later its key is gone");
        } finally {
            Files.deleteIfExists(session);
        }
    }
}
