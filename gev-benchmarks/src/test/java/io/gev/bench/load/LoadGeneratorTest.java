package io.gev.bench.load;

import io.gev.bench.server.BenchCertificate;
import io.gev.bench.server.BenchServer;
import io.gev.bench.server.ControlPort;
import io.gev.bench.server.GevEchoServer;
import io.gev.bench.server.GevOffloadEchoServer;
import io.gev.bench.server.GevTlsEchoServer;
import io.gev.bench.server.GevUdpEchoServer;
import io.gev.bench.server.GevUnixEchoServer;
import io.gev.bench.server.NettyOffloadEchoServer;
import io.gev.bench.server.NettyTlsEchoServer;
import io.gev.bench.server.NettyUdpEchoServer;
import io.gev.bench.server.NettyWebSocketEchoServer;
import org.junit.jupiter.api.Test;
import io.gev.TlsOptions;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLContext;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load generator passes correct servers and catches every kind of broken echo. */
class LoadGeneratorTest {

    private static LoadOptions options(String mode, int port, int connections, int size, String... more) {
        List<String> args = new ArrayList<>(List.of("--mode", mode, "--port", Integer.toString(port),
                "-c", Integer.toString(connections), "-m", Integer.toString(size), "--warmup", "0.1", "-d", "0.4",
                "--connect-timeout", "5"));
        args.addAll(List.of(more));
        return LoadOptions.parse(args.toArray(new String[0]));
    }

    /** Sets {@code o} to give gev and the Netty server on {@code nettyPort} the load in short turns. */
    private static void againstNetty(LoadOptions o, int nettyPort) {
        o.label = "gev";
        o.portB = nettyPort;
        o.labelB = "netty";
        o.sliceSeconds = 0.1;
    }

    private static void assertClean(Report r) {
        assertEquals(0, r.errors, () -> "errors: " + r.firstError);
        assertTrue(r.ops > 0, "no operation completed");
        assertTrue(r.p99Micros > 0 && r.p50Micros <= r.p99Micros, "latency " + r.p50Micros + " / " + r.p99Micros);
    }

    @Test
    void echoAgainstACorrectServerCountsMessagesAndNoError() throws Exception {
        try (FaultyEchoServer server = new FaultyEchoServer(FaultyEchoServer.Fault.NONE, -1)) {
            Report r = LoadGenerator.run(options("echo", server.port(), 8, 700));
            assertClean(r);
            assertEquals(700, r.messageSize);
        }
    }

    @ParameterizedTest
    @EnumSource(value = FaultyEchoServer.Fault.class, names = {"CORRUPT", "DROP", "DUPLICATE"})
    void echoCatchesAServerThatBreaksTheStream(FaultyEchoServer.Fault fault) throws Exception {
        // The fault hits each connection's first message, which every connection sends however
        // loaded the machine is. Byte 63 ends that 64-byte message: dropped, it leaves the echo
        // incomplete for good (a dropped byte elsewhere shifts the rest and shows as a mismatch).
        int at = fault == FaultyEchoServer.Fault.DROP ? 63 : 40;
        try (FaultyEchoServer server = new FaultyEchoServer(fault, at)) {
            Report r = LoadGenerator.run(options("echo", server.port(), 4, 64));
            // Each of the 4 connections is broken once.
            assertEquals(4, r.errors, () -> fault + ": " + r.firstError);
            String expected = fault == FaultyEchoServer.Fault.DROP ? "stalled" : "offset";
            assertTrue(r.firstError.contains(expected), r.firstError);
        }
    }

    @Test
    void pipelineKeepsKInFlightAndCatchesCorruption() throws Exception {
        try (FaultyEchoServer good = new FaultyEchoServer(FaultyEchoServer.Fault.NONE, -1);
             FaultyEchoServer bad = new FaultyEchoServer(FaultyEchoServer.Fault.CORRUPT, 5000)) {
            LoadOptions o = options("pipeline", good.port(), 4, 64);
            o.inFlight = 16;
            assertClean(LoadGenerator.run(o));
            o = options("pipeline", bad.port(), 4, 64);
            o.inFlight = 16;
            assertEquals(4, LoadGenerator.run(o).errors);
        }
    }

