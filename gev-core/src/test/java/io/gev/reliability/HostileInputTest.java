package io.gev.reliability;

import com.google.protobuf.StringValue;
import io.gev.CloseReason;
import io.gev.Server;
import io.gev.ServerStats;
import io.gev.loop.Transport;
import io.gev.protocol.LengthFieldProtocol;
import io.gev.protocol.LineProtocol;
import io.gev.protocol.RawProtocol;
import io.gev.protocol.protobuf.ProtobufProtocol;
import io.gev.testing.Await;
import io.gev.testing.EchoProbe;
import io.gev.testing.HeldConnections;
import io.gev.testing.ProcessResources;
import io.gev.testing.TestServers;
import io.gev.websocket.WebSocketHandler;
import io.gev.websocket.WebSocketMessage;
import io.gev.websocket.WebSocketOptions;
import io.gev.websocket.WebSocketServer;
import io.gev.websocket.WebSocketSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.gev.testing.ProcessResources.closedByReason;
import static io.gev.testing.ProcessResources.directMemoryUsed;
import static io.gev.testing.ProcessResources.mib;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scenario 4, hostile input: slowloris upgrade requests (one byte per second), oversized HTTP
 * headers, random garbage on the port of every built-in protocol, frames declaring absurd lengths
 * and 10,000 half-open connections (a partial request, then silence, never closed; some
 * half-closed). Every attack ends with the attackers' connections closed by the server and its
 * gauge back to its well-behaved clients, who echo throughout with a 99th-percentile latency
 * under a second (the figures are printed). The seed of the garbage is printed; rerun with
 * {@code -Dgev.test.seed=N}.
 */
