package io.gev.internal.engine;

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

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connection holds an {@link OutboundBuffer} only while it has bytes or callbacks queued: it is
 * lent by the loop and given back at the end of a flush, once empty. The loop may lend it to
 * another connection right away, so no frame may use it after user code ran: these tests make
 * user code give it back and lend it again in the middle of a flush. A buffer given back twice or
 * while holding bytes fails the test (strict pool, and {@link BufferPoolOwnershipCheck}).
 */
class OutboundBufferLendingTest {

    private static final Handler<ByteBuffer> ECHO = (c, ctx, payload) -> payload;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String sent(EmbeddedConnection c) {
        return new String(c.takeSent(), StandardCharsets.US_ASCII);
    }

    @Test
    void connectionsWithNothingQueuedHoldNoOutboundBuffer() {
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(ECHO))) {
            List<EmbeddedConnection> connections = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                EmbeddedConnection c = server.connect();
                c.receive(ascii("ping " + i));
                assertEquals("ping " + i, sent(c));
                connections.add(c);
            }
            for (EmbeddedConnection c : connections) {
                assertFalse(EmbeddedLoop.holdsOutboundBuffer(c.connection()));
            }
            assertEquals(0, server.outboundBuffersLent());
        }
    }

    @Test
    void aConnectionHoldsOneWhileItsBytesWaitForTheSocket() {
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(ECHO))) {
            EmbeddedConnection c = server.connect().acceptWrites(WriteAcceptance.none());
            c.receive(ascii("hello"));
            assertTrue(EmbeddedLoop.holdsOutboundBuffer(c.connection()), "5 bytes wait");
            assertEquals(1, server.outboundBuffersLent());
            assertEquals(5, c.connection().writeBufferLength());
            c.acceptWrites(WriteAcceptance.all()).writable();
            assertEquals("hello", sent(c));
            assertFalse(EmbeddedLoop.holdsOutboundBuffer(c.connection()), "given back once drained");
            assertEquals(0, server.outboundBuffersLent());
            assertEquals(0, c.connection().writeBufferLength());
            assertTrue(c.connection().isWritable());
        }
    }

    @Test
    void aClosedConnectionKeepsItsBufferOutOfTheLoopsHands() {
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(ECHO))) {
            EmbeddedConnection c = server.connect().acceptWrites(WriteAcceptance.none());
            List<Throwable> outcomes = new ArrayList<>();
            c.connection().send(ByteBuffer.wrap(ascii("never sent")), (conn, failure) -> outcomes.add(failure));
            assertEquals(1, server.outboundBuffersLent());
            c.receiveEnd(); // drains, then closes: the socket takes nothing, so the close drops it
            server.close();
            assertFalse(c.isOpen());
            assertEquals(1, outcomes.size());
            assertInstanceOf(ClosedChannelException.class, outcomes.get(0));
            assertEquals(0, server.outboundBuffersLent(), "forgotten, not lent again");
        }
    }

    /**
     * The first callback of A, run by A's flush, sends more on A (a nested flush writes it, runs
     * A's second callback and gives A's buffer back) and then sends on B, which the loop lends the
     * very buffer A gave back. A's outer flush must not poll B's callback from it: B's socket took
     * nothing, so B's callback must still be waiting.
     */
    @Test
    void aBufferGivenBackInsideACallbackAndLentToAnotherConnectionIsNotTouchedByTheOuterFlush() {
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(ECHO))) {
            EmbeddedConnection a = server.connect().acceptWrites(WriteAcceptance.none());
            EmbeddedConnection b = server.connect().acceptWrites(WriteAcceptance.none());
            List<String> events = new ArrayList<>();
            SendCallback bDone = (conn, failure) -> events.add("b done " + failure);
            a.connection().send(ByteBuffer.wrap(ascii("a1 ")), (conn, failure) -> {
                events.add("a1 done");
                conn.send(ByteBuffer.wrap(ascii("a3")));
                assertFalse(EmbeddedLoop.holdsOutboundBuffer(conn), "the nested flush gave A's buffer back");
                b.connection().send(ByteBuffer.wrap(ascii("b1")), bDone);
            });
            a.connection().send(ByteBuffer.wrap(ascii("a2 ")), (conn, failure) -> events.add("a2 done"));
            assertEquals(1, server.outboundBuffersLent());

            a.acceptWrites(WriteAcceptance.all()).writable();
            assertEquals("a1 a2 a3", sent(a));
            assertEquals(List.of("a1 done", "a2 done"), events, "B's callback waits for B's bytes");
            assertTrue(EmbeddedLoop.holdsOutboundBuffer(b.connection()));
            assertFalse(EmbeddedLoop.holdsOutboundBuffer(a.connection()));
            assertEquals(1, server.outboundBuffersLent());

            b.acceptWrites(WriteAcceptance.all()).writable();
            assertEquals("b1", sent(b));
            assertEquals(List.of("a1 done", "a2 done", "b done null"), events);
            assertEquals(0, server.outboundBuffersLent());
        }
    }

    @Test
    void writabilityIsReportedOnceEachWayAcrossLendings() {
        List<Boolean> reported = new ArrayList<>();
        Handler<ByteBuffer> handler = new Handler<>() {
            @Override
            public Object onMessage(Connection c, Object ctx, ByteBuffer payload) {
                return payload;
            }

            @Override
            public void onWritabilityChanged(Connection c) {
                reported.add(c.isWritable());
            }
        };
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(handler)
                .writeBufferHighWaterMark(10).writeBufferLowWaterMark(4))) {
            EmbeddedConnection c = server.connect().acceptWrites(WriteAcceptance.none());
            for (int round = 0; round < 3; round++) {
                c.receive(new byte[11]);
                assertFalse(c.connection().isWritable());
                c.acceptWrites(WriteAcceptance.all()).writable();
                assertTrue(c.connection().isWritable());
                assertFalse(EmbeddedLoop.holdsOutboundBuffer(c.connection()));
                c.takeSent();
                c.acceptWrites(WriteAcceptance.none());
            }
            assertEquals(List.of(false, true, false, true, false, true), reported);
        }
    }

    @Test
    void aProtocolThatClosesWhilePackingFailsTheSendAndLeavesNothingLent() {
        Protocol<ByteBuffer> closing = new Protocol<>() {
            @Override
            public boolean unpack(Connection c, RingBuffer in, Frame<ByteBuffer> frame) {
                return false;
            }

            @Override
            public void pack(Connection c, Object message, RingBuffer out) {
                out.write(ascii("half"));
                c.close();
            }
        };
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(closing, (c, ctx, m) -> null))) {
            EmbeddedConnection c = server.connect();
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            c.connection().send("anything", (conn, failure) -> outcome.set(failure));
            assertFalse(c.isOpen());
            assertInstanceOf(ClosedChannelException.class, outcome.get());
            assertEquals(0, server.outboundBuffersLent());
            assertEquals(0, server.buffersLent());
        }
    }
}
