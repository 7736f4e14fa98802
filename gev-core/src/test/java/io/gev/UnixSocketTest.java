package io.gev;

import io.gev.loop.Transport;
import io.gev.protocol.LengthFieldProtocol;
import io.gev.protocol.RawProtocol;
import io.gev.testing.Connections;
import io.gev.testing.EchoStream;
import io.gev.testing.LogCapture;
import io.gev.testing.ProxyHeaders;
import io.gev.testing.TestCertificates;
import io.gev.testing.TestServers;
import io.gev.websocket.WebSocketHandler;
import io.gev.websocket.WebSocketMessage;
import io.gev.websocket.WebSocketOptions;
import io.gev.websocket.WebSocketServer;
import io.gev.websocket.WebSocketSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.gev.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Servers on Unix domain sockets against clients nobody here wrote: socat, Python's AF_UNIX
 * sockets and its websockets library, OpenSSL's s_client and the JDK's channels; the socket file's
 * life (stale, in use, not a socket, permissions, removal) and peer credentials.
 */
class UnixSocketTest {

    private static final Path SOCAT = Path.of("/usr/bin/socat");
    private static final Path OPENSSL = Path.of("/usr/bin/openssl");
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @RegisterExtension
    final TestServers servers = new TestServers();

    @TempDir
    Path dir;

    private static Server.Builder unix(Path file, Transport transport) {
        return unix(RawProtocol.INSTANCE, (c, ctx, p) -> p, file, transport);
    }

    private static <M> Server.Builder unix(io.gev.protocol.Protocol<M> protocol, Handler<? super M> handler, Path file,
            Transport transport) {
        return Server.builder(protocol, handler).unixSocket(file).loops(2).transport(transport).daemonThreads(true);
    }