@Tag("reliability")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HostileInputTest {

    private static final long SEED = Long.getLong("gev.test.seed", System.nanoTime());
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(3);
    private static final int MAX_FRAME = 64 * 1024;
    private static final Duration MAX_P99 = Duration.ofSeconds(1);
    private static final int HALF_OPEN = 10_000;

    @RegisterExtension
    final TestServers servers = new TestServers();
    private final List<EchoProbe> probes = new ArrayList<>();

    @AfterEach
    void stopProbes() {
        for (EchoProbe p : probes) {
            p.close();
        }
    }

    private static final WebSocketHandler WS_ECHO = new WebSocketHandler() {
        @Override
        public Object onMessage(WebSocketSession session, WebSocketMessage message) {
            return message;
        }
    };

    private Server webSocket(Transport transport) {
        WebSocketOptions options = WebSocketOptions.builder().handshakeTimeout(HANDSHAKE_TIMEOUT)
                .maxFrameSize(MAX_FRAME).maxMessageSize(MAX_FRAME).build();
        return servers.start(WebSocketServer.builder(WS_ECHO, options).name("hostile-ws").address("127.0.0.1")
                .port(0).loops(2).transport(transport).daemonThreads(true));
    }

    /** An echo server of {@code protocol}, closing idle connections. */
    private Server tcp(Transport transport, String name, io.gev.protocol.Protocol<?> protocol) {
        // Every protocol here decodes what it packs: the message itself is the echo.
        return servers.start(TestServers.local(protocol, (c, ctx, message) -> message, transport)
                .name("hostile-" + name).idleTimeout(IDLE_TIMEOUT));
    }

    private static LengthFieldProtocol lengthField(int fieldLength) {
        return LengthFieldProtocol.builder().lengthFieldLength(fieldLength).maxFrameLength(MAX_FRAME).build();
    }

    private static ProtobufProtocol protobuf() {
        return ProtobufProtocol.builder().register(StringValue.getDefaultInstance()).maxFrameLength(MAX_FRAME).build();
    }

    private EchoProbe probe(String name, EchoProbe.Exchange... exchanges) {
        EchoProbe p = EchoProbe.start(name, Duration.ofMillis(10), exchanges);
        probes.add(p);
        return p;
    }

    /** A protobuf frame of a StringValue that depends on {@code seq}: the echo server sends it back as it is. */
    private static byte[] protobufRequest(int seq) {
        byte[] name = "google.protobuf.StringValue".getBytes(StandardCharsets.UTF_8);
        byte[] message = StringValue.of("probe " + seq).toByteArray();
        ByteBuffer b = ByteBuffer.allocate(6 + name.length + message.length);
        b.putInt(2 + name.length + message.length).putShort((short) name.length).put(name).put(message);
        return b.array();
    }

    private static String upgradeRequest() {
        return "GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }

    private static void report(String attack, Transport transport, String figures, EchoProbe.Report... reports) {
        StringBuilder sb = new StringBuilder();
        for (EchoProbe.Report r : reports) {
            sb.append("; ").append(r);
        }
        System.out.printf("[reliability] hostile %s %s: %s%s%n", attack, transport, figures, sb);
    }

    private static void awaitOnlyProbesLeft(ServerStats stats, int probes, String where) {
        Await.await(Duration.ofSeconds(20), () -> stats.activeConnections() == probes,
                () -> stats.activeConnections() + " connections open, " + probes + " of them well-behaved; closes "
                        + closedByReason(stats) + "; " + where);
    }

    // ---- slowloris ---------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void slowlorisUpgradeRequestsAreCutOffAtTheHandshakeTimeout(Transport transport) throws Exception {
        Server ws = webSocket(transport);
        EchoProbe probe = probe("ws", EchoProbe.webSocket(ws.port(), "/echo"));
        byte[] request = upgradeRequest().getBytes(StandardCharsets.ISO_8859_1);
        int attackers = 200;
        try (Crowd crowd = Crowd.slowloris(ws.port(), attackers, i -> request)) {
            int open = crowd.await(HANDSHAKE_TIMEOUT.plusSeconds(15), Duration.ofSeconds(1));
            long[] lived = crowd.closeMillis();
            EchoProbe.Report r = probe.stop();
            report("slowloris", transport, attackers + " clients sending an upgrade request one byte per second: "
                    + "all closed " + lived[0] + ".." + lived[1] + " ms after connecting (handshake timeout "
                    + HANDSHAKE_TIMEOUT.toMillis() + " ms), " + crowd.answeredWith("HTTP/1.1 408") + " answered 408", r);
            assertEquals(0, open, "slowloris connections still open; " + transport);
            assertEquals(attackers, crowd.answeredWith("HTTP/1.1 408"), crowd.sample());
            // The clients take their time after connect() returned, a moment after the server's timer started.
            assertTrue(lived[0] >= HANDSHAKE_TIMEOUT.toMillis() - 100, "closed before the handshake timeout: " + lived[0]);
            r.assertHealthy(MAX_P99);
        }
        awaitOnlyProbesLeft(ws.stats(), 0, transport.toString());
    }

    // ---- oversized headers, wrong requests ---------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void oversizedHeadersAndPlainRequestsGetAnHttpErrorAndAreClosed(Transport transport) throws Exception {
        Server ws = webSocket(transport);
        EchoProbe probe = probe("ws", EchoProbe.webSocket(ws.port(), "/echo"));
        String huge = "GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\n" + ("X-Filler: " + "x".repeat(1000) + "\r\n").repeat(64)
                + "\r\n";
        try (Crowd oversized = Crowd.rush(ws.port(), 100, i -> huge.getBytes(StandardCharsets.ISO_8859_1));
             Crowd plain = Crowd.rush(ws.port(), 100,
                     i -> "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1))) {
            assertEquals(0, oversized.await(Duration.ofSeconds(15), null), "oversized requests still open");
            assertEquals(0, plain.await(Duration.ofSeconds(15), null), "plain requests still open");
            EchoProbe.Report r = probe.stop();
            report("headers", transport, "100 upgrade requests with 64 KiB of headers: " + oversized.answeredWith("HTTP/1.1 431")
                    + " answered 431 and closed; 100 plain GETs: " + plain.answeredWith("HTTP/1.1 426") + " answered 426", r);
            assertEquals(100, oversized.answeredWith("HTTP/1.1 431"), oversized.sample());
            assertEquals(100, plain.answeredWith("HTTP/1.1 426"), plain.sample());
            r.assertHealthy(MAX_P99);
        }
        awaitOnlyProbesLeft(ws.stats(), 0, transport.toString());
    }

    // ---- garbage on every port ---------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void randomGarbageOnEveryProtocolPortHurtsNobodyElse(Transport transport) throws Exception {
        Server raw = tcp(transport, "raw", RawProtocol.INSTANCE);
        Server length = tcp(transport, "length", lengthField(4));
        Server line = tcp(transport, "line", LineProtocol.builder().maxLineLength(1024).build());
        Server proto = tcp(transport, "protobuf", protobuf());
        Server ws = webSocket(transport);
        EchoProbe probe = probe("all", EchoProbe.raw(raw.port()), EchoProbe.lengthField(length.port()),
                EchoProbe.line(line.port()), EchoProbe.echo(proto.port(), HostileInputTest::protobufRequest),
                EchoProbe.webSocket(ws.port(), "/echo"));
        String where = transport + ", seed " + SEED + " (-Dgev.test.seed=" + SEED + ")";
        Server[] targets = {raw, length, line, proto, ws};
        StringBuilder figures = new StringBuilder("100 clients per port sending 1 B..16 KiB of random bytes:");
        // All ports at once: the timeouts that end some of the garbage run side by side.
        List<Crowd> crowds = new ArrayList<>();
        try {
            for (Server target : targets) {
                crowds.add(Crowd.rush(target.port(), 100, i -> {
                    Random random = new Random(SEED * 31 + target.port() * 1000L + i);
                    byte[] bytes = new byte[1 + random.nextInt(16 * 1024)];
                    random.nextBytes(bytes);
                    return bytes;
                }));
            }
            for (int t = 0; t < targets.length; t++) {
                Server target = targets[t];
                // The raw server echoes, then closes at the idle timeout; the others close on a
                // protocol error or, for a frame that could still be valid, at the idle or
                // handshake timeout.
                int open = crowds.get(t).await(IDLE_TIMEOUT.plusSeconds(15), null);
                assertEquals(0, open, target.name() + ": garbage connections still open; " + where);
                if (target == raw) {
                    assertTrue(crowds.get(t).allEchoed(), "the raw echo server must echo garbage as it is; " + where);
                    figures.append(" raw echoed all;");
                }
                figures.append(' ').append(target.name()).append(" closed all (")
                        .append(closedByReason(target.stats())).append(");");
                assertEquals(0, target.stats().closedConnections(CloseReason.HANDLER_ERROR), target.name() + "; " + where);
            }
        } finally {
            for (Crowd c : crowds) {
                c.close();
            }
        }
        EchoProbe.Report r = probe.stop();
        report("garbage", transport, figures + " seed " + SEED, r);
        r.assertHealthy(MAX_P99);
        for (Server target : targets) {
            awaitOnlyProbesLeft(target.stats(), 0, target.name() + ", " + where);
        }
    }

    // ---- absurd lengths ----------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void framesWithAbsurdLengthsAreRefusedBeforeAnythingIsBuffered(Transport transport) throws Exception {
        Server length4 = tcp(transport, "length4", lengthField(4));
        Server length8 = tcp(transport, "length8", lengthField(8));
        Server proto = tcp(transport, "protobuf", protobuf());
        Server ws = webSocket(transport);
        EchoProbe probe = probe("all", EchoProbe.lengthField(length4.port()),
                EchoProbe.echo(proto.port(), HostileInputTest::protobufRequest), EchoProbe.webSocket(ws.port(), "/echo"));
        byte[] upgrade = upgradeRequest().getBytes(StandardCharsets.ISO_8859_1);
        // A masked binary frame declaring 2^63 - 1 bytes, right after a valid upgrade request.
        byte[] wsFrame = ByteBuffer.allocate(upgrade.length + 2 + 8 + 4 + 16).put(upgrade)
                .put((byte) 0x82).put((byte) 0xFF).putLong(Long.MAX_VALUE).putInt(0x12345678).array();
        byte[][] attacks = {
            ByteBuffer.allocate(4 + 16).putInt(0xFFFF_FFFF).array(),
            ByteBuffer.allocate(8 + 16).putLong(Long.MAX_VALUE).array(),
            ByteBuffer.allocate(6 + 16).putInt(0x7FFF_FFFF).putShort((short) 27).array(),
            wsFrame,
        };
        Server[] targets = {length4, length8, proto, ws};
        long directBefore = directMemoryUsed();
        StringBuilder figures = new StringBuilder("100 frames per port declaring 4 GiB (4-byte length), 2^63 (8-byte "
                + "length), 2 GiB (protobuf), 2^63 (WebSocket):");
        for (int t = 0; t < targets.length; t++) {
            byte[] attack = attacks[t];
            Server target = targets[t];
            try (Crowd crowd = Crowd.rush(target.port(), 100, i -> attack)) {
                assertEquals(0, crowd.await(Duration.ofSeconds(15), null), target.name() + " kept an absurd frame open");
            }
            ServerStats stats = target.stats();
            // The client sees the close before the loop counts it: wait for the count.
            Await.await(Duration.ofSeconds(10), () -> stats.closedConnections(CloseReason.PROTOCOL_ERROR) == 100,
                    () -> target.name() + " closes: " + closedByReason(stats));
            figures.append(' ').append(target.name()).append(": ").append(closedByReason(stats)).append(';');
        }
        long directGrowth = directMemoryUsed() - directBefore;
        EchoProbe.Report r = probe.stop();
        report("absurd lengths", transport, figures + " direct memory meanwhile +" + mib(directGrowth), r);
        assertTrue(directGrowth < 4L * 1024 * 1024, "absurd lengths made the server allocate: +" + mib(directGrowth));
        r.assertHealthy(MAX_P99);
    }

    // ---- descriptor exhaustion ---------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void runningOutOfDescriptorsPausesAcceptingInsteadOfSpinning(Transport transport) throws Exception {
        long limit = ProcessResources.openFilesLimit();
        Assumptions.assumeTrue(limit <= 65_536, "exhausting this JVM's descriptors means opening " + limit
                + " files (ulimit -n); this test does it only up to 65,536");
        String name = "hostile-fds-" + transport.name().toLowerCase();
        Server server = servers.start(TestServers.local((c, ctx, p) -> p, transport).name(name));
        EchoProbe probe = probe("raw", EchoProbe.raw(server.port()));
        Thread acceptor = null;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("gev-" + name + "-accept")) {
                acceptor = t;
            }
        }
        assertTrue(acceptor != null, "no accept thread");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Await.await(Duration.ofSeconds(10), () -> server.stats().activeConnections() == 1, () -> "probe registered");
        long accepted = server.stats().acceptedConnections();
        List<FileChannel> ballast = new ArrayList<>();
        boolean exhausted = false;
        long spentNanos;
        long windowNanos;
        // The clients live in a child JVM: this one is about to have no descriptor left.
        try (HeldConnections waiting = HeldConnections.prepare(Duration.ofMinutes(1),
                HeldConnections.group(server.port(), 5, "partial", "hello".getBytes(StandardCharsets.US_ASCII)))) {
            try {
                try {
                    while (ballast.size() < limit) {
                        ballast.add(FileChannel.open(Path.of("/dev/null"), StandardOpenOption.READ));
                    }
                } catch (IOException e) {
                    exhausted = true; // out of descriptors: what the test wanted
                }
                // Five connections wait in the backlog; accept fails with EMFILE as long as this lasts.
                assertEquals(5, waiting.connect().connected(), "connections established by the kernel");
                long cpu0 = threads.getThreadCpuTime(acceptor.getId());
                long t0 = System.nanoTime();
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
                spentNanos = threads.getThreadCpuTime(acceptor.getId()) - cpu0;
                windowNanos = System.nanoTime() - t0;
            } finally {
                for (FileChannel c : ballast) {
                    c.close();
                }
            }
            Await.await(Duration.ofSeconds(10), () -> server.stats().acceptedConnections() == accepted + 5,
                    () -> (server.stats().acceptedConnections() - accepted) + " of 5 waiting connections accepted "
                            + "once descriptors were free again");
        }
        EchoProbe.Report r = probe.stop();
        double busy = 100.0 * spentNanos / windowNanos;
        report("descriptor exhaustion", transport, String.format("%d descriptors opened to exhaust the table; the "
                + "accept thread used %.1f%% of a core while accept failed; the 5 waiting connections were accepted "
                + "once descriptors were free", ballast.size(), busy), r);
        assertTrue(exhausted, "the descriptor table never ran out");
        assertTrue(busy < 20, String.format("the accept thread spins while accept fails: %.1f%% of a core", busy));
        r.assertHealthy(MAX_P99);
    }

    // ---- ten thousand half-open connections --------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void tenThousandHalfOpenConnectionsAreReaped(Transport transport) throws Exception {
        Server ws = webSocket(transport);
        Server length = tcp(transport, "length", lengthField(4));
        EchoProbe probe = probe("both", EchoProbe.webSocket(ws.port(), "/echo"), EchoProbe.lengthField(length.port()));
        byte[] partialUpgrade = "GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] partialFrame = ByteBuffer.allocate(4 + 10).putInt(1000).array();
        int quarter = HALF_OPEN / 4;
        long t0 = System.nanoTime();
        try (HeldConnections held = HeldConnections.open(Duration.ofMinutes(2),
                HeldConnections.group(ws.port(), quarter * 2, "partial", partialUpgrade),
                HeldConnections.group(length.port(), quarter, "partial", partialFrame),
                HeldConnections.group(length.port(), quarter, "halfclose", partialFrame))) {
            long connectMillis = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(HALF_OPEN, held.connected(), "half-open connections established");
            held.awaitAllClosed(IDLE_TIMEOUT.plusSeconds(30), () -> "half-open connections the server never closed; ws "
                    + closedByReason(ws.stats()) + ", length " + closedByReason(length.stats()));
            long reapedMillis = (System.nanoTime() - t0) / 1_000_000;
            // The client sees a close before the loop counts it: wait for the counts.
            Await.await(Duration.ofSeconds(10), () -> ws.stats().activeConnections() == 1
                    && length.stats().activeConnections() == 1, () -> "ws " + closedByReason(ws.stats())
                    + ", length " + closedByReason(length.stats()));
            assertEquals(quarter * 2, ws.stats().closedConnections(CloseReason.LOCAL), "ws: " + closedByReason(ws.stats()));
            assertEquals(quarter, length.stats().closedConnections(CloseReason.IDLE), closedByReason(length.stats()));
            assertEquals(quarter, length.stats().closedConnections(CloseReason.PEER), closedByReason(length.stats()));
            EchoProbe.Report r = probe.stop();
            report("half-open", transport, HALF_OPEN + " connections (half a partial upgrade request, a quarter a partial "
                    + "frame, a quarter a partial frame and FIN) opened in " + connectMillis + " ms, all closed by the "
                    + "server " + reapedMillis + " ms after the start; ws " + closedByReason(ws.stats()) + ", length "
                    + closedByReason(length.stats()), r);
            r.assertHealthy(MAX_P99);
        }
        awaitOnlyProbesLeft(ws.stats(), 0, transport.toString());
        awaitOnlyProbesLeft(length.stats(), 0, transport.toString());
    }
}
