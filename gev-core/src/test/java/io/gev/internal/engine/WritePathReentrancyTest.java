package io.gev.internal.engine;

import io.gev.CloseReason;
import io.gev.Connection;
import io.gev.Handler;
import io.gev.SendCallback;
import io.gev.Server;
import io.gev.buffer.RingBuffer;
import io.gev.embedded.EmbeddedConnection;
import io.gev.embedded.EmbeddedServer;
import io.gev.embedded.WriteAcceptance;
import io.gev.protocol.Frame;
import io.gev.protocol.Protocol;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * User code that the write path calls (send callbacks, onWritabilityChanged, a protocol's pack)
 * calling back into the connection, on the real path: every byte arrives once and in order, and
 * every buffer goes back to the pool once (the pool throws in tests otherwise).
 */
class WritePathReentrancyTest {

    @Test
    void aHandlerSendingFromOnWritabilityChangedKeepsTheStreamInOrder() {
        int chunk = 1000;
        Random rnd = new Random(11);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        int[] left = {300};
        Handler<ByteBuffer> producer = new Handler<ByteBuffer>() {
            @Override
            public Object onMessage(Connection c, Object ctx, ByteBuffer payload) {
                pump(c);
                return null;
            }

            @Override
            public void onWritabilityChanged(Connection c) {
                if (c.isWritable()) {
                    pump(c); // from inside the flush that drained below the low water mark
                }
            }

            private void pump(Connection c) {
                while (c.isWritable() && left[0] > 0) {
                    byte[] b = new byte[chunk];
                    rnd.nextBytes(b);
                    expected.writeBytes(b);
                    left[0]--;
                    c.send(b);
                }
            }
        };
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(producer)
                .writeBufferHighWaterMark(8 * chunk).writeBufferLowWaterMark(2 * chunk))) {
            EmbeddedConnection c = server.connect().acceptWrites(WriteAcceptance.atMost(3 * chunk + 7));
            c.receive("go".getBytes());
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            for (int i = 0; i < 10_000 && (left[0] > 0 || c.isWaitingToWrite()); i++) {
                got.writeBytes(c.takeSent());
                c.writable();
            }
            got.writeBytes(c.takeSent());
            assertEquals(0, left[0]);
            assertArrayEquals(expected.toByteArray(), got.toByteArray());
            assertTrue(c.isOpen());
            assertEquals(0, server.buffersLent());
        }
    }

    @Test
    void callbacksThatSendThenCloseSeeTheirBytesWrittenAndTheRestFail() {
        List<String> outcomes = new ArrayList<>();
        SendCallback record = (c, failure) -> outcomes.add(failure == null ? "ok" : failure.getClass().getSimpleName());
        Handler<ByteBuffer> handler = (c, ctx, payload) -> {
            c.send("one".getBytes(), (conn, failure) -> {
                record.onComplete(conn, failure);
                conn.send("two".getBytes(), record);
                conn.close();
                conn.send("three".getBytes(), record); // after close: fails at once
            });
            return null;
        };
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(handler))) {
            EmbeddedConnection c = server.connect();
            c.receive("x".getBytes());
            assertArrayEquals("onetwo".getBytes(), c.takeSent(), "close() writes what is queued once more");
            assertEquals(List.of("ok", "ok", "ClosedChannelException"), outcomes);
            assertEquals(CloseReason.LOCAL, c.closeReason());
            assertEquals(0, server.buffersLent());
        }
    }

    @Test
    void bytesTheLastWriteOfCloseDeliveredCompleteTheirCallbacks() {
        List<Throwable> outcomes = new ArrayList<>();
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder((c, ctx, p) -> null))) {
            EmbeddedConnection c = server.connect().acceptWrites(WriteAcceptance.atMost(5));
            c.connection().send("1234567890".getBytes(), (conn, f) -> outcomes.add(f));
            c.acceptWrites(WriteAcceptance.none());
            c.connection().send("abcde".getBytes(), (conn, f) -> outcomes.add(f));
            assertEquals(List.of(), outcomes, "five of fifteen bytes went; the rest waits");
            c.acceptWrites(WriteAcceptance.atMost(5));
            c.connection().close(); // its last write takes five more: the first message is complete
            assertArrayEquals("1234567890".getBytes(), c.takeSent());
            assertEquals(2, outcomes.size());
            assertNull(outcomes.get(0), "written by close()'s last write, so not failed");
            assertInstanceOf(ClosedChannelException.class, outcomes.get(1));
        }
    }

    @Test
    void aWriteThatClosesTheConnectionFromItsCallbackInsideAnEventReleasesTheBufferOnce() {
        Handler<ByteBuffer> handler = (c, ctx, payload) -> {
            c.send(ByteBuffer.allocate(10_000), (conn, failure) -> conn.close());
            return null;
        };
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(handler))) {
            for (int i = 0; i < 50; i++) {
                EmbeddedConnection c = server.connect().acceptWrites(WriteAcceptance.atMost(1 + i * 300));
                c.receive(new byte[] {1});
                c.flush();
                assertEquals(10_000, c.takeSent().length);
                assertFalse(c.isOpen());
            }
            assertEquals(0, server.buffersLent());
        }
    }

    @Test
    void aProtocolThatSendsFromPackClosesItsConnectionWithAClearError() {
        Protocol<ByteBuffer> sendsFromPack = wholeReads((connection, message, out) -> {
            connection.send("nested".getBytes());
            out.write((byte[]) message);
        });
        List<Throwable> failures = new ArrayList<>();
        Handler<ByteBuffer> handler = (c, ctx, payload) -> {
            c.send("reply".getBytes(), (conn, f) -> failures.add(f));
            return null;
        };
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(sendsFromPack, handler))) {
            EmbeddedConnection c = server.connect();
            c.receive("x".getBytes());
            assertEquals(CloseReason.HANDLER_ERROR, c.closeReason());
            assertInstanceOf(IllegalStateException.class, c.closeCause());
            assertTrue(c.closeCause().getMessage().contains("inside"), c.closeCause().getMessage());
            assertEquals(1, failures.size());
            assertInstanceOf(IllegalStateException.class, failures.get(0));
            assertEquals(0, server.buffersLent());
        }
    }

    @Test
    void aProtocolThatClosesFromPackFailsTheSendWithoutTouchingTheReleasedBuffer() {
        Protocol<ByteBuffer> closesFromPack = wholeReads((connection, message, out) -> {
            out.write((byte[]) message);
            connection.close();
        });
        List<Throwable> failures = new ArrayList<>();
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(closesFromPack, (c, ctx, p) -> null))) {
            EmbeddedConnection c = server.connect();
            c.connection().send("bye".getBytes(), (conn, f) -> failures.add(f));
            assertFalse(c.isOpen());
            assertEquals(1, failures.size());
            assertInstanceOf(ClosedChannelException.class, failures.get(0));
            assertEquals(0, server.buffersLent());
        }
    }

    /** How a test's protocol packs a message. */
    @FunctionalInterface
    private interface Packer {
        void pack(Connection connection, Object message, RingBuffer out);
    }

    /** A protocol that decodes whatever has arrived as one frame and packs with {@code packer}. */
    private static Protocol<ByteBuffer> wholeReads(Packer packer) {
        return new Protocol<>() {
            @Override
            public boolean unpack(Connection connection, RingBuffer in, Frame<ByteBuffer> frame) {
                if (in.isEmpty()) {
                    return false;
                }
                frame.set(null, in.peekView(in.length()));
                in.retrieveAll();
                return true;
            }

            @Override
            public void pack(Connection connection, Object message, RingBuffer out) {
                packer.pack(connection, message, out);
            }
        };
    }
}
