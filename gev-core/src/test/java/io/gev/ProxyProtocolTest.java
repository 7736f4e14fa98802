package io.gev;

import io.gev.loop.Transport;
import io.gev.protocol.LineProtocol;
import io.gev.testing.Await;
import io.gev.testing.LogCapture;
import io.gev.testing.ProxyHeaders;
import io.gev.testing.SegmentedSocket;
import io.gev.testing.SegmentedSocket.Cuts;
import io.gev.testing.TestCertificates;
import io.gev.testing.TestClient;
import io.gev.testing.TestServers;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;

import static io.gev.testing.ProxyHeaders.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PROXY protocol on a running server, real sockets under it: a client plays the balancer,
 * writing the header and then the connection's bytes, whole, coalesced, cut at random or byte by
 * byte, in plain TCP and under TLS.
 */
class ProxyProtocolTest {

    private static final InetSocketAddress CLIENT4 = new InetSocketAddress("203.0.113.7", 4711);
    private static final InetSocketAddress FRONT4 = new InetSocketAddress("192.0.2.1", 443);
    private static final InetSocketAddress CLIENT6 = new InetSocketAddress("2001:db8::7", 61000);
    private static final InetSocketAddress FRONT6 = new InetSocketAddress("2001:db8::1", 8443);

    @RegisterExtension
    final TestServers servers = new TestServers();

    /** Connections seen by the handler, as "remote local" per onConnect. */
    private final Queue<String> opened = new ConcurrentLinkedQueue<>();

    /** A handler that answers each connection with its remote address, then echoes lines. */
    private final Handler<ByteBuffer> addressEcho = new Handler<>() {
        @Override
        public void onConnect(Connection connection) {
            opened.add(connection.remoteAddress() + " " + connection.localAddress());
            connection.send(connection.remoteAddress().getAddress().getHostAddress() + ":"
                    + connection.remoteAddress().getPort());
        }

        @Override
        public Object onMessage(Connection connection, Object context, ByteBuffer line) {
            return line;
        }
    };

    private Server.Builder server(Transport transport, ProxyProtocol proxy) {
        return TestServers.local(LineProtocol.builder().build(), addressEcho, transport).name("proxy-" + transport).proxyProtocol(proxy);
    }

    private static ProxyProtocol trustingLoopback() {
        return ProxyProtocol.builder("127.0.0.1").build();
    }

