package io.gev;

import io.gev.embedded.EmbeddedConnection;
import io.gev.embedded.EmbeddedServer;
import io.gev.embedded.EmbeddedTlsClient;
import io.gev.embedded.Segmentation;
import io.gev.embedded.WriteAcceptance;
import io.gev.testing.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gev's TLS layer under its real connections, over embedded sockets: what real sockets cannot pin
 * down, such as which bytes the socket has taken when the peer's close_notify arrives.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(value = TlsOptions.Provider.class, names = {"JDK", "OPENSSL"})
class EmbeddedTlsTest {

    /** Every test runs on both engines. */
    @Parameter
    TlsOptions.Provider provider;

    private static final Handler<ByteBuffer> ECHO = (c, ctx, payload) -> payload;

    private final TestCertificates certificates = TestCertificates.get();
    private final SSLContext client = certificates.clientContext();

    private EmbeddedServer start() {
        return EmbeddedServer.start(Server.builder(ECHO).tls(certificates.serverOptions().provider(provider).build()));
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

    /**
     * TLS 1.3 closes each direction on its own: replies queued when the client's close_notify
     * comes still go out, on the JDK's engine; OpenSSL's closes both, as in TLS 1.2.
     */
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
            if (provider == TlsOptions.Provider.OPENSSL) {
                // OpenSSL's engine closes both directions on the peer's close_notify, as TLS 1.2
                // does: the echo encrypted before it is delivered, the one still queued is not.
                assertArrayEquals("first".getBytes(StandardCharsets.US_ASCII), tls.received());
                assertEquals(0, server.stats().closedConnections(CloseReason.TLS_ERROR));
            } else {
                assertArrayEquals("firstsecond".getBytes(StandardCharsets.US_ASCII), tls.received());
            }
            assertTrue(tls.inboundDone());
        }
    }

    /** A handshake not complete within the timeout fails then, not a nanosecond earlier; one complete in time stays. */
    @Test
    void theHandshakeTimeoutClosesAnIncompleteHandshakeOnlyWhenItPasses() throws Exception {
        Duration timeout = Duration.ofSeconds(5);
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(ECHO)
                .tls(certificates.serverOptions().provider(provider).handshakeTimeout(timeout).build()))) {
            EmbeddedConnection stalled = server.connect();
            stalled.receive(new byte[] {0x16, 0x03, 0x01}); // the start of a ClientHello record
            EmbeddedTlsClient done = EmbeddedTlsClient.connect(server, client);
            server.advanceTime(timeout.minusNanos(1));
            assertTrue(stalled.isOpen(), "closed before the handshake timeout");
            server.advanceTime(Duration.ofNanos(1));
            assertFalse(stalled.isOpen());
            assertEquals(CloseReason.TLS_ERROR, stalled.closeReason());
            assertInstanceOf(SSLException.class, stalled.closeCause());
            String cause = stalled.closeCause().getMessage();
            assertTrue(cause.contains("not completed within"), cause);
            assertTrue(done.connection().isOpen(), "a connection past its handshake outlives the timeout");
            done.send("still here".getBytes(StandardCharsets.US_ASCII), Segmentation.whole());
            assertArrayEquals("still here".getBytes(StandardCharsets.US_ASCII), done.received());
        }
    }

    @Test
    void plaintextOnATlsPortClosesWithTheEnginesFailureAsItsCause() {
        try (EmbeddedServer server = start()) {
            EmbeddedConnection c = server.connect();
            byte[] http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            c.receive(http, Segmentation.byteByByte());
            assertEquals(CloseReason.TLS_ERROR, c.closeReason());
            assertInstanceOf(SSLException.class, c.closeCause());
        }
    }

    /**
     * A closed connection whose socket has not taken its last records lingers to deliver them, for
     * at most the linger time: a peer that reads in time gets them and the close_notify; the
     * socket of one that does not closes when the time is up, not earlier.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aClosedConnectionLingersToDeliverItsLastRecordsForAtMostTheLingerTime(boolean peerReads) throws Exception {
        byte[] request = "last words".getBytes(StandardCharsets.US_ASCII);
        try (EmbeddedServer server = start()) {
            EmbeddedTlsClient tls = EmbeddedTlsClient.connect(server, client);
            EmbeddedConnection c = tls.connection().acceptWrites(WriteAcceptance.none());
            tls.send(request, Segmentation.whole());
            c.connection().close();
            assertFalse(c.isOpen());
            assertEquals(CloseReason.LOCAL, c.closeReason());
            assertFalse(c.socketClosed(), "the socket lingers with the echo not delivered");
            if (peerReads) {
                c.acceptWrites(WriteAcceptance.atMost(7)).flush();
                assertTrue(c.socketClosed());
                assertArrayEquals(request, tls.received(), "the echo, encrypted before the close");
                assertTrue(tls.inboundDone(), "then close_notify");
            } else {
                server.advanceTime(Duration.ofSeconds(3).minusNanos(1));
                assertFalse(c.socketClosed(), "closed before the linger time");
                server.advanceTime(Duration.ofNanos(1));
                assertTrue(c.socketClosed(), "still open after the linger time");
                assertEquals(0, c.sentLength());
            }
        }
    }
}