    // ---- clients nobody here wrote ------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void echoesRandomBytesToSocat(Transport transport) throws Exception {
        assumeTrue(Files.isExecutable(SOCAT), "/usr/bin/socat is missing (apt-get install socat, as .ci/run does)");
        Path file = dir.resolve("raw.sock");
        Server server = servers.start(unix(file, transport));
        assertEchoes(new ProcessBuilder(SOCAT.toString(), "-b", "65536", "-", "UNIX-CONNECT:" + file), 3000);
        await("the socat connection closed", () -> server.stats().activeConnections() == 0);
        assertEquals(0, server.stats().closedConnections(CloseReason.PROTOCOL_ERROR));
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void echoesRawBytesToPythonInRandomCuts(Transport transport) throws Exception {
        Path file = dir.resolve("raw-py.sock");
        servers.start(unix(file, transport));
        String output = python(file, "raw", 43, false);
        assertTrue(output.startsWith("OK 2097152 bytes"), output);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void echoesLengthFieldFramesToPythonInRandomCuts(Transport transport) throws Exception {
        Path file = dir.resolve("frames.sock");
        Server server = servers.start(unix(LengthFieldProtocol.builder().build(), (c, ctx, p) -> p, file, transport));
        String output = python(file, "length", 42, false);
        assertTrue(output.startsWith("OK 500 frames"), output);
        assertEquals(0, server.stats().closedConnections(CloseReason.PROTOCOL_ERROR));
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void servesWebSocketToPythonWebsockets(Transport transport) throws Exception {
        Path file = dir.resolve("ws.sock");
        BlockingQueue<String> closes = new LinkedBlockingQueue<>();
        WebSocketHandler echo = new WebSocketHandler() {
            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                return message;
            }

            @Override
            public void onClose(WebSocketSession session, int code, String reason) {
                closes.add(code + " " + reason + " " + session.remoteAddress());
            }
        };
        servers.start(WebSocketServer.builder(echo, WebSocketOptions.builder().paths("/echo").build())
                .unixSocket(file).loops(2).transport(transport).daemonThreads(true));
        String output = python(file, "websocket", 7, true);
        assertTrue(output.startsWith("OK 200 messages"), output);
        assertEquals("4000 done null", closes.poll(10, TimeUnit.SECONDS));
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void servesTlsToOpensslSClient(Transport transport) throws Exception {
        assumeTrue(Files.isExecutable(OPENSSL), "/usr/bin/openssl is missing (apt-get install openssl)");
        TestCertificates certificates = TestCertificates.get();
        Path file = dir.resolve("tls.sock");
        Server server = servers.start(unix(file, transport).tls(certificates.serverOptions().build()));
        assertEchoes(new ProcessBuilder(OPENSSL.toString(), "s_client", "-unix", file.toString(),
                "-servername", "localhost", "-CAfile", certificates.serverCertificatePem().toString(),
                "-verify_return_error", "-verify_hostname", "localhost", "-quiet", "-nocommands"), 1000);
        await("the s_client connection closed", () -> server.stats().activeConnections() == 0);
        assertEquals(0, server.stats().closedConnections(CloseReason.TLS_ERROR));
    }

    /** Runs {@code client}, whose standard input and output are its connection, and checks it echoes. */
    private static void assertEchoes(ProcessBuilder client, int messages) throws Exception {
        Path errors = Files.createTempFile("unix-client", ".err");
        Process p = client.redirectError(errors.toFile()).start();
        // Reads of a pipe cannot be interrupted: end the client if it hangs, so the read sees EOF.
        Thread watchdog = new Thread(() -> {
            try {
                if (!p.waitFor(45, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException ignored) {
                // The test is over.
            }
        });
        watchdog.setDaemon(true);
        watchdog.start();
        long seed = System.nanoTime();
        try {
            long bytes = EchoStream.run(p.getInputStream(), p.getOutputStream(), seed, messages,
                    random -> 1 + random.nextInt(4096));
            assertTrue(bytes > messages, "seed " + seed);
        } catch (IOException | AssertionError e) {
            throw new AssertionError("seed " + seed + "; the client said: " + Files.readString(errors), e);
        } finally {
            p.destroyForcibly();
            watchdog.interrupt();
            Files.deleteIfExists(errors);
        }
    }

    /** Runs the Python client in {@code mode} against {@code file} and returns what it printed. */
    private static String python(Path file, String mode, long seed, boolean websockets, String... runAs)
            throws Exception {
        assumeTrue(Files.isExecutable(PYTHON), "/usr/bin/python3 is missing");
        if (websockets) {
            Process check = new ProcessBuilder(PYTHON.toString(), "-c", "import websockets").start();
            assumeTrue(check.waitFor(30, TimeUnit.SECONDS) && check.exitValue() == 0,
                    "skipped: /usr/bin/python3 cannot import websockets (install python3-websockets, as .ci/run does)");
        }
        Path script = Files.createTempFile("unix_client", ".py");
        try (InputStream in = UnixSocketTest.class.getResourceAsStream("/transport/unix_client.py")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        List<String> command = new ArrayList<>(List.of(runAs));
        command.addAll(List.of(PYTHON.toString(), script.toString(), file.toString(), mode, String.valueOf(seed)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (InputStream out = p.getInputStream()) {
            output = new String(out.readAllBytes(), StandardCharsets.UTF_8).strip();
        } finally {
            Files.deleteIfExists(script);
        }
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the python client did not finish: " + output);
        assertEquals(0, p.exitValue(), output);
        return output;
    }

    // ---- who connected ------------------------------------------------------------------------

    @Test
    void readsThePeersPidUidAndGidOnEpoll() throws Exception {
        BlockingQueue<PeerCredentials> seen = new LinkedBlockingQueue<>();
        Handler<ByteBuffer> whoAsks = (c, ctx, p) -> {
            PeerCredentials credentials = c.peerCredentials();
            seen.add(credentials);
            return ByteBuffer.wrap(String.valueOf(credentials.pid().getAsLong()).getBytes(StandardCharsets.US_ASCII));
        };
        Path file = dir.resolve("who.sock");
        servers.start(unix(LengthFieldProtocol.builder().build(), whoAsks, file, Transport.EPOLL));

        // Python checks that the pid the server read is its own.
        assertTrue(python(file, "pid", 0, false).startsWith("OK pid"));
        PeerCredentials python = seen.poll(10, TimeUnit.SECONDS);
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        int gid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:gid");
        assertEquals(uid, python.uid().getAsInt());
        assertEquals(gid, python.gid().getAsInt());

        // This JVM's own channel: the pid is this process's.
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(file))) {
            client.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 1, '?'}));
            PeerCredentials own = seen.poll(10, TimeUnit.SECONDS);
            assertEquals(ProcessHandle.current().pid(), own.pid().getAsLong());
            assertEquals(uid, own.uid().getAsInt());
            assertFalse(own.user().isPresent());
        }
    }

    @Test
    void readsThePeersUserAndGroupOnNio() throws Exception {
        Connections connections = new Connections();
        Path file = dir.resolve("names.sock");
        servers.start(unix(RawProtocol.INSTANCE, connections, file, Transport.NIO));
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(file))) {
            Connection c = connections.next();
            PeerCredentials credentials = c.peerCredentials();
            assertEquals(System.getProperty("user.name"), credentials.user().orElseThrow());
            assertTrue(credentials.group().isPresent());
            assertFalse(credentials.pid().isPresent(), "NIO tells names only: " + credentials);
            assertNull(c.remoteAddress());
            assertNull(c.localAddress());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aTcpConnectionHasNoPeerCredentials(Transport transport) throws Exception {
        Connections connections = new Connections();
        Server server = servers.start(TestServers.local(connections, transport));
        try (SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()))) {
            Connection c = connections.next();
            assertNull(c.peerCredentials());
            assertEquals(client.getLocalAddress(), c.remoteAddress());
        }
    }

