package io.gev;

import io.gev.embedded.EmbeddedConnection;
import io.gev.embedded.EmbeddedServer;
import io.gev.embedded.EmbeddedTlsClient;
import io.gev.embedded.Segmentation;
import io.gev.embedded.WriteAcceptance;
import io.gev.testing.TestCertificates;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gev's TLS layer under its real connections, over embedded sockets: what real sockets cannot pin
 * down, such as which bytes the socket has taken when the peer's close_notify arrives.
 */
class EmbeddedTlsTest {

    private static final Handler ECHO = (c, ctx, payload) -> payload;

    private final TestCertificates certificates = TestCertificates.get();
    private final SSLContext client = certificates.clientContext();

    private EmbeddedServer start() {
        return EmbeddedServer.start(Server.builder(ECHO).tls(certificates.serverOptions().build()));
    }

    /**
     * A TLS 1.2 close_notify closes both directions: RFC 5246 (7.2.1) has the receiver answer with
     * its own and discard what it had still to write. Replies still queued then are not a TLS
     * failure: the connection closes as the peer closed it.
     */
    @Test
    void aTls12ClientsCloseNotifyWithRepliesQueuedClosesAsThePeerClosedNotAsATlsError() throws Exception {
        byte[] first = "first".getBytes(StandardCharsets.US_ASCII);
        try (EmbeddedServer server = start()) {
            EmbeddedTlsClient tls = EmbeddedTlsClient.open(server, client, "TLSv1.2");
            tls.handshake(Segmentation.whole(), new byte[0]);
            EmbeddedConnection c = tls.connection().acceptWrites(WriteAcceptance.none());
            // The first echo is encrypted and waits in the TLS layer; the second waits in the connection.
            tls.send(first, Segmentation.whole());
            tls.send("second".getBytes(StandardCharsets.US_ASCII), Segmentation.whole());
            assertTrue(c.connection().writeBufferLength() > 0, "the second echo is queued in the connection");
            tls.closeOutbound();
            c.acceptWrites(WriteAcceptance.all()).flush();
            assertFalse(c.isOpen());
            assertEquals(CloseReason.PEER, c.closeReason(), "closed for " + c.closeCause());
            assertEquals(0, server.stats().closedConnections(CloseReason.TLS_ERROR));
            assertArrayEquals(first, tls.received(), "what was encrypted before the close_notify is delivered");
            assertTrue(tls.inboundDone(), "the server answered with its close_notify");
            assertTrue(c.socketClosed());
        }
    }

    /** TLS 1.3 closes each direction on its own: replies queued when the client's close_notify comes still go out. */
    @Test
    void aTls13ClientsCloseNotifyStillGetsTheRepliesQueued() throws Exception {
        try (EmbeddedServer server = start()) {
            EmbeddedTlsClient tls = EmbeddedTlsClient.open(server, client, "TLSv1.3");
            tls.handshake(Segmentation.whole(), new byte[0]);
            EmbeddedConnection c = tls.connection().acceptWrites(WriteAcceptance.none());
            tls.send("first".getBytes(StandardCharsets.US_ASCII), Segmentation.whole());
            tls.send("second".getBytes(StandardCharsets.US_ASCII), Segmentation.whole());
            assertTrue(c.connection().writeBufferLength() > 0, "the second echo is queued in the connection");
            tls.closeOutbound();
            c.acceptWrites(WriteAcceptance.all()).flush();
            assertEquals(CloseReason.PEER, c.closeReason(), "closed for " + c.closeCause());
            assertArrayEquals("firstsecond".getBytes(StandardCharsets.US_ASCII), tls.received());
            assertTrue(tls.inboundDone());
        }
    }
}