    @Test
    void echoAgainstGev() throws Exception {
        try (BenchServer.Peer gev = new GevEchoServer()) {
            Report r = LoadGenerator.run(options("echo", gev.start(0, 1), 20, 4096));
            assertClean(r);
        }
    }

    @Test
    void echoOverAUnixSocketAgainstGevOverTcpTakingTurns() throws Exception {
        try (BenchServer.Peer unix = new GevUnixEchoServer(); BenchServer.Peer tcp = new GevEchoServer()) {
            unix.start(0, 1);
            LoadOptions o = LoadOptions.parse(new String[] {"--mode", "echo", "--port", "unix:" + unix.unixSocket(),
                    "--port-b", Integer.toString(tcp.start(0, 1)), "--label", "gev", "--label-b", "gev-tcp",
                    "-c", "10", "-m", "512", "--warmup", "0.1", "-d", "0.4", "--connect-timeout", "5",
                    "--slice", "0.1"});
            assertEquals(unix.unixSocket(), o.unixSocket);
            Report[] both = LoadGenerator.runAll(o);
            assertEquals("gev-tcp", both[1].label);
            for (Report r : both) {
                assertClean(r);
            }
        }
    }

    @Test
    void twoServersTakeTurnsAndEachIsVerified() throws Exception {
        try (BenchServer.Peer gev = new GevEchoServer();
             FaultyEchoServer good = new FaultyEchoServer(FaultyEchoServer.Fault.NONE, -1);
             FaultyEchoServer bad = new FaultyEchoServer(FaultyEchoServer.Fault.CORRUPT, 2000)) {
            LoadOptions o = options("echo", gev.start(0, 1), 5, 100);
            o.portB = good.port();
            o.labelB = "good";
            o.sliceSeconds = 0.1;
            Report[] both = LoadGenerator.runAll(o);
            assertEquals(2, both.length);
            assertEquals("good", both[1].label);
            for (Report r : both) {
                assertClean(r);
                // Each had the load for about half of the two windows' time.
                assertTrue(r.seconds > 0.2 && r.seconds < 0.7, "active " + r.seconds + " s");
            }
            o.portB = bad.port();
            assertEquals(5, LoadGenerator.runAll(o)[1].errors);
        }
    }