    @Test
    void aPeerBehindThePROXYProtocolOnAUnixSocketHasTheClientsAddress() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        Path file = dir.resolve("proxied.sock");
        // Trust is by the file's permissions here: the trusted proxies are for TCP peers.
        Handler<ByteBuffer> echo = (c, ctx, p) -> {
            connected.add(c);
            return p;
        };
        servers.start(unix(RawProtocol.INSTANCE, echo, file, Transport.EPOLL)
                .proxyProtocol(ProxyProtocol.builder("10.0.0.1").build()).maxConnectionsPerAddress(1));
        InetSocketAddress source = new InetSocketAddress("203.0.113.7", 40000);
        byte[] header = ProxyHeaders.v2(source, new InetSocketAddress("198.51.100.1", 443), new byte[0]);
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(file))) {
            client.write(ByteBuffer.wrap(ProxyHeaders.concat(header, "hi".getBytes(StandardCharsets.US_ASCII))));
            ByteBuffer reply = ByteBuffer.allocate(2);
            while (reply.hasRemaining() && client.read(reply) >= 0) {
                // reads the echo
            }
            assertEquals("hi", new String(reply.array(), StandardCharsets.US_ASCII));
            assertEquals(source, connected.poll(10, TimeUnit.SECONDS).remoteAddress());
            // The limit of one counts the client's address the header gave.
            try (SocketChannel second = SocketChannel.open(UnixDomainSocketAddress.of(file))) {
                second.write(ByteBuffer.wrap(header));
                assertEquals(-1, second.read(ByteBuffer.allocate(1)), "a second connection from the same client");
            }
        }
    }

    // ---- gev's client ------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aClientExchangesFramesOverASocketFile(Transport transport) throws Exception {
        Path file = dir.resolve("upstream.sock");
        Connections server = new Connections();
        servers.start(unix(RawProtocol.INSTANCE, server, file, transport));
        BlockingQueue<String> replies = new LinkedBlockingQueue<>();
        Handler<ByteBuffer> collect = (c, ctx, p) -> {
            replies.add(StandardCharsets.US_ASCII.decode(p).toString());
            return null;
        };
        try (Client client = Client.builder(LengthFieldProtocol.builder().build(), collect).transport(transport)
                .build()) {
            Connection c = client.connect(UnixDomainSocketAddress.of(file)).get(10, TimeUnit.SECONDS);
            assertNull(c.remoteAddress());
            assertNotNull(server.next().peerCredentials());
            c.send(ByteBuffer.wrap("over a file".getBytes(StandardCharsets.US_ASCII)));
            assertEquals("over a file", replies.poll(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aClientNamesTheSocketFileItCannotConnectTo() throws Exception {
        Path missing = dir.resolve("nobody.sock");
        try (Client client = Client.builder((Handler<ByteBuffer>) (c, ctx, p) -> null).build()) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> client.connect(UnixDomainSocketAddress.of(missing)).get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof java.net.ConnectException, String.valueOf(e.getCause()));
            assertTrue(e.getCause().getMessage().contains("unix:" + missing), e.getCause().getMessage());
        }
    }

    @Test
    void aClientReconnectsToASocketFileWhenItsServerComesBack() throws Exception {
        Path file = dir.resolve("flaky.sock");
        Connections first = new Connections();
        Server server = servers.start(unix(RawProtocol.INSTANCE, first, file, Transport.EPOLL));
        BlockingQueue<Object> reconnecting = new LinkedBlockingQueue<>();
        Reconnect reconnect = Reconnect.builder().initialDelay(Duration.ofMillis(20)).maxDelay(Duration.ofMillis(100))
                .listener((address, attempt, delay, cause) -> reconnecting.add(address)).build();
        try (Client client = Client.builder((Handler<ByteBuffer>) (c, ctx, p) -> null).reconnect(reconnect).build()) {
            client.connect(UnixDomainSocketAddress.of(file)).get(10, TimeUnit.SECONDS);
            first.next();
            server.stop(Duration.ZERO);
            assertEquals(UnixDomainSocketAddress.of(file), reconnecting.poll(10, TimeUnit.SECONDS));
            Connections second = new Connections();
            servers.start(unix(RawProtocol.INSTANCE, second, file, Transport.EPOLL));
            assertNotNull(second.next(), "the client came back to the new server on the same file");
        }
    }

    @Test
    void aTlsClientRefusesASocketFile() {
        TestCertificates certificates = TestCertificates.get();
        Client client = Client.builder((Handler<ByteBuffer>) (c, ctx, p) -> null)
                .tls(certificates.clientOptions("server", false, TlsOptions.Provider.AUTO).build()).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> client.connect(UnixDomainSocketAddress.of(dir.resolve("tls.sock"))));
        assertTrue(e.getMessage().contains("host name"), e.getMessage());
        client.close();
    }

    // ---- the socket file ---------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void theFileHasItsPermissionsWhileServingAndIsRemovedOnStop(Transport transport) throws Exception {
        Path file = dir.resolve("life.sock");
        Server server = servers.start(unix(file, transport));
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(file, server.unixSocket().orElseThrow());
        assertEquals(-1, server.port());
        IllegalStateException noAddress = assertThrows(IllegalStateException.class, server::localAddress);
        assertTrue(noAddress.getMessage().contains(file.toString()), noAddress.getMessage());
        assertEchoOnce(file);
        server.stop(Duration.ofSeconds(1));
        assertFalse(Files.exists(file), "the socket file is removed on stop");

        Server strict = servers.start(unix(file, transport).unixSocketPermissions(PosixFilePermissions.fromString("rw-------")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEchoOnce(file);
        strict.stop(Duration.ofSeconds(1));
        assertFalse(Files.exists(file));
    }

    @Test
    void anotherUserIsLetInOrKeptOutByThePermissions() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "skipped: /usr/bin/setpriv is missing");
        assumeTrue("root".equals(System.getProperty("user.name")),
                "skipped: running as another user needs root, and this is " + System.getProperty("user.name"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        String[] asNobody = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
        Path file = dir.resolve("guarded.sock");

        Server guarded = servers.start(unix(LengthFieldProtocol.builder().build(), (c, ctx, p) -> p, file, Transport.EPOLL));
        AssertionError refused = assertThrows(AssertionError.class, () -> python(file, "length", 1, false, asNobody));
        assertTrue(refused.getMessage().contains("Permission denied"), refused.getMessage());
        guarded.stop(Duration.ofSeconds(1));

        servers.start(unix(LengthFieldProtocol.builder().build(), (c, ctx, p) -> p, file, Transport.EPOLL)
                .unixSocketPermissions(PosixFilePermissions.fromString("rw-rw-rw-")));
        assertTrue(python(file, "length", 1, false, asNobody).startsWith("OK 500 frames"));
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aStaleFileOfAServerThatIsGoneIsReplaced(Transport transport) throws Exception {
        Path file = dir.resolve("stale.sock");
        // The JDK leaves a listener's file behind when it closes, as a crashed server does.
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(file));
        }
        assertTrue(Files.exists(file));
        try (LogCapture log = LogCapture.start()) {
            servers.start(unix(file, transport));
            assertTrue(log.text().contains("Replaced the socket file " + file), log.text());
        }
        assertEchoOnce(file);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aFileSomebodyListensOnIsLeftAndTheStartFails(Transport transport) throws Exception {
        Path file = dir.resolve("taken.sock");
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(file));
            ServerStartException e = assertThrows(ServerStartException.class, () -> servers.start(unix(file, transport)));
            assertTrue(e.isAddressInUse(), e.getMessage());
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertEquals(file.toString(), e.address());
            assertEquals(-1, e.port());
            // The other server still has its file and its listener (it accepts gev's probe, then this).
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(file))) {
                assertTrue(client.isConnected());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aFileThatIsNoSocketIsNeverDeleted(Transport transport) throws Exception {
        Path file = dir.resolve("data.sock");
        Files.writeString(file, "somebody's data");
        ServerStartException e = assertThrows(ServerStartException.class, () -> servers.start(unix(file, transport)));
        assertFalse(e.isAddressInUse());
        assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
        assertEquals("somebody's data", Files.readString(file));
    }

    @Test
    void aFifoInTheWayIsNeverDeleted() throws Exception {
        Path fifo = dir.resolve("pipe.sock");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
        assumeTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "skipped: mkfifo failed");
        ServerStartException e = assertThrows(ServerStartException.class, () -> servers.start(unix(fifo, Transport.EPOLL)));
        assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
        assertTrue(Files.exists(fifo, java.nio.file.LinkOption.NOFOLLOW_LINKS), "the FIFO is left as it was");
        assertFalse(Files.isRegularFile(fifo));
    }

    @Test
    void aDirectoryThatIsNotThereFailsTheStartNamingTheFile() {
        Path file = dir.resolve("missing").resolve("app.sock");
        ServerStartException e = assertThrows(ServerStartException.class, () -> servers.start(unix(file, Transport.EPOLL)));
        assertFalse(e.isAddressInUse());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertFalse(Files.exists(file.getParent()), "nothing is created on the way");
    }

    @Test
    void aFileAnotherServerBoundSinceIsNotRemovedOnStop() throws Exception {
        Path file = dir.resolve("moved.sock");
        Server server = servers.start(unix(file, Transport.EPOLL));
        Files.delete(file);
        try (ServerSocketChannel successor = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            successor.bind(UnixDomainSocketAddress.of(file));
            server.stop(Duration.ofSeconds(1));
            assertTrue(Files.exists(file), "the successor's file stays");
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(file))) {
                assertNotNull(successor.accept());
            }
        }
    }

    @Test
    void pathsUpToWhatASocketAddressHoldsAreTaken() {
        String name107 = "/" + "a".repeat(106);
        assertEquals(Path.of(name107), ServerOptions.builder().unixSocket(Path.of(name107)).build().unixSocket().orElseThrow());
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> ServerOptions.builder().unixSocket(Path.of(name107 + "b")));
        assertTrue(tooLong.getMessage().contains("108"), tooLong.getMessage());
        assertEquals("1 to 107", tooLong.getMessage().replaceAll(".*of (1 to 107) bytes.*", "$1"));
        // Multi-byte characters count as their UTF-8 bytes.
        assertThrows(IllegalArgumentException.class, () -> ServerOptions.builder().unixSocket(Path.of("/" + "é".repeat(54))));
        ServerOptions.builder().unixSocket(Path.of("/" + "é".repeat(53)));
    }

    @Test
    void optionsThatNeedTcpAreRefusedWithAUnixSocket() {
        Path file = dir.resolve("x.sock");
        IllegalArgumentException address = assertThrows(IllegalArgumentException.class,
                () -> ServerOptions.builder().unixSocket(file).address("127.0.0.1").build());
        assertTrue(address.getMessage().contains("address"), address.getMessage());
        IllegalArgumentException reusePort = assertThrows(IllegalArgumentException.class,
                () -> ServerOptions.builder().unixSocket(file).reusePort(true).build());
        assertTrue(reusePort.getMessage().contains("reusePort"), reusePort.getMessage());
        IllegalArgumentException limits = assertThrows(IllegalArgumentException.class,
                () -> ServerOptions.builder().unixSocket(file).maxConnectionsPerAddress(3).build());
        assertTrue(limits.getMessage().contains("PROXY"), limits.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ServerOptions.builder().unixSocket(file).connectionRatePerAddress(3, Duration.ofSeconds(1)).build());
        IllegalArgumentException noWrite = assertThrows(IllegalArgumentException.class,
                () -> ServerOptions.builder().unixSocketPermissions(PosixFilePermissions.fromString("r--rw-rw-")));
        assertTrue(noWrite.getMessage().contains("r--rw-rw-"), noWrite.getMessage());
        ServerOptions.builder().unixSocketPermissions(PosixFilePermissions.fromString("-w-------")).build();
        ServerOptions options = ServerOptions.builder().unixSocket(file).build();
        assertEquals(options, options.toBuilder().build());
        assertTrue(options.toString().contains("unixSocket=" + file + " (rw-rw----)"), options.toString());
    }

    private static void assertEchoOnce(Path file) throws IOException {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(file))) {
            byte[] sent = "ping over a socket file".getBytes(StandardCharsets.US_ASCII);
            client.write(ByteBuffer.wrap(sent));
            byte[] back = Channels.newInputStream(client).readNBytes(sent.length);
            assertArrayEquals(sent, back);
        }
    }
}
