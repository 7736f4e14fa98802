package io.gev.embedded;

import io.gev.CloseReason;
import io.gev.Handler;
import io.gev.Server;
import io.gev.protocol.LengthFieldProtocol;
import io.gev.protocol.ProtocolException;
import io.gev.testing.TestCertificates;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fixture itself: it drives gev's real connection as a socket would, and shows what gev did. */
class EmbeddedServerTest {

    private static final Handler<ByteBuffer> ECHO = (c, ctx, payload) -> payload;

    private static byte[] frame(String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + b.length).putInt(b.length).put(b).array();
    }

    private static Server.Builder lengthField(Handler<ByteBuffer> handler) {
        return Server.builder(LengthFieldProtocol.builder().build(), handler).readBufferSize(256);
    }

    @Test
    void echoesRawBytesInEverySegmentation() {
        byte[] stream = new byte[10_000];
        new Random(1).nextBytes(stream);
        for (EmbeddedServer.Polling polling : EmbeddedServer.Polling.values()) {
            try (EmbeddedServer server = EmbeddedServer.start(Server.builder(ECHO).readBufferSize(256), polling)) {
                for (Segmentation cuts : List.of(Segmentation.byteByByte(), Segmentation.whole(),
                        Segmentation.fixed(256), Segmentation.mixed(new Random(2)))) {
                    EmbeddedConnection c = server.connect();
                    assertEquals(0, c.receive(stream, cuts));
                    assertArrayEquals(stream, c.takeSent(), polling + " " + cuts);
                }
                assertEquals(0, server.buffersLent());
            }
        }
    }

    @Test
    void decodesLengthFieldFramesCutInsideTheirHeaders() {
        List<String> got = new ArrayList<>();
        try (EmbeddedServer server = EmbeddedServer.start(lengthField((c, ctx, p) -> {
            got.add(StandardCharsets.UTF_8.decode(p).toString());
            return null;
        }))) {
            EmbeddedConnection c = server.connect();
            byte[] two = ByteBuffer.allocate(20).put(frame("hello")).put(frame("world!!")).array();
            c.receive(two, Segmentation.at(1, 2, 3, 5, 9, 10, 13));
            assertEquals(List.of("hello", "world!!"), got);
            assertEquals(0, c.connection().readBufferLength());
        }
    }

    @Test
    void aWriteThatTakesNothingWaitsForWritable() {
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(ECHO))) {
            EmbeddedConnection c = server.connect().acceptWrites(WriteAcceptance.none());
            c.receive("abc".getBytes());
            assertEquals(0, c.sentLength());
            assertTrue(c.isWaitingToWrite());
            assertEquals(3, c.connection().writeBufferLength());
            c.acceptWrites(WriteAcceptance.atMost(1)).writable();
            assertArrayEquals("abc".getBytes(), c.takeSent(), "one byte per write, writable again after each");
            assertFalse(c.isWaitingToWrite());
        }
    }

    @Test
    void randomWriteAcceptanceDeliversEveryByteInOrder() {
        Random rnd = new Random(3);
        byte[] stream = new byte[50_000];
        rnd.nextBytes(stream);
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(ECHO))) {
            EmbeddedConnection c = server.connect().acceptWrites(WriteAcceptance.random(rnd));
            java.io.ByteArrayOutputStream sent = new java.io.ByteArrayOutputStream();
            for (int off = 0; off < stream.length; ) {
                int n = Math.min(stream.length - off, 1 + rnd.nextInt(3000));
                c.receive(stream, off, n);
                off += n;
                sent.writeBytes(c.takeSent());
            }
            c.flush();
            sent.writeBytes(c.takeSent());
            assertArrayEquals(stream, sent.toByteArray());
        }
    }

    @Test
    void aProtocolErrorClosesWithItsCause() {
        try (EmbeddedServer server = EmbeddedServer.start(
                Server.builder(LengthFieldProtocol.builder().maxFrameLength(10).build(), ECHO).readBufferSize(256))) {
            EmbeddedConnection c = server.connect();
            int unread = c.receive(ByteBuffer.allocate(8).putInt(1000).putInt(0).array(), Segmentation.byteByByte());
            assertFalse(c.isOpen());
            assertEquals(CloseReason.PROTOCOL_ERROR, c.closeReason());
            assertInstanceOf(ProtocolException.class, c.closeCause());
            assertEquals(4, unread, "the bytes after the bad header were never read");
            assertTrue(c.socketClosed());
            assertEquals(1, server.stats().closedConnections(CloseReason.PROTOCOL_ERROR));
        }
    }

    @Test
    void theEndOfStreamDeliversRepliesThenCloses() {
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(ECHO))) {
            EmbeddedConnection c = server.connect().acceptWrites(WriteAcceptance.none());
            c.receive("bye".getBytes());
            c.receiveEnd();
            assertTrue(c.isOpen(), "the reply is still queued");
            c.acceptWrites(WriteAcceptance.all()).writable();
            assertArrayEquals("bye".getBytes(), c.takeSent());
            assertFalse(c.isOpen());
            assertEquals(CloseReason.PEER, c.closeReason());
        }
    }

    @Test
    void aFailingReadClosesWithAnIoError() {
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(ECHO))) {
            EmbeddedConnection c = server.connect();
            c.failReads(new IOException("Connection reset by peer"));
            assertEquals(CloseReason.IO_ERROR, c.closeReason());
            assertEquals("Connection reset by peer", c.closeCause().getMessage());
        }
    }

    @Test
    void sendsFromAnotherThreadWaitForTheLoop() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(ECHO))) {
            EmbeddedConnection c = server.connect();
            Thread other = new Thread(() -> c.connection().send("from elsewhere".getBytes()));
            other.start();
            other.join();
            assertEquals(0, c.sentLength(), "the loop has not run yet");
            c.runPendingTasks();
            assertArrayEquals("from elsewhere".getBytes(), c.takeSent());
        }
    }

    @Test
    void timersRunWhenTheClockPassesThem() {
        AtomicInteger fired = new AtomicInteger();
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(ECHO))) {
            EmbeddedConnection c = server.connect();
            c.connection().loop().schedule(Duration.ofSeconds(5), fired::incrementAndGet);
            server.advanceTime(Duration.ofSeconds(4));
            assertEquals(0, fired.get());
            server.advanceTime(Duration.ofSeconds(1));
            assertEquals(1, fired.get());
        }
    }

    @Test
    void closingTheServerClosesItsConnections() {
        EmbeddedConnection c;
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(ECHO))) {
            c = server.connect();
            c.receive("x".getBytes());
        }
        assertEquals(CloseReason.SHUTDOWN, c.closeReason());
        assertNull(c.closeCause());
        assertThrows(IllegalStateException.class, () -> c.receive("y".getBytes()));
    }

    @Test
    void aConnectionClosedFromItsSendCallbackLeavesThePoolToOtherConnections() {
        Handler<ByteBuffer> handler = (c, ctx, body) -> {
            if (StandardCharsets.UTF_8.decode(body.duplicate()).toString().equals("bye")) {
                c.send("bye".getBytes(), (conn, failure) -> conn.close());
                return null;
            }
            return body;
        };
        try (EmbeddedServer server = EmbeddedServer.start(lengthField(handler))) {
            EmbeddedConnection first = server.connect();
            first.receive(frame("bye"));
            assertArrayEquals(frame("bye"), first.takeSent());
            assertEquals(CloseReason.LOCAL, first.closeReason());
            List<EmbeddedConnection> others = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                EmbeddedConnection c = server.connect();
                others.add(c);
                c.receive(frame("hello " + i), 0, 3); // the tail lands in a ring of the pool
            }
            for (int i = 0; i < 20; i++) {
                byte[] f = frame("hello " + i);
                others.get(i).receive(f, 3, f.length - 3);
                assertArrayEquals(f, others.get(i).takeSent(), "connection " + i);
            }
        }
    }

    @Test
    void aTlsClientTalksToTheRealTlsLayerInAnySegmentation() throws Exception {
        Random rnd = new Random(4);
        byte[] stream = new byte[40_000];
        rnd.nextBytes(stream);
        TestCertificates certificates = TestCertificates.get();
        Segmentation byteByByte = Segmentation.byteByByte();
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(ECHO).readBufferSize(256)
                .tls(certificates.serverOptions().build()))) {
            for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
                for (Segmentation cuts : List.of(byteByByte, Segmentation.whole(), Segmentation.mixed(rnd))) {
                    String what = protocol + ", " + (cuts == byteByByte ? "byte by byte" : cuts);
                    EmbeddedTlsClient client = EmbeddedTlsClient.open(server, certificates.clientContext(), protocol);
                    client.handshake(cuts, new byte[0]);
                    assertEquals(protocol, client.session().getProtocol());
                    assertTrue(client.connection().isOpen(), what);
                    assertEquals(protocol, client.connection().connection().tls().protocol());
                    // Byte by byte costs a read event and an unwrap attempt per byte: a shorter stream.
                    byte[] bytes = cuts == byteByByte ? Arrays.copyOf(stream, 3000) : stream;
                    client.send(bytes, Segmentation.random(rnd, 3000), cuts);
                    assertArrayEquals(bytes, client.received(), what);
                    client.closeOutbound();
                    assertEquals(0, client.received().length, what);
                    assertTrue(client.inboundDone(), what + ": the server answers close_notify with its own");
                    assertEquals(CloseReason.PEER, client.connection().closeReason(), what);
                }
            }
            assertEquals(0, server.buffersLent());
        }
    }

    @Test
    void aTlsClientsFirstRecordsMayRideBehindItsFinished() throws Exception {
        TestCertificates certificates = TestCertificates.get();
        byte[] request = "sent without waiting".getBytes(StandardCharsets.US_ASCII);
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(ECHO)
                .tls(certificates.serverOptions().build()))) {
            for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
                EmbeddedTlsClient client = EmbeddedTlsClient.open(server, certificates.clientContext(), protocol);
                client.handshake(Segmentation.whole(), request);
                assertArrayEquals(request, client.received(), protocol);
            }
        }
    }
}
