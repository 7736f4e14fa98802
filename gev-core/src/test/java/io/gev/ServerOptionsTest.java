package io.gev;

import io.gev.embedded.EmbeddedConnection;
import io.gev.embedded.EmbeddedServer;
import io.gev.loop.LoadBalancer;
import io.gev.loop.LoadBalancing;
import io.gev.loop.Transport;
import io.gev.protocol.RawProtocol;
import io.gev.testing.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ServerOptions} and the builders that make it: {@link ServerOptions.Builder} and
 * {@link Server.Builder} share their setters, so the setter checks run on one and the build-time
 * checks on both.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ServerOptionsTest {

    private static final Handler<ByteBuffer> ECHO = (c, ctx, p) -> p;

    private static ServerOptions.Builder builder() {
        return ServerOptions.builder();
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
        ServerOptions.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.port(-1), "port", "-1");
        assertRejected(IllegalArgumentException.class, () -> b.port(65536), "port", "65536");
        assertRejected(IllegalArgumentException.class, () -> b.port(Integer.MIN_VALUE), "port");
        assertEquals(ServerOptions.DEFAULT_PORT, b.build().port(), "a rejected value must not be kept");
    }

    @Test
    void negativeLoopsAreRejected() {
        ServerOptions.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.loops(-1), "loops", "-1");
        assertEquals(0, b.build().loops());
    }

    @Test
    void backlogBelowOneIsRejected() {
        ServerOptions.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.backlog(0), "backlog", "0");
        assertRejected(IllegalArgumentException.class, () -> b.backlog(-5), "backlog", "-5");
        assertEquals(ServerOptions.DEFAULT_BACKLOG, b.build().backlog());
    }

    @Test
    void idleTimeoutMustBeNonNegativeAndNonNull() {
        ServerOptions.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.idleTimeout(Duration.ofSeconds(-1)), "idleTimeout");
        assertRejected(IllegalArgumentException.class, () -> b.idleTimeout(Duration.ofNanos(-1)), "idleTimeout");
        assertRejected(NullPointerException.class, () -> b.idleTimeout(null), "idleTimeout");
        assertEquals(Duration.ZERO, b.build().idleTimeout());
    }

    @Test
    void negativeMaxConnectionsAreRejected() {
        ServerOptions.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.maxConnections(-1), "maxConnections", "-1");
        assertEquals(0, b.build().maxConnections());
    }

    @Test
    void perAddressLimitsAreCheckedByName() {
        ServerOptions.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.maxConnectionsPerAddress(-1), "maxConnectionsPerAddress", "-1");
        assertRejected(IllegalArgumentException.class, () -> b.connectionRatePerAddress(-1, Duration.ofSeconds(1)),
                "connectionRatePerAddress", "-1");
        assertRejected(IllegalArgumentException.class, () -> b.connectionRatePerAddress(1, Duration.ZERO), "connectionRateInterval");
        assertRejected(NullPointerException.class, () -> b.connectionRatePerAddress(1, null), "connectionRateInterval");
        ServerOptions o = b.maxConnectionsPerAddress(0).connectionRatePerAddress(0, Duration.ofMillis(1)).build();
        assertEquals(0, o.maxConnectionsPerAddress(), "0 is no limit, the default");
        assertEquals(0, ServerOptions.defaults().connectionRatePerAddress());
        assertEquals(ServerOptions.DEFAULT_CONNECTION_RATE_INTERVAL, ServerOptions.defaults().connectionRateInterval());
        assertEquals(Optional.empty(), ServerOptions.defaults().proxyProtocol());
    }

    @Test
    void proxyProtocolOptionsAreCheckedByName() {
        assertRejected(IllegalArgumentException.class, () -> ProxyProtocol.builder(), "trustedProxies", "at least one");
        assertRejected(IllegalArgumentException.class, () -> ProxyProtocol.builder("127.0.0.1", "balancer.local"), "'balancer.local'");
        ProxyProtocol.Builder b = ProxyProtocol.builder("127.0.0.1");
        assertRejected(IllegalArgumentException.class, () -> b.headerTimeout(Duration.ZERO), "headerTimeout");
        assertRejected(IllegalArgumentException.class, () -> b.maxHeaderSize(231), "maxHeaderSize", "232..65551", "231");
        assertRejected(IllegalArgumentException.class, () -> b.maxHeaderSize(65552), "maxHeaderSize", "65552");
        assertEquals(232, b.maxHeaderSize(232).build().maxHeaderSize());
        assertEquals(65551, b.maxHeaderSize(65551).build().maxHeaderSize());
        ProxyProtocol p = ProxyProtocol.builder("10.1.2.3/8", "::1").headerTimeout(Duration.ofSeconds(2)).build();
        assertEquals(List.of("10.0.0.0/8", "::1"), p.trustedProxies());
        assertEquals(ProxyProtocol.DEFAULT_MAX_HEADER_SIZE, p.maxHeaderSize());
        assertEquals(p, p.toBuilder().build());
        assertEquals(p.hashCode(), p.toBuilder().build().hashCode());
        assertNotEquals(p, p.toBuilder().maxHeaderSize(300).build());
        assertEquals(ProxyProtocol.DEFAULT_HEADER_TIMEOUT, ProxyProtocol.builder("::1").build().headerTimeout());
    }

    @Test
    void writeBufferLimitBelowOneIsRejected() {
        ServerOptions.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.writeBufferLimit(0), "writeBufferLimit", "0");
        assertRejected(IllegalArgumentException.class, () -> b.writeBufferLimit(-1), "writeBufferLimit", "-1");
        assertEquals(ServerOptions.DEFAULT_WRITE_BUFFER_LIMIT, b.build().writeBufferLimit());
    }

    @Test
    void writeBufferMarksAndReadLimitAreValidated() {
        ServerOptions.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.writeBufferHighWaterMark(0),
                "writeBufferHighWaterMark", "0");
        assertRejected(IllegalArgumentException.class, () -> b.writeBufferLowWaterMark(-1),
                "writeBufferLowWaterMark", "-1");
        assertRejected(IllegalArgumentException.class, () -> b.readBufferLimit(0), "readBufferLimit", "0");
        ServerOptions o = b.build();
        assertEquals(ServerOptions.DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK, o.writeBufferHighWaterMark());
        assertEquals(ServerOptions.DEFAULT_WRITE_BUFFER_LOW_WATER_MARK, o.writeBufferLowWaterMark());
        assertEquals(ServerOptions.DEFAULT_READ_BUFFER_LIMIT, o.readBufferLimit());
        // A low water mark of 0 is legal: "writable again once everything is written".
        assertEquals(0, b.writeBufferLowWaterMark(0).build().writeBufferLowWaterMark());
    }

    @Test
    void tooSmallReadBufferSizeIsRejected() {
        ServerOptions.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.readBufferSize(100), "readBufferSize", "100");
        assertRejected(IllegalArgumentException.class, () -> b.readBufferSize(255), "readBufferSize", "255");
        assertEquals(ServerOptions.DEFAULT_READ_BUFFER_SIZE, b.build().readBufferSize());
        assertEquals(256, b.readBufferSize(256).build().readBufferSize());
    }

    @Test
    void socketBufferSizesMustBeNonNegative() {
        ServerOptions.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.sendBufferSize(-1), "sendBufferSize", "-1");
        assertRejected(IllegalArgumentException.class, () -> b.receiveBufferSize(-1), "receiveBufferSize", "-1");
        assertEquals(0, b.sendBufferSize(0).build().sendBufferSize());
        assertEquals(0, b.receiveBufferSize(0).build().receiveBufferSize());
        ServerOptions sized = b.sendBufferSize(1).receiveBufferSize(65536).build();
        assertEquals(1, sized.sendBufferSize());
        assertEquals(65536, sized.receiveBufferSize());
    }

    @Test
    void shutdownTimeoutMustBeNonNegativeAndNonNull() {
        ServerOptions.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.shutdownTimeout(Duration.ofMillis(-1)), "shutdownTimeout");
        assertRejected(NullPointerException.class, () -> b.shutdownTimeout(null), "shutdownTimeout");
        assertEquals(ServerOptions.DEFAULT_SHUTDOWN_TIMEOUT, b.build().shutdownTimeout());
        assertEquals(Duration.ZERO, b.shutdownTimeout(Duration.ZERO).build().shutdownTimeout());
    }

    @Test
    void blockedLoopWarningMustBeNonNegativeAndNonNull() {
        ServerOptions.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.blockedLoopWarning(Duration.ofMillis(-1)),
                "blockedLoopWarning");
        assertRejected(NullPointerException.class, () -> b.blockedLoopWarning(null), "blockedLoopWarning");
        assertEquals(Duration.ZERO, b.blockedLoopWarning(Duration.ZERO).build().blockedLoopWarning());
    }

    @Test
    void clientFaultLogIntervalMustBeNonNegativeAndNonNull() {
        ServerOptions.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.clientFaultLogInterval(Duration.ofNanos(-1)),
                "clientFaultLogInterval");
        assertRejected(NullPointerException.class, () -> b.clientFaultLogInterval(null), "clientFaultLogInterval");
        assertEquals(ServerOptions.DEFAULT_CLIENT_FAULT_LOG_INTERVAL, b.build().clientFaultLogInterval(),
                "a rejected value keeps the previous one");
        assertEquals(Duration.ZERO, b.clientFaultLogInterval(Duration.ZERO).build().clientFaultLogInterval(),
                "zero logs every fault");
        assertEquals(Duration.ofNanos(1),
                b.clientFaultLogInterval(Duration.ofNanos(1)).build().clientFaultLogInterval());
    }

    @Test
    void clientFaultLogLimitMustBeNonNegative() {
        ServerOptions.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.clientFaultLogLimit(-1), "clientFaultLogLimit");
        assertEquals(ServerOptions.DEFAULT_CLIENT_FAULT_LOG_LIMIT, b.build().clientFaultLogLimit());
        assertEquals(0, b.clientFaultLogLimit(0).build().clientFaultLogLimit(), "zero logs only summaries");
        assertEquals(1, b.clientFaultLogLimit(1).build().clientFaultLogLimit());
    }

    @Test
    void blankOrNullNameIsRejected() {
        ServerOptions.Builder b = builder();
        assertRejected(IllegalArgumentException.class, () -> b.name(""), "name");
        assertRejected(IllegalArgumentException.class, () -> b.name("   "), "name");
        assertRejected(IllegalArgumentException.class, () -> b.name("\t\n"), "name");
        assertRejected(NullPointerException.class, () -> b.name(null), "name");
        assertEquals("gev", b.build().name());
    }

    @Test
    void nullHandlerProtocolTransportOptionsAndLoadBalancerAreRejected() {
        assertRejected(NullPointerException.class, () -> Server.builder(null), "handler");
        assertRejected(NullPointerException.class, () -> Server.builder(RawProtocol.INSTANCE, null), "handler");
        assertRejected(NullPointerException.class, () -> Server.builder(null, ECHO), "protocol");
        Server.Builder b = Server.builder(ECHO);
        assertRejected(NullPointerException.class, () -> b.transport(null), "transport");
        assertRejected(NullPointerException.class, () -> b.loadBalancer(null), "loadBalancer");
        assertRejected(NullPointerException.class, () -> b.loadBalancing(null), "loadBalancing");
        assertRejected(NullPointerException.class, () -> b.options(null), "options");
        ServerOptions o = b.build().options();
        assertEquals(Transport.AUTO, o.transport());
        assertEquals("roundRobin", o.loadBalancer().toString());
    }

    // ---- build() checks options against each other ------------------------------------------

    @Test
    void buildRejectsLowWaterAboveHighWater() {
        ServerOptions.Builder b = builder().writeBufferHighWaterMark(1000).writeBufferLowWaterMark(1001);
        assertRejected(IllegalArgumentException.class, b::build,
                "writeBufferLowWaterMark", "writeBufferHighWaterMark", "1001", "1000");
        // Equal marks are fine.
        assertNotNull(b.writeBufferLowWaterMark(1000).build());
    }

    @Test
    void buildRejectsHighWaterAboveLimit() {
        ServerOptions.Builder b = builder().writeBufferLowWaterMark(10).writeBufferHighWaterMark(2000)
                .writeBufferLimit(1999);
        assertRejected(IllegalArgumentException.class, b::build,
                "writeBufferHighWaterMark", "writeBufferLimit", "2000", "1999");
        assertNotNull(b.writeBufferLimit(2000).build());
    }

    @Test
    void buildRejectsALimitBelowTheDefaultHighWaterMark() {
        // Lowering only the limit must not silently produce a server whose high water mark exceeds it.
        ServerOptions.Builder b = builder().writeBufferLimit(1024);
        assertRejected(IllegalArgumentException.class, b::build, "writeBufferHighWaterMark", "writeBufferLimit");
    }

    @Test
    void serverBuilderChecksTheOptionsTogetherToo() {
        Server.Builder low = Server.builder(ECHO).writeBufferHighWaterMark(1000).writeBufferLowWaterMark(1001);
        assertRejected(IllegalArgumentException.class, low::build,
                "writeBufferLowWaterMark", "writeBufferHighWaterMark", "1001", "1000");
        Server.Builder limit = Server.builder(ECHO).writeBufferLimit(1024);
        assertRejected(IllegalArgumentException.class, limit::build, "writeBufferHighWaterMark", "writeBufferLimit",
                "1024");
    }

    // ---- defaults and boundaries ------------------------------------------------------------

    @Test
    void defaultsAreTheDocumentedConstants() {
        ServerOptions o = ServerOptions.defaults();
        assertEquals(ServerOptions.DEFAULT_NAME, o.name());
        assertEquals("gev", ServerOptions.DEFAULT_NAME);
        assertEquals(Optional.empty(), o.address());
        assertEquals(ServerOptions.DEFAULT_PORT, o.port());
        assertEquals(1833, ServerOptions.DEFAULT_PORT);
        assertEquals(0, o.loops());
        assertFalse(o.reusePort());
        assertEquals(Duration.ZERO, o.idleTimeout());
        assertEquals(LoadBalancing.ROUND_ROBIN, ServerOptions.DEFAULT_LOAD_BALANCING);
        assertEquals("roundRobin", o.loadBalancer().toString());
        assertEquals(Transport.AUTO, o.transport());
        assertTrue(o.tcpNoDelay());
        assertFalse(o.keepAlive());
        assertEquals(0, o.sendBufferSize());
        assertEquals(0, o.receiveBufferSize());
        assertEquals(ServerOptions.DEFAULT_BACKLOG, o.backlog());
        assertEquals(0, o.maxConnections());
        assertEquals(ServerOptions.DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK, o.writeBufferHighWaterMark());
        assertEquals(ServerOptions.DEFAULT_WRITE_BUFFER_LOW_WATER_MARK, o.writeBufferLowWaterMark());
        assertEquals(ServerOptions.DEFAULT_WRITE_BUFFER_LIMIT, o.writeBufferLimit());
        assertEquals(ServerOptions.DEFAULT_READ_BUFFER_LIMIT, o.readBufferLimit());
        assertEquals(ServerOptions.DEFAULT_READ_BUFFER_SIZE, o.readBufferSize());
        assertEquals(ServerOptions.DEFAULT_SHUTDOWN_TIMEOUT, o.shutdownTimeout());
        assertEquals(ServerOptions.DEFAULT_BLOCKED_LOOP_WARNING, o.blockedLoopWarning());
        assertEquals(Duration.ofSeconds(1), ServerOptions.DEFAULT_BLOCKED_LOOP_WARNING);
        assertEquals(ServerOptions.DEFAULT_CLIENT_FAULT_LOG_INTERVAL, o.clientFaultLogInterval());
        assertEquals(Duration.ofMinutes(1), ServerOptions.DEFAULT_CLIENT_FAULT_LOG_INTERVAL);
        assertEquals(ServerOptions.DEFAULT_CLIENT_FAULT_LOG_LIMIT, o.clientFaultLogLimit());
        assertEquals(10, ServerOptions.DEFAULT_CLIENT_FAULT_LOG_LIMIT);
        assertFalse(o.daemonThreads());
        assertEquals(Optional.empty(), o.tls());
        // The defaults are consistent with each other, so build() accepts them.
        assertTrue(ServerOptions.DEFAULT_WRITE_BUFFER_LOW_WATER_MARK <= ServerOptions.DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK);
        assertTrue(ServerOptions.DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK <= ServerOptions.DEFAULT_WRITE_BUFFER_LIMIT);
        assertTrue(ServerOptions.DEFAULT_READ_BUFFER_SIZE >= 256);
        // A new builder, a server builder and defaults() agree.
        assertEquals(o, builder().build());
        assertEquals(o, Server.builder(ECHO).build().options());
    }

    @Test
    void boundaryValuesAreAccepted() {
        Server.Builder b = Server.builder(ECHO);
        assertSame(b, b.port(0).port(65535).loops(0).loops(1).backlog(1).maxConnections(0).idleTimeout(Duration.ZERO)
                .readBufferLimit(1).name("x"));
        Server server = b.build();
        ServerOptions o = server.options();
        assertEquals(65535, o.port());
        assertEquals(1, o.loops());
        assertEquals(1, o.backlog());
        assertEquals(0, o.maxConnections());
        assertEquals(Duration.ZERO, o.idleTimeout());
        assertEquals(1, o.readBufferLimit());
        assertEquals("x", o.name());
        assertEquals("x", server.name());
        assertFalse(server.isRunning());
        server.close(); // never started: a no-op
        assertEquals(0, builder().port(0).build().port());
    }

    @Test
    void blankAddressMeansAnyAddressAndSettersChain() {
        ServerOptions.Builder b = builder();
        assertSame(b, b.address("127.0.0.1"));
        assertEquals(Optional.of("127.0.0.1"), b.build().address());
        assertEquals(Optional.empty(), b.address("  ").build().address());
        assertEquals(Optional.empty(), b.address(null).build().address());
        LoadBalancer lb = LoadBalancer.leastConnections();
        assertSame(b, b.loadBalancer(lb).transport(Transport.NIO).reusePort(true).keepAlive(true).tcpNoDelay(false)
                .daemonThreads(true));
        ServerOptions o = b.build();
        assertSame(lb, o.loadBalancer());
        assertEquals(Transport.NIO, o.transport());
        assertTrue(o.reusePort());
        assertTrue(o.keepAlive());
        assertFalse(o.tcpNoDelay());
        assertTrue(o.daemonThreads());
    }

    // ---- load balancers ---------------------------------------------------------------------

    @Test
    void aStrategyGivesEveryCallerItsOwnBalancerAndACustomOneIsKept() {
        ServerOptions roundRobin = builder().build();
        LoadBalancer first = roundRobin.loadBalancer();
        assertNotSame(first, roundRobin.loadBalancer(), "servers built from one options must not share a balancer");
        ServerOptions least = builder().loadBalancing(LoadBalancing.LEAST_CONNECTIONS).build();
        assertEquals("leastConnections", least.loadBalancer().toString());
        assertNotSame(least.loadBalancer(), least.loadBalancer());

        LoadBalancer custom = loops -> loops.get(0);
        ServerOptions withCustom = builder().loadBalancer(custom).build();
        assertSame(custom, withCustom.loadBalancer());
        assertSame(custom, withCustom.loadBalancer(), "a balancer the user gave is the user's to share");
        // The one set last wins.
        assertEquals("roundRobin", withCustom.toBuilder().loadBalancing(LoadBalancing.ROUND_ROBIN).build()
                .loadBalancer().toString());
        assertSame(custom, builder().loadBalancing(LoadBalancing.LEAST_CONNECTIONS).loadBalancer(custom).build()
                .loadBalancer());
    }

    @Test
    void eachStrategyMakesANewBalancerOfItsKind() {
        assertEquals("roundRobin", LoadBalancing.ROUND_ROBIN.newLoadBalancer().toString());
        assertEquals("leastConnections", LoadBalancing.LEAST_CONNECTIONS.newLoadBalancer().toString());
        assertNotSame(LoadBalancing.ROUND_ROBIN.newLoadBalancer(), LoadBalancing.ROUND_ROBIN.newLoadBalancer());
    }

    // ---- copies, equality, templates --------------------------------------------------------

    /** Options with every setting away from its default. */
    private static ServerOptions.Builder everythingSet(TlsOptions tls, LoadBalancer lb) {
        return builder().name("n").address("127.0.0.1").port(9).loops(3).reusePort(true)
                .idleTimeout(Duration.ofSeconds(4)).loadBalancer(lb).transport(Transport.NIO).tcpNoDelay(false)
                .keepAlive(true).sendBufferSize(5).receiveBufferSize(6).backlog(7).maxConnections(8)
                .writeBufferHighWaterMark(900).writeBufferLowWaterMark(100).writeBufferLimit(1000)
                .readBufferLimit(11).readBufferSize(1200).shutdownTimeout(Duration.ofSeconds(13))
                .blockedLoopWarning(Duration.ofMillis(14)).clientFaultLogInterval(Duration.ofSeconds(15))
                .clientFaultLogLimit(16).daemonThreads(true).tls(tls)
                .maxConnectionsPerAddress(17).connectionRatePerAddress(18, Duration.ofSeconds(19))
                .proxyProtocol(ProxyProtocol.builder("10.0.0.0/8").build());
    }

    @Test
    void toBuilderAndOptionsCarryEverySetting() throws Exception {
        TlsOptions tls = TestCertificates.get().serverOptions().build();
        LoadBalancer lb = LoadBalancer.leastConnections();
        ServerOptions o = everythingSet(tls, lb).build();
        assertEquals("n", o.name());
        assertEquals(Optional.of("127.0.0.1"), o.address());
        assertEquals(9, o.port());
        assertEquals(3, o.loops());
        assertTrue(o.reusePort());
        assertEquals(Duration.ofSeconds(4), o.idleTimeout());
        assertSame(lb, o.loadBalancer());
        assertEquals(Transport.NIO, o.transport());
        assertFalse(o.tcpNoDelay());
        assertTrue(o.keepAlive());
        assertEquals(5, o.sendBufferSize());
        assertEquals(6, o.receiveBufferSize());
        assertEquals(7, o.backlog());
        assertEquals(8, o.maxConnections());
        assertEquals(900, o.writeBufferHighWaterMark());
        assertEquals(100, o.writeBufferLowWaterMark());
        assertEquals(1000, o.writeBufferLimit());
        assertEquals(11, o.readBufferLimit());
        assertEquals(1200, o.readBufferSize());
        assertEquals(Duration.ofSeconds(13), o.shutdownTimeout());
        assertEquals(Duration.ofMillis(14), o.blockedLoopWarning());
        assertEquals(Duration.ofSeconds(15), o.clientFaultLogInterval());
        assertEquals(16, o.clientFaultLogLimit());
        assertTrue(o.daemonThreads());
        assertSame(tls, o.tls().orElseThrow());
        assertEquals(17, o.maxConnectionsPerAddress());
        assertEquals(18, o.connectionRatePerAddress());
        assertEquals(Duration.ofSeconds(19), o.connectionRateInterval());
        assertEquals(List.of("10.0.0.0/8"), o.proxyProtocol().orElseThrow().trustedProxies());

        assertEquals(o, o.toBuilder().build());
        assertEquals(o.hashCode(), o.toBuilder().build().hashCode());
        assertEquals(o, builder().port(1).options(o).build(), "options() replaces what was set");
        assertEquals(o, Server.builder(ECHO).options(o).build().options());
        assertNotEquals(o, o.toBuilder().port(10).build());
        assertNotEquals(o, o.toBuilder().clientFaultLogInterval(Duration.ofSeconds(1)).build());
        assertNotEquals(o, o.toBuilder().clientFaultLogLimit(1).build());
        assertNotEquals(o, o.toBuilder().tls(null).build());
        assertNotEquals(o, o.toBuilder().proxyProtocol(null).build());
        assertNotEquals(o, o.toBuilder().maxConnectionsPerAddress(1).build());
        assertNotEquals(o, o.toBuilder().connectionRatePerAddress(18, Duration.ofSeconds(1)).build());
        assertNotEquals(o, o.toBuilder().loadBalancer(LoadBalancer.leastConnections()).build());
        assertNotEquals(ServerOptions.defaults(), o);
    }

    @Test
    void aServerBuilderStartsFromTemplateOptionsAndOverridesThem() {
        ServerOptions template = builder().loops(2).idleTimeout(Duration.ofMinutes(5)).maxConnections(100).build();
        Server a = Server.builder(ECHO).options(template).name("a").port(0).build();
        Server b = Server.builder(ECHO).options(template).name("b").maxConnections(5).build();
        assertEquals(2, a.options().loops());
        assertEquals(Duration.ofMinutes(5), a.options().idleTimeout());
        assertEquals(100, a.options().maxConnections());
        assertEquals(0, a.options().port());
        assertEquals("a", a.name());
        assertEquals(5, b.options().maxConnections());
        assertEquals(ServerOptions.DEFAULT_PORT, b.options().port());
        assertEquals(template, builder().options(template).build(), "the template itself is unchanged");
        assertEquals(100, template.maxConnections());
    }

    @Test
    void toStringNamesTheOptions() {
        String text = builder().name("svc").port(7).loops(2).loadBalancing(LoadBalancing.LEAST_CONNECTIONS).build()
                .toString();
        for (String part : new String[] {"name=svc", "port=7", "loops=2", "loadBalancer=LEAST_CONNECTIONS",
                "address=*", "tls=none", "writeBufferLimit=" + ServerOptions.DEFAULT_WRITE_BUFFER_LIMIT}) {
            assertTrue(text.contains(part), text + " does not contain " + part);
        }
    }

    @Test
    void theOneArgumentBuilderFramesNothing() {
        // Bytes that a line or a length-field protocol would frame: raw hands each read over whole.
        byte[] read = {0, 0, 0, 9, 'a', '\n', 'b', '\r', '\n'};
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(ECHO))) {
            EmbeddedConnection c = server.connect();
            c.receive(read);
            assertArrayEquals(read, c.takeSent());
            assertEquals(1, server.stats().messagesIn());
        }
    }

    @Test
    void theOneArgumentBuilderTakesAHandlerOfASupertypeOfByteBuffer() {
        Handler<Object> any = (c, ctx, message) -> message;
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(any))) {
            EmbeddedConnection c = server.connect();
            c.receive(new byte[] {1, 2, 3});
            assertArrayEquals(new byte[] {1, 2, 3}, c.takeSent());
        }
    }

    @Test
    void stopRejectsBadGraceEvenBeforeStart() {
        Server server = Server.builder(ECHO).build();
        assertRejected(NullPointerException.class, () -> server.stop(null), "grace");
        assertRejected(IllegalArgumentException.class, () -> server.stop(Duration.ofSeconds(-1)), "grace");
    }
}