    private static String address(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    private static BufferedReader lines(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void headerAndDataInOneSegmentGiveTheClientsAddressAndEveryByte(Transport transport) throws Exception {
        Server s = servers.start(server(transport, trustingLoopback()));
        for (byte[] header : List.of(ProxyHeaders.v1(CLIENT4, FRONT4), ProxyHeaders.v2(CLIENT6, FRONT6, ProxyHeaders.tlv(4, 30)))) {
            try (TestClient client = TestClient.connect(s)) {
                client.write(concat(header, "first\nsecond\n".getBytes()));
                BufferedReader in = lines(client.socket());
                String expected = header[0] == 'P' ? address(CLIENT4) : address(CLIENT6);
                assertEquals(expected, in.readLine().replace("%0", ""));
                assertEquals("first", in.readLine(), "bytes read with a v1 line are put back in front of the socket's");
                assertEquals("second", in.readLine());
                client.write("third\n");
                assertEquals("third", in.readLine());
            }
        }
        Await.await("two connections seen", () -> opened.size() == 2);
        for (String seen : opened) {
            assertTrue(seen.endsWith(" /127.0.0.1:" + s.port()), "the local address stays the socket's: " + seen);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void headersCutAtRandomOrByteByByteArriveWhole(Transport transport) throws Exception {
        Server s = servers.start(server(transport, trustingLoopback()));
        Random seeds = new Random(1833);
        for (int round = 0; round < 12; round++) {
            long seed = seeds.nextLong();
            Cuts cuts = round % 3 == 0 ? Cuts.byteByByte() : round % 3 == 1 ? Cuts.random() : Cuts.fixed(7);
            boolean v1 = round % 2 == 0;
            byte[] header = v1 ? ProxyHeaders.v1(CLIENT6, FRONT6) : ProxyHeaders.v2(CLIENT4, FRONT4, ProxyHeaders.tlv(4, round * 10));
            try (SegmentedSocket socket = SegmentedSocket.connect(s.port(), seed, cuts)) {
                OutputStream out = socket.getOutputStream();
                out.write(concat(header, ("line " + round + "\n").getBytes()));
                BufferedReader in = lines(socket);
                String context = "round " + round + " (seed " + seed + ", " + cuts + ")";
                assertEquals(v1 ? address(CLIENT6) : address(CLIENT4), in.readLine().replace("%0", ""), context);
                assertEquals("line " + round, in.readLine(), context);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void underTlsTheHeaderComesFirstAndTheHandshakeBehindIt(Transport transport) throws Exception {
        TestCertificates certificates = TestCertificates.get();
        Server s = servers.start(server(transport, trustingLoopback()).tls(certificates.serverOptions().build()));
        // The header and the ClientHello in one segment: the TLS layer gets what the header's read took.
        try (PrefixedSocket socket = new PrefixedSocket(ProxyHeaders.v1(CLIENT4, FRONT4))) {
            socket.connect(new InetSocketAddress("127.0.0.1", s.port()));
            try (SSLSocket tls = (SSLSocket) certificates.clientContext().getSocketFactory()
                    .createSocket(socket, "localhost", s.port(), true)) {
                tls.setSoTimeout(TestClient.TIMEOUT_MILLIS);
                tls.startHandshake();
                BufferedReader in = lines(tls);
                assertEquals(address(CLIENT4), in.readLine());
                tls.getOutputStream().write("over tls\n".getBytes());
                assertEquals("over tls", in.readLine());
            }
        }
        // Then cut at random, the header and the handshake alike.
        try (SegmentedSocket socket = SegmentedSocket.connect(s.port(), 7, Cuts.random())) {
            socket.getOutputStream().write(ProxyHeaders.v2(CLIENT6, FRONT6, new byte[0]));
            try (SSLSocket tls = socket.tls(certificates.clientContext())) {
                BufferedReader in = lines(tls);
                assertEquals(address(CLIENT6), in.readLine().replace("%0", ""));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void theBalancersOwnConnectionsKeepTheSocketsAddress(Transport transport) throws Exception {
        Server s = servers.start(server(transport, trustingLoopback()));
        for (byte[] header : List.of(ProxyHeaders.v2Local(), ProxyHeaders.line("PROXY UNKNOWN"))) {
            try (TestClient client = TestClient.connect(s)) {
                client.write(header);
                String seen = lines(client.socket()).readLine();
                assertEquals("127.0.0.1:" + client.socket().getLocalPort(), seen);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void badHeadersCloseTheConnectionWithALogLineAndTheHandlerNeverSeesIt(Transport transport) throws Exception {
        Server s = servers.start(server(transport, trustingLoopback()));
        List<byte[]> bad = List.of(
                "GET / HTTP/1.1\r\n\r\n".getBytes(),
                ProxyHeaders.line("PROXY TCP4 example.com 192.0.2.1 1 2"),
                ProxyHeaders.v2(0x21, 0x12, new byte[12]),
                new byte[] {0x16, 0x03, 0x01, 0x00, 0x05});
        try (LogCapture log = LogCapture.start()) {
            for (byte[] header : bad) {
                try (TestClient client = TestClient.connect(s)) {
                    client.write(header);
                    assertTrue(client.awaitClosed());
                }
            }
            log.awaitLine("Closing", "PROXY protocol", "does not begin with a PROXY protocol header");
            log.awaitLine("Closing", "source address 'example.com', not an IPv4 literal");
            log.awaitLine("Closing", "datagram connection");
        }
        Await.await("four protocol errors", () -> s.stats().closedConnections(CloseReason.PROTOCOL_ERROR) == 4);
        assertTrue(opened.isEmpty(), "the handler heard of none: " + opened);
        // The server carries on.
        try (TestClient good = TestClient.connect(s)) {
            good.write(ProxyHeaders.v1(CLIENT4, FRONT4));
            assertEquals(address(CLIENT4), lines(good.socket()).readLine());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void headerSizeLimitAtBelowAndAbove(Transport transport) throws Exception {
        int limit = 300;
        Server s = servers.start(server(transport, ProxyProtocol.builder("127.0.0.1").maxHeaderSize(limit).build()));
        int base = ProxyHeaders.v2(CLIENT4, FRONT4, new byte[0]).length;
        for (int size : new int[] {limit - 1, limit, limit + 1}) {
            byte[] header = ProxyHeaders.v2(CLIENT4, FRONT4, ProxyHeaders.tlv(4, size - base - 3));
            assertEquals(size, header.length);
            try (TestClient client = TestClient.connect(s)) {
                client.write(header);
                if (size <= limit) {
                    assertEquals(address(CLIENT4), lines(client.socket()).readLine(), size + " bytes");
                } else {
                    assertTrue(client.awaitClosed(), size + " bytes");
                }
            }
        }
        // The client may see the close before the loop counts it.
        Await.await("one protocol error", () -> s.stats().closedConnections(CloseReason.PROTOCOL_ERROR) == 1);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aBalancerThatSendsNoHeaderInTimeIsClosed(Transport transport) throws Exception {
        Server s = servers.start(server(transport, ProxyProtocol.builder("127.0.0.1").headerTimeout(Duration.ofMillis(200)).build()));
        try (LogCapture log = LogCapture.start(); TestClient client = TestClient.connect(s)) {
            client.write("PROXY TCP4 ");
            assertTrue(client.awaitClosed());
            log.awaitLine("no complete PROXY protocol header within PT0.2S (11 bytes received)");
        }
        assertTrue(opened.isEmpty());
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aConnectionThatClosesBeforeAnyByteIsClosedQuietly(Transport transport) throws Exception {
        Server s = servers.start(server(transport, trustingLoopback()));
        try (LogCapture log = LogCapture.start()) {
            new Socket("127.0.0.1", s.port()).close(); // a balancer's health check
            try (TestClient client = TestClient.connect(s)) {
                client.write("PROXY TCP4 1.2.3.4");
                client.shutdownOutput();
                assertTrue(client.awaitClosed());
            }
            log.awaitLine("the connection ended after 18 bytes of a PROXY protocol header");
            Await.await("the health check closed", () -> s.stats().closedConnections(CloseReason.PEER) == 1);
            assertFalse(log.text().contains("refused"), log.text());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void anUntrustedPeerIsRefusedBeforeItsHeaderIsRead(Transport transport) throws Exception {
        // The forger binds 127.0.0.2, which Linux serves on the loopback interface as it does 127.0.0.1.
        Server s = servers.start(server(transport, trustingLoopback()));
        try (LogCapture log = LogCapture.start(); Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress("127.0.0.2", 0));
            socket.connect(new InetSocketAddress("127.0.0.1", s.port()));
            TestClient forger = new TestClient(socket);
            forger.write(ProxyHeaders.v1(CLIENT4, FRONT4)); // may meet a closed socket already
            assertTrue(forger.awaitClosed());
            log.awaitLine("refused a connection from /127.0.0.2", "not a trusted balancer", "[127.0.0.1]");
        } catch (IOException resetWhileWriting) {
            // The server closed before the write: refused all the same, as the stats below say.
        }
        Await.await("one rejected", () -> s.stats().closedConnections(CloseReason.REJECTED) == 1);
        assertTrue(opened.isEmpty(), "the handler never heard of it: " + opened);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aFloodOfUntrustedPeersLogsAFewLinesAndASummary(Transport transport) throws Exception {
        Server s = servers.start(server(transport, trustingLoopback()).clientFaultLogLimit(2));
        try (LogCapture log = LogCapture.start()) {
            for (int i = 0; i < 10; i++) {
                try (Socket socket = new Socket()) {
                    socket.bind(new InetSocketAddress("127.0.0.2", 0));
                    socket.connect(new InetSocketAddress("127.0.0.1", s.port()));
                    assertTrue(new TestClient(socket).awaitClosed());
                }
            }
            Await.await("ten rejected", () -> s.stats().closedConnections(CloseReason.REJECTED) == 10);
            s.stop(Duration.ofSeconds(5)); // the summary of the interval comes out at the latest here
            log.awaitLine("gev server 'proxy-" + transport + "': ... and 8 more refused connections in the last minute");
            long lines = log.text().lines().filter(line -> line.contains("WARN") && line.contains("refused a connection from /127.0.0.2")).count();
            assertEquals(2, lines, log.text());
        }
        // And the server ran on: nothing else hurt.
        s.start();
        try (TestClient good = TestClient.connect(s)) {
            good.write(ProxyHeaders.v1(CLIENT4, FRONT4));
            assertEquals(address(CLIENT4), lines(good.socket()).readLine());
        }
    }

    /** A socket whose first write is prefixed with bytes: a header and a ClientHello in one segment. */
    private static final class PrefixedSocket extends Socket {

        private final byte[] prefix;
        private OutputStream output;

        PrefixedSocket(byte[] prefix) throws IOException {
            this.prefix = prefix;
            setTcpNoDelay(true);
            setSoTimeout(TestClient.TIMEOUT_MILLIS);
        }

        @Override
        public synchronized OutputStream getOutputStream() throws IOException {
            if (output == null) {
                OutputStream socket = super.getOutputStream();
                output = new OutputStream() {
                    private boolean first = true;

                    @Override
                    public void write(int b) throws IOException {
                        write(new byte[] {(byte) b}, 0, 1);
                    }

                    @Override
                    public void write(byte[] bytes, int offset, int length) throws IOException {
                        if (first) {
                            first = false;
                            byte[] both = new byte[prefix.length + length];
                            System.arraycopy(prefix, 0, both, 0, prefix.length);
                            System.arraycopy(bytes, offset, both, prefix.length, length);
                            socket.write(both);
                        } else {
                            socket.write(bytes, offset, length);
                        }
                    }
                };
            }
            return output;
        }
    }
}
