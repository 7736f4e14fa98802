package io.gev.internal.engine;

import io.gev.CloseReason;
import io.gev.Connection;
import io.gev.Handler;
import io.gev.Server;
import io.gev.TlsOptions;
import io.gev.buffer.RingBuffer;
import io.gev.embedded.EmbeddedConnection;
import io.gev.embedded.EmbeddedServer;
import io.gev.embedded.EmbeddedTlsClient;
import io.gev.embedded.WriteAcceptance;
import io.gev.protocol.Frame;
import io.gev.protocol.Protocol;
import io.gev.protocol.ProtocolException;
import io.gev.testing.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every way a connection ends goes through its one close: each reason reaches the handler's and
 * the protocol's {@code onClose} exactly once, is counted once, fails the sends still waiting and
 * gives every buffer back (the pool throws in tests on a second release). Calls after the close
 * change nothing.
 */
class ClosePathTest {

    /** Queued while the socket takes nothing, so that a close has bytes and callbacks to drop. */
    private static final byte[] QUEUED = new byte[5000];

    private final Counts counts = new Counts();
    private final Handler<ByteBuffer> handler = new CountingHandler(counts);
    private final Protocol<ByteBuffer> protocol = new CountingProtocol(counts);

    @Test
    void thePeersEndOfStreamWithNothingQueued() {
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(protocol, handler))) {
            EmbeddedConnection c = server.connect();
            c.receive("hello\n".getBytes());
            c.receiveEnd();
            assertEquals("hello", new String(c.takeSent(), StandardCharsets.US_ASCII));
            assertClosedOnce(server, c, CloseReason.PEER);
        }
    }

    @Test
    void thePeersEndOfStreamAfterTheQueuedBytesDrained() {
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(protocol, handler))) {
            EmbeddedConnection c = server.connect().acceptWrites(WriteAcceptance.none());
            List<Throwable> sent = new ArrayList<>();
            c.connection().send(QUEUED, (conn, failure) -> sent.add(failure));
            c.receiveEnd();
            assertTrue(c.isOpen(), "draining what is queued");
            assertFalse(c.isReading());
            assertEquals(0, counts.handlerCloses);
            c.connection().send("late".getBytes(), (conn, failure) -> sent.add(failure));
            assertInstanceOf(ClosedChannelException.class, sent.get(0), "no sends while draining");
            c.acceptWrites(WriteAcceptance.all()).writable();
            assertEquals(QUEUED.length, c.takeSent().length);
            assertEquals(2, sent.size());
            assertNull(sent.get(1), "the queued bytes were written");
            assertClosedOnce(server, c, CloseReason.PEER);
        }
    }

    @Test
    void aHalfCloseSendsFinAfterTheQueuedBytesAndReadsOnUntilThePeerEnds() {
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(protocol, handler))) {
            EmbeddedConnection c = server.connect().acceptWrites(WriteAcceptance.none());
            List<Throwable> sent = new ArrayList<>();
            c.connection().send(QUEUED, (conn, failure) -> sent.add(failure));
            c.connection().shutdownWrite();
            assertFalse(c.outputShutdown(), "FIN waits for the queued bytes");
            c.connection().send("late".getBytes(), (conn, failure) -> sent.add(failure));
            assertInstanceOf(ClosedChannelException.class, sent.get(0), "no sends after shutdownWrite");
            c.acceptWrites(WriteAcceptance.all()).writable();
            assertEquals(QUEUED.length, c.takeSent().length);
            assertNull(sent.get(1));
            assertTrue(c.outputShutdown());
            c.receive("still there\n".getBytes());
            assertTrue(c.isOpen());
            assertTrue(c.isReading(), "a half-closed connection reads on");
            assertEquals(0, c.takeSent().length, "its echo is refused: the output is shut");
            c.receiveEnd();
            assertClosedOnce(server, c, CloseReason.PEER);
        }
    }

    @Test
    void aLocalClose() {
        assertClosesOnce(Server.builder(protocol, handler), CloseReason.LOCAL, c -> c.connection().close());
    }

    @Test
    void aFailedRead() {
        assertClosesOnce(Server.builder(protocol, handler), CloseReason.IO_ERROR,
                c -> c.failReads(new IOException("Connection reset by peer")));
    }

    @Test
    void aFailedWrite() {
        assertClosesOnce(Server.builder(protocol, handler), CloseReason.IO_ERROR, c -> {
            c.failWrites(new IOException("Broken pipe"));
            c.acceptWrites(WriteAcceptance.all()).writable();
        });
    }

    @Test
    void aHandlerThatThrows() {
        assertClosesOnce(Server.builder(protocol, handler), CloseReason.HANDLER_ERROR, c -> c.receive("throw\n".getBytes()));
    }

    @Test
    void aProtocolError() {
        assertClosesOnce(Server.builder(protocol, handler), CloseReason.PROTOCOL_ERROR, c -> c.receive("bad\n".getBytes()));
    }

    @Test
    void theReadBufferLimit() {
        assertClosesOnce(Server.builder(protocol, handler).readBufferLimit(100), CloseReason.READ_LIMIT,
                c -> c.receive(new byte[101]));
    }

    @Test
    void theWriteBufferLimit() {
        Server.Builder limited = Server.builder(protocol, handler).writeBufferLowWaterMark(1000)
                .writeBufferHighWaterMark(4000).writeBufferLimit(QUEUED.length + 10);
        assertClosesOnce(limited, CloseReason.WRITE_LIMIT, c -> {
            c.connection().send(new byte[10]);
            assertTrue(c.isOpen(), "at the limit");
            c.connection().send(new byte[1]);
        });
    }

    @Test
    void anIdleTimeout() {
        assertClosesOnce(Server.builder(protocol, handler), CloseReason.IDLE,
                c -> Closing.closeIdle((ConnectionImpl) c.connection(), 1_000_000));
    }

    @Test
    void aGracefulServerStopOnceTheQueuedBytesDrained() {
        assertClosesOnce(Server.builder(protocol, handler), CloseReason.SHUTDOWN, c -> {
            Closing.shutdownGracefully((ConnectionImpl) c.connection());
            assertTrue(c.isOpen(), "draining what is queued");
            assertEquals(1, counts.serverStops);
            c.acceptWrites(WriteAcceptance.all()).writable();
        });
    }

    @Test
    void theServerClosingWhatIsLeft() {
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(protocol, handler))) {
            EmbeddedConnection c = queuedConnection(server, new ArrayList<>());
            server.close();
            assertClosedOnce(server, c, CloseReason.SHUTDOWN);
        }
    }

    /** Netty closes a registered handle at shutdown, or (NIO) when its key died. */
    @Test
    void theLoopClosingTheSocketUnderTheConnection() {
        EmbeddedLoop loop = new EmbeddedLoop(Server.builder(protocol, handler), true);
        try {
            EmbeddedSocket socket = loop.connect();
            socket.acceptWrites(offered -> 0);
            List<Throwable> sent = new ArrayList<>();
            socket.connection().send(QUEUED, (conn, failure) -> sent.add(failure));
            assertEquals(1, loop.buffersLent());
            socket.close();
            assertFalse(socket.connection().isConnected());
            assertTrue(socket.closed());
            assertEquals(CloseReason.IO_ERROR, EmbeddedLoop.closeReason(socket.connection()));
            assertEquals(1, counts.handlerCloses);
            assertEquals(1, counts.protocolCloses);
            assertEquals(1, sent.size());
            assertInstanceOf(ClosedChannelException.class, sent.get(0));
            assertEquals(0, loop.buffersLent());
            socket.close();
            assertEquals(1, counts.handlerCloses);
            assertEquals(1, loop.stats().closedConnections(CloseReason.IO_ERROR));
        } finally {
            loop.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsOptions.Provider.class, names = {"JDK", "OPENSSL"})
    void aTlsErrorAfterTheHandshake(TlsOptions.Provider provider) throws Exception {
        TestCertificates certificates = TestCertificates.get();
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(protocol, handler)
                .tls(certificates.serverOptions().provider(provider).build()))) {
            EmbeddedConnection c = EmbeddedTlsClient.connect(server, certificates.clientContext()).connection();
            assertEquals(1, counts.handlerConnects);
            c.receive(new byte[] {23, 3, 3, 0, 40, 1, 2, 3}); // application data that is not a record of the session
            c.receive(new byte[40]);
            c.flush();
            assertClosedOnce(server, c, CloseReason.TLS_ERROR);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsOptions.Provider.class, names = {"JDK", "OPENSSL"})
    void aTlsConnectionThatNeverCompletedItsHandshakeIsNotHeardOf(TlsOptions.Provider provider) throws Exception {
        TestCertificates certificates = TestCertificates.get();
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(protocol, handler)
                .tls(certificates.serverOptions().provider(provider).build()))) {
            EmbeddedConnection c = server.connect();
            c.receive("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            c.flush();
            assertFalse(c.isOpen());
            assertEquals(CloseReason.TLS_ERROR, c.closeReason());
            assertEquals(1, server.stats().closedConnections(CloseReason.TLS_ERROR));
            assertEquals(0, counts.handlerConnects);
            assertEquals(0, counts.handlerCloses, "nobody knew of it");
            assertEquals(0, counts.protocolCloses);
            assertEquals(0, server.buffersLent());
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsOptions.Provider.class, names = {"JDK", "OPENSSL"})
    void aGracefulStopDuringATlsHandshakeClosesWithoutTellingTheProtocolOrHandler(TlsOptions.Provider provider) {
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(protocol, handler)
                .tls(TestCertificates.get().serverOptions().provider(provider).build()))) {
            EmbeddedConnection c = server.connect();
            assertTrue(c.isOpen(), "handshaking");
            Closing.shutdownGracefully((ConnectionImpl) c.connection());
            c.flush();
            assertFalse(c.isOpen());
            assertEquals(CloseReason.SHUTDOWN, c.closeReason());
            assertEquals(0, counts.serverStops, "the protocol never heard of it");
            assertEquals(0, counts.handlerCloses);
            assertEquals(0, counts.protocolCloses);
            assertEquals(0, server.buffersLent());
        }
    }

    /**
     * Opens a connection whose socket takes nothing and queues bytes with a callback waiting, ends
     * it with {@code ending}, and checks the close (after the socket takes everything again).
     */
    private void assertClosesOnce(Server.Builder builder, CloseReason reason, Consumer<EmbeddedConnection> ending) {
        try (EmbeddedServer server = EmbeddedServer.start(builder)) {
            List<Throwable> sent = new ArrayList<>();
            EmbeddedConnection c = queuedConnection(server, sent);
            ending.accept(c);
            c.acceptWrites(WriteAcceptance.all()).flush();
            assertClosedOnce(server, c, reason);
            assertEquals(1, sent.size(), "the waiting send completed once: " + sent);
            if (reason == CloseReason.SHUTDOWN) {
                assertNull(sent.get(0), "its bytes drained before the close");
            } else {
                assertInstanceOf(ClosedChannelException.class, sent.get(0), "its bytes were dropped");
            }
        }
    }

    private EmbeddedConnection queuedConnection(EmbeddedServer server, List<Throwable> sent) {
        EmbeddedConnection c = server.connect().acceptWrites(WriteAcceptance.none());
        assertEquals(1, counts.handlerConnects);
        c.connection().send(QUEUED, (conn, failure) -> sent.add(failure));
        assertTrue(c.isWaitingToWrite());
        assertEquals(1, server.buffersLent(), "the queued bytes hold a ring");
        return c;
    }

    private void assertClosedOnce(EmbeddedServer server, EmbeddedConnection c, CloseReason reason) {
        assertFalse(c.isOpen());
        assertEquals(reason, c.closeReason(), "closed for " + c.closeCause());
        assertEquals(1, counts.handlerCloses, "handler onClose");
        assertEquals(1, counts.protocolCloses, "protocol onClose");
        assertEquals(1, server.stats().closedConnections(reason));
        assertEquals(0, server.buffersLent());
        assertTrue(c.socketClosed() || c.isWaitingToWrite(), "the socket is closed, or TLS lingers");
        // Nothing after the close ends it again.
        List<Throwable> late = new ArrayList<>();
        c.connection().send("late".getBytes(), (conn, failure) -> late.add(failure));
        c.connection().shutdownWrite();
        c.connection().close();
        ((ConnectionImpl) c.connection()).close(CloseReason.IO_ERROR, null);
        assertEquals(1, late.size());
        assertInstanceOf(ClosedChannelException.class, late.get(0));
        assertEquals(1, counts.handlerCloses);
        assertEquals(1, counts.protocolCloses);
        assertEquals(reason, c.closeReason());
        assertEquals(0, server.buffersLent());
    }

    /** What the handler and the protocol heard. */
    private static final class Counts {
        int handlerConnects;
        int handlerCloses;
        int protocolCloses;
        int serverStops;
    }

    /** An echoing handler that counts; {@code throw} makes it throw. */
    private static final class CountingHandler implements Handler<ByteBuffer> {
        private final Counts counts;

        CountingHandler(Counts counts) {
            this.counts = counts;
        }

        @Override
        public void onConnect(Connection connection) {
            counts.handlerConnects++;
        }

        @Override
        public Object onMessage(Connection connection, Object context, ByteBuffer payload) {
            if (StandardCharsets.US_ASCII.decode(payload.duplicate()).toString().equals("throw")) {
                throw new IllegalStateException("thrown on purpose");
            }
            return payload;
        }

        @Override
        public void onClose(Connection connection) {
            counts.handlerCloses++;
        }
    }

    /** A line protocol that counts; the line {@code bad} is a protocol error. */
    private static final class CountingProtocol implements Protocol<ByteBuffer> {
        private final Counts counts;

        CountingProtocol(Counts counts) {
            this.counts = counts;
        }

        @Override
        public boolean unpack(Connection connection, RingBuffer in, Frame<ByteBuffer> frame) {
            int end = in.indexOf((byte) '\n');
            if (end < 0) {
                return false;
            }
            ByteBuffer line = in.peekView(end);
            if (end == 3 && line.get(line.position()) == 'b') {
                throw new ProtocolException("a bad line");
            }
            in.retrieve(end + 1);
            frame.set(null, line);
            return true;
        }

        @Override
        public void pack(Connection connection, Object message, RingBuffer out) {
            if (message instanceof byte[] bytes) {
                out.write(bytes);
            } else {
                out.write((ByteBuffer) message);
            }
        }

        @Override
        public void onServerStop(Connection connection) {
            counts.serverStops++;
        }

        @Override
        public void onClose(Connection connection) {
            counts.protocolCloses++;
        }
    }
}