    @Test
    void webSocketAgainstNettyAndAgainstAPlainEcho() throws Exception {
        try (BenchServer.Peer netty = new NettyWebSocketEchoServer();
             FaultyEchoServer plain = new FaultyEchoServer(FaultyEchoServer.Fault.NONE, -1)) {
            int port = netty.start(0, 1);
            assertClean(LoadGenerator.run(options("ws", port, 10, 512)));
            assertClean(LoadGenerator.run(options("ws", port, 2, 70_000)));
            // A plain echo returns the request instead of a 101: the handshake fails.
            Report r = LoadGenerator.run(options("ws", plain.port(), 3, 512));
            assertEquals(3, r.errors);
            assertTrue(r.firstError.contains("handshake"), r.firstError);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void tlsEchoAgainstGevAndNettyTakingTurns(boolean openSsl) throws Exception {
        try (BenchServer.Peer gev = new GevTlsEchoServer(openSsl ? TlsOptions.Provider.OPENSSL : TlsOptions.Provider.JDK);
             BenchServer.Peer netty = new NettyTlsEchoServer(openSsl ? SslProvider.OPENSSL : SslProvider.JDK)) {
            LoadOptions o = options("echo", gev.start(0, 1), 10, 512);
            o.tls = true;
            againstNetty(o, netty.start(0, 1));
            Report[] both = LoadGenerator.runAll(o);
            assertEquals(2, both.length);
            for (Report r : both) {
                assertClean(r);
                assertEquals("tls-echo c=10 m=512", r.scenario);
            }
            // Messages larger than a TLS record, several records each way.
            o.portB = 0;
            o.messageSize = 40_000;
            assertClean(LoadGenerator.run(o));
        }
    }

    @Test
    void udpEchoAgainstGevAndNettyTakingTurns() throws Exception {
        try (BenchServer.Peer gev = new GevUdpEchoServer(); BenchServer.Peer netty = new NettyUdpEchoServer()) {
            LoadOptions o = options("udp", gev.start(0, 1), 10, 64, "-k", "4");
            againstNetty(o, netty.start(0, 1));
            Report[] both = LoadGenerator.runAll(o);
            assertEquals(2, both.length);
            for (Report r : both) {
                assertClean(r);
                assertEquals("udp-echo c=10 m=64 K=4", r.scenario);
                assertEquals(64, r.messageSize);
            }
        }
    }

    @Test
    void udpCatchesAServerThatCorruptsOrCutsDatagrams() throws Exception {
        for (int fault = 0; fault < 2; fault++) {
            int kind = fault;
            try (java.net.DatagramSocket server = new java.net.DatagramSocket(
                    new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0))) {
                Thread t = new Thread(() -> {
                    byte[] buffer = new byte[4096];
                    java.net.DatagramPacket p = new java.net.DatagramPacket(buffer, buffer.length);
                    try {
                        while (true) {
                            p.setLength(buffer.length);
                            server.receive(p);
                            if (kind == 0) {
                                buffer[20] ^= 1;
                            } else {
                                p.setLength(p.getLength() - 1);
                            }
                            server.send(p);
                        }
                    } catch (java.io.IOException closed) {
                        // The test is over.
                    }
                });
                t.setDaemon(true);
                t.start();
                Report r = LoadGenerator.run(options("udp", server.getLocalPort(), 2, 64));
                assertTrue(r.errors > 0, "fault " + kind + " not caught");
                assertTrue(r.firstError.contains(kind == 0 ? "differs" : "bytes"), r.firstError);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> options("udp", 1, 1, 4));
        assertThrows(IllegalArgumentException.class, () -> options("udp", 1, 1, 4096));
    }

    @Test
    void offloadedEchoAgainstGevAndNettyTakingTurns() throws Exception {
        try (BenchServer.Peer gev = new GevOffloadEchoServer();
             BenchServer.Peer netty = new NettyOffloadEchoServer()) {
            LoadOptions o = options("echo", gev.start(0, 1), 10, 512);
            o.tag = "offload";
            againstNetty(o, netty.start(0, 1));
            Report[] both = LoadGenerator.runAll(o);
            assertEquals(2, both.length);
            for (Report r : both) {
                assertClean(r);
                assertEquals("offload-echo c=10 m=512", r.scenario);
            }
            // Small messages, and large ones that arrive in several reads, each its own hand-off.
            for (int size : new int[] {6, 200_000}) {
                o.messageSize = size;
                for (Report r : LoadGenerator.runAll(o)) {
                    assertClean(r);
                }
            }
        }
    }

    @Test
    void tlsEchoCatchesCorruptionBehindTheEncryptionAndRefusesAPlainServer() throws Exception {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(BenchCertificate.keyManagers().getKeyManagers(), null, null);
        try (FaultyEchoServer bad = new FaultyEchoServer(FaultyEchoServer.Fault.CORRUPT, 40, tls);
             FaultyEchoServer plain = new FaultyEchoServer(FaultyEchoServer.Fault.NONE, -1)) {
            LoadOptions o = options("echo", bad.port(), 4, 64);
            o.tls = true;
            Report r = LoadGenerator.run(o);
            assertEquals(4, r.errors, r.firstError);
            assertTrue(r.firstError.contains("offset 40"), r.firstError);
            // A plain echo returns the ClientHello: no handshake.
            o.port = plain.port();
            r = LoadGenerator.run(o);
            assertEquals(4, r.errors, r.firstError);
            assertEquals(0, r.ops);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void tlsHandshakesFullAndResumedAgainstGevAndNettyTakingTurns(boolean openSsl) throws Exception {
        try (BenchServer.Peer gev = new GevTlsEchoServer(openSsl ? TlsOptions.Provider.OPENSSL : TlsOptions.Provider.JDK);
             BenchServer.Peer netty = new NettyTlsEchoServer(openSsl ? SslProvider.OPENSSL : SslProvider.JDK)) {
            LoadOptions o = options("handshake", gev.start(0, 1), 4, 1, "--tls");
            o.tag = openSsl ? "openssl" : null;
            againstNetty(o, netty.start(0, 1));
            String prefix = openSsl ? "tls-openssl-handshake " : "tls-handshake ";
            for (Report r : LoadGenerator.runAll(o)) {
                assertClean(r);
                assertEquals(prefix + "full c=4", r.scenario);
                assertEquals(0, r.resumedPercent, r.label + " resumed sessions nobody offered");
            }
            o.resume = true;
            for (Report r : LoadGenerator.runAll(o)) {
                assertClean(r);
                assertEquals(prefix + "resumed c=4", r.scenario);
                // Only each slot's first handshake, before it has a session to offer, is full;
                // the short warm-up may leave those to the window.
                double full = r.ops * (100 - r.resumedPercent) / 100;
                assertTrue(r.resumedPercent > 0 && full < 4.5, r.label + " resumed " + r.resumedPercent + " % of " + r.ops);
            }
        }
    }

    /**
     * The resumption count is the server's doing, not the client's asking: the same resumed run
     * resumes against the JDK's server and fails against one that makes a new context (new ticket
     * keys, an empty session cache) for every connection.
     */
    @Test
    void aResumedRunFailsAgainstAServerThatNeverResumes() throws Exception {
        try (FaultyEchoServer remembering = new FaultyEchoServer(FaultyEchoServer.Fault.NONE, -1, serverContext());
             FaultyEchoServer forgetting = FaultyEchoServer.forgettingSessions(LoadGeneratorTest::serverContext)) {
            // A warm-up long enough for each slot's first, full, handshake in a cold JVM.
            Report r = LoadGenerator.run(options("handshake", remembering.port(), 2, 1, "--tls", "--resume",
                    "--warmup", "1"));
            assertClean(r);
            assertTrue(r.resumedPercent > 0, "resumed " + r.resumedPercent + " %");
            r = LoadGenerator.run(options("handshake", forgetting.port(), 2, 1, "--tls", "--resume"));
            assertTrue(r.ops > 0, "no handshake completed");
            assertEquals(0, r.resumedPercent);
            assertEquals(1, r.errors, r.firstError);
            assertTrue(r.firstError.startsWith("no session resumed"), r.firstError);
        }
    }

    private static SSLContext serverContext() {
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(BenchCertificate.keyManagers().getKeyManagers(), null, null);
            return tls;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void connectChurnAgainstGevAndAgainstACorruptingServer() throws Exception {
        try (BenchServer.Peer gev = new GevEchoServer();
             FaultyEchoServer good = new FaultyEchoServer(FaultyEchoServer.Fault.NONE, -1);
             FaultyEchoServer bad = new FaultyEchoServer(FaultyEchoServer.Fault.CORRUPT, 3)) {
            LoadOptions o = options("connect", gev.start(0, 1), 8, 1);
            o.portB = good.port();
            o.sliceSeconds = 0.1;
            for (Report r : LoadGenerator.runAll(o)) {
                assertClean(r);
            }
            Report r = LoadGenerator.run(options("connect", bad.port(), 2, 1));
            assertTrue(r.errors > 0 && r.firstError.contains("differs"), r.firstError);
        }
    }

    @Test
    void idleConnectionsAreWeighedInTheServer() throws Exception {
        try (BenchServer.Peer gev = new GevEchoServer()) {
            LoadOptions o = options("connect", gev.start(0, 1), 500, 1);
            o.idle = true;
            o.controlPort = new ControlPort().port();
            Report r = LoadGenerator.run(o);
            assertEquals(0, r.errors, r.firstError);
            assertEquals(500, r.ops);
            assertTrue(!Double.isNaN(r.bytesPerConnection()), "no memory figure");
        }
    }

    @Test
    void theResultLineRoundTrips() {
        Report r = new Report();
        r.label = "gev";
        r.scenario = "echo c=50 m=6";
        r.ops = 1000;
        r.seconds = 2;
        r.messageSize = 6;
        r.p50Micros = 10;
        r.p99Micros = 20;
        r.p999Micros = 30;
        r.serverCpuNanosPerOp = 1234.5;
        Report back = Report.parse(r.line());
        assertEquals(r.line(), back.line());
        assertEquals("echo c=50 m=6", back.scenario);
        assertEquals(500, back.opsPerSecond(), 0.001);
    }

    @Test
    void onlyLoopbackTargetsAreAccepted() {
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("--host", "10.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("-k", "4"));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("--mode", "connect", "--tls"));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("--mode", "handshake"));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("--mode", "echo", "--tls", "--resume"));
        assertEquals("tls-openssl-handshake resumed c=7",
                LoadOptions.parse("--mode", "handshake", "--tls", "--tag", "openssl", "--resume", "-c", "7").scenario());
    }
}
