package io.gev;

import io.gev.embedded.EmbeddedConnection;
import io.gev.embedded.EmbeddedServer;
import io.gev.loop.LoadBalancer;
import io.gev.loop.Transport;
import io.gev.protocol.RawProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ServerBuilderTest {

    private static final Handler<ByteBuffer> ECHO = (c, ctx, p) -> p;

    private static Server.Builder builder() {
        return Server.builder(ECHO);
    }

    /** Asserts {@code call} throws {@code type} and that its message mentions every one of {@code words}. */
    private static <T extends RuntimeException> T assertRejected(Class<T> type, Executable call, String... words) {
        T e = assertThrows(type, call);
        String message = e.getMessage();
        assertNotNull(message, "exception without a message: " + e);
        for (String word : words) {
            assertTrue(message.contains(word), "message '" + message + "' does not mention '" + word + "'");
        }
        return e;
    }

    // ---- setters reject bad values ----------------------------------------------------------

    @Test
    void portOutOfRangeIsRejected() {
        Server.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.port(-1), "port", "-1");
        assertRejected(IllegalArgumentException.class, () -> b.port(65536), "port", "65536");
        assertRejected(IllegalArgumentException.class, () -> b.port(Integer.MIN_VALUE), "port");
        assertEquals(Server.DEFAULT_PORT, b.port(), "a rejected value must not be kept");
    }

    @Test
    void negativeLoopsAreRejected() {
        Server.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.loops(-1), "loops", "-1");
        assertEquals(0, b.loops());
    }

    @Test
    void backlogBelowOneIsRejected() {
        Server.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.backlog(0), "backlog", "0");
        assertRejected(IllegalArgumentException.class, () -> b.backlog(-5), "backlog", "-5");
        assertEquals(Server.DEFAULT_BACKLOG, b.backlog());
    }

    @Test
    void idleTimeoutMustBeNonNegativeAndNonNull() {
        Server.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.idleTimeout(Duration.ofSeconds(-1)), "idleTimeout");
        assertRejected(IllegalArgumentException.class, () -> b.idleTimeout(Duration.ofNanos(-1)), "idleTimeout");
        assertRejected(NullPointerException.class, () -> b.idleTimeout(null), "idleTimeout");
        assertEquals(Duration.ZERO, b.idleTimeout());
    }

    @Test
    void negativeMaxConnectionsAreRejected() {
        Server.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.maxConnections(-1), "maxConnections", "-1");
        assertEquals(0, b.maxConnections());
    }

    @Test
    void writeBufferLimitBelowOneIsRejected() {
        Server.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.writeBufferLimit(0), "writeBufferLimit", "0");
        assertRejected(IllegalArgumentException.class, () -> b.writeBufferLimit(-1), "writeBufferLimit", "-1");
        assertEquals(Server.DEFAULT_WRITE_BUFFER_LIMIT, b.writeBufferLimit());
    }

    @Test
    void writeBufferMarksAndReadLimitAreValidated() {
        Server.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.writeBufferHighWaterMark(0),
                "writeBufferHighWaterMark", "0");
        assertRejected(IllegalArgumentException.class, () -> b.writeBufferLowWaterMark(-1),
                "writeBufferLowWaterMark", "-1");
        assertRejected(IllegalArgumentException.class, () -> b.readBufferLimit(0), "readBufferLimit", "0");
        assertEquals(Server.DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK, b.writeBufferHighWaterMark());
        assertEquals(Server.DEFAULT_WRITE_BUFFER_LOW_WATER_MARK, b.writeBufferLowWaterMark());
        assertEquals(Server.DEFAULT_READ_BUFFER_LIMIT, b.readBufferLimit());
        // A low water mark of 0 is legal: "writable again once everything is written".
        assertEquals(0, b.writeBufferLowWaterMark(0).writeBufferLowWaterMark());
    }

    @Test
    void tooSmallReadBufferSizeIsRejected() {
        Server.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.readBufferSize(100), "readBufferSize", "100");
        assertRejected(IllegalArgumentException.class, () -> b.readBufferSize(255), "readBufferSize", "255");
        assertEquals(Server.DEFAULT_READ_BUFFER_SIZE, b.readBufferSize());
        assertEquals(256, b.readBufferSize(256).readBufferSize());
    }

    @Test
    void socketBufferSizesMustBeNonNegative() {
        Server.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.sendBufferSize(-1), "sendBufferSize", "-1");
        assertRejected(IllegalArgumentException.class, () -> b.receiveBufferSize(-1), "receiveBufferSize", "-1");
        assertEquals(0, b.sendBufferSize(0).sendBufferSize());
        assertEquals(0, b.receiveBufferSize(0).receiveBufferSize());
    }

    @Test
    void shutdownTimeoutMustBeNonNegativeAndNonNull() {
        Server.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.shutdownTimeout(Duration.ofMillis(-1)), "shutdownTimeout");
        assertRejected(NullPointerException.class, () -> b.shutdownTimeout(null), "shutdownTimeout");
        assertEquals(Server.DEFAULT_SHUTDOWN_TIMEOUT, b.shutdownTimeout());
        assertEquals(Duration.ZERO, b.shutdownTimeout(Duration.ZERO).shutdownTimeout());
    }

    @Test
    void blockedLoopWarningMustBeNonNegativeAndNonNull() {
        Server.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.blockedLoopWarning(Duration.ofMillis(-1)),
                "blockedLoopWarning");
        assertRejected(NullPointerException.class, () -> b.blockedLoopWarning(null), "blockedLoopWarning");
        assertEquals(Duration.ZERO, b.blockedLoopWarning(Duration.ZERO).blockedLoopWarning());
    }

    @Test
    void blankOrNullNameIsRejected() {
        Server.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.name(""), "name");
        assertRejected(IllegalArgumentException.class, () -> b.name("   "), "name");
        assertRejected(IllegalArgumentException.class, () -> b.name("\t\n"), "name");
        assertRejected(NullPointerException.class, () -> b.name(null), "name");
        assertEquals("gev", b.name());
    }

    @Test
    void nullHandlerProtocolTransportAndLoadBalancerAreRejected() {
        assertRejected(NullPointerException.class, () -> Server.builder(null), "handler");
        assertRejected(NullPointerException.class, () -> Server.builder(RawProtocol.INSTANCE, null), "handler");
        assertRejected(NullPointerException.class, () -> Server.builder(null, ECHO), "protocol");
        Server.Builder b = builder();
        assertRejected(NullPointerException.class, () -> b.transport(null), "transport");
        assertRejected(NullPointerException.class, () -> b.loadBalancer(null), "loadBalancer");
        assertEquals(Transport.AUTO, b.transport());
        assertNull(b.loadBalancer());
    }

    // ---- build() checks options against each other ------------------------------------------

    @Test
    void buildRejectsLowWaterAboveHighWater() {
        Server.Builder b = builder().writeBufferHighWaterMark(1000).writeBufferLowWaterMark(1001);
        assertRejected(IllegalArgumentException.class, b::build,
                "writeBufferLowWaterMark", "writeBufferHighWaterMark", "1001", "1000");
        // Equal marks are fine.
        assertNotNull(b.writeBufferLowWaterMark(1000).build());
    }

    @Test
    void buildRejectsHighWaterAboveLimit() {
        Server.Builder b = builder().writeBufferLowWaterMark(10).writeBufferHighWaterMark(2000).writeBufferLimit(1999);
        assertRejected(IllegalArgumentException.class, b::build,
                "writeBufferHighWaterMark", "writeBufferLimit", "2000", "1999");
        assertNotNull(b.writeBufferLimit(2000).build());
    }

    @Test
    void buildRejectsALimitBelowTheDefaultHighWaterMark() {
        // Lowering only the limit must not silently produce a server whose high water mark exceeds it.
        Server.Builder b = builder().writeBufferLimit(1024);
        assertRejected(IllegalArgumentException.class, b::build, "writeBufferHighWaterMark", "writeBufferLimit");
    }

    // ---- defaults and boundaries ------------------------------------------------------------

    @Test
    void defaultsAreTheDocumentedConstants() {
        Server.Builder b = builder();
        assertEquals("gev", b.name());
        assertNull(b.address());
        assertEquals(Server.DEFAULT_PORT, b.port());
        assertEquals(1833, Server.DEFAULT_PORT);
        assertEquals(0, b.loops());
        assertFalse(b.reusePort());
        assertEquals(Duration.ZERO, b.idleTimeout());
        assertNull(b.loadBalancer());
        assertEquals(Transport.AUTO, b.transport());
        assertTrue(b.tcpNoDelay());
        assertFalse(b.keepAlive());
        assertEquals(0, b.sendBufferSize());
        assertEquals(0, b.receiveBufferSize());
        assertEquals(Server.DEFAULT_BACKLOG, b.backlog());
        assertEquals(0, b.maxConnections());
        assertEquals(Server.DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK, b.writeBufferHighWaterMark());
        assertEquals(Server.DEFAULT_WRITE_BUFFER_LOW_WATER_MARK, b.writeBufferLowWaterMark());
        assertEquals(Server.DEFAULT_WRITE_BUFFER_LIMIT, b.writeBufferLimit());
        assertEquals(Server.DEFAULT_READ_BUFFER_LIMIT, b.readBufferLimit());
        assertEquals(Server.DEFAULT_READ_BUFFER_SIZE, b.readBufferSize());
        assertEquals(Server.DEFAULT_SHUTDOWN_TIMEOUT, b.shutdownTimeout());
        assertEquals(Server.DEFAULT_BLOCKED_LOOP_WARNING, b.blockedLoopWarning());
        assertEquals(Duration.ofSeconds(1), Server.DEFAULT_BLOCKED_LOOP_WARNING);
        assertFalse(b.daemonThreads());
        // The defaults are consistent with each other, so build() accepts them.
        assertTrue(Server.DEFAULT_WRITE_BUFFER_LOW_WATER_MARK <= Server.DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK);
        assertTrue(Server.DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK <= Server.DEFAULT_WRITE_BUFFER_LIMIT);
        assertTrue(Server.DEFAULT_READ_BUFFER_SIZE >= 256);
    }

    @Test
    void theOneArgumentBuilderFramesNothing() {
        // Bytes that a line or a length-field protocol would frame: raw hands each read over whole.
        byte[] read = {0, 0, 0, 9, 'a', '\n', 'b', '\r', '\n'};
        try (EmbeddedServer server = EmbeddedServer.start(builder())) {
            EmbeddedConnection c = server.connect();
            c.receive(read);
            assertArrayEquals(read, c.takeSent());
            assertEquals(1, server.stats().messagesIn());
        }
    }

    @Test
    void boundaryValuesAreAccepted() {
        Server.Builder b = builder();
        assertEquals(0, b.port(0).port());
        assertEquals(65535, b.port(65535).port());
        assertEquals(0, b.loops(0).loops());
        assertEquals(1, b.loops(1).loops());
        assertEquals(1, b.backlog(1).backlog());
        assertEquals(0, b.maxConnections(0).maxConnections());
        assertEquals(Duration.ZERO, b.idleTimeout(Duration.ZERO).idleTimeout());
        assertEquals(1, b.readBufferLimit(1).readBufferLimit());
        assertEquals("x", b.name("x").name());
        Server server = b.build();
        assertNotNull(server);
        assertEquals("x", server.name());
        assertFalse(server.isRunning());
        server.close(); // never started: a no-op
    }

    @Test
    void blankAddressMeansAnyAddressAndSettersChain() {
        Server.Builder b = builder();
        assertSame(b, b.address("127.0.0.1"));
        assertEquals("127.0.0.1", b.address());
        assertNull(b.address("  ").address());
        assertNull(b.address(null).address());
        LoadBalancer lb = LoadBalancer.leastConnections();
        assertSame(b, b.loadBalancer(lb).transport(Transport.NIO).reusePort(true).keepAlive(true).tcpNoDelay(false)
                .daemonThreads(true));
        assertSame(lb, b.loadBalancer());
        assertEquals(Transport.NIO, b.transport());
        assertTrue(b.reusePort());
        assertTrue(b.keepAlive());
        assertFalse(b.tcpNoDelay());
        assertTrue(b.daemonThreads());
    }

    @Test
    void stopRejectsBadGraceEvenBeforeStart() {
        Server server = builder().build();
        assertRejected(NullPointerException.class, () -> server.stop(null), "grace");
        assertRejected(IllegalArgumentException.class, () -> server.stop(Duration.ofSeconds(-1)), "grace");
    }
}
