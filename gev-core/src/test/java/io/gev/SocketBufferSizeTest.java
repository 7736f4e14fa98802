package io.gev;

import io.gev.loop.Transport;
import io.gev.testing.TestClient;
import io.gev.testing.TestServers;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ServerOptions#sendBufferSize()} and {@link ServerOptions#receiveBufferSize()} reach the
 * server's side of every accepted socket, on both transports. The client's socket has buffers of
 * its own, so the test reads the server's: it finds the accepted socket's descriptor through
 * {@code /proc} (the TCP table's inode for the connection's pair of ports, then the descriptor of
 * this process linked to that inode) and asks the kernel with getsockopt. Linux stores twice the
 * size asked for (the doubled part is its bookkeeping), so a size is checked to lie between the
 * request and twice it, and the system default of a server without the option to lie outside.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SocketBufferSizeTest {

    private static final int RECEIVE = 24_000;
    private static final int SEND = 40_000;

    @RegisterExtension
    final TestServers servers = new TestServers();

    /** SO_RCVBUF and SO_SNDBUF of the server's side of a connection. */
    private record Sizes(int receive, int send) {
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void acceptedSocketsGetTheConfiguredBufferSizes(Transport transport) throws Exception {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "needs Linux /proc");
        // getsockopt on a descriptor goes through Netty's native library, for NIO too.
        Assumptions.assumeTrue(Epoll.isAvailable(), "native epoll unavailable: " + Epoll.unavailabilityCause());

        Sizes configured = serverSideSizes(transport, b -> b.receiveBufferSize(RECEIVE).sendBufferSize(SEND));
        Sizes system = serverSideSizes(transport, b -> b);

        assertBetween(RECEIVE, 2 * RECEIVE, configured.receive(), "SO_RCVBUF with receiveBufferSize(" + RECEIVE + ")");
        assertBetween(SEND, 2 * SEND, configured.send(), "SO_SNDBUF with sendBufferSize(" + SEND + ")");
        // Without the options the system's sizes apply, which these checks would not take for ours.
        assertFalse(system.receive() >= RECEIVE && system.receive() <= 2 * RECEIVE,
                "the system's SO_RCVBUF " + system.receive() + " cannot tell the option from the default");
        assertFalse(system.send() >= SEND && system.send() <= 2 * SEND,
                "the system's SO_SNDBUF " + system.send() + " cannot tell the option from the default");
    }

    private static void assertBetween(int low, int high, int actual, String what) {
        assertTrue(actual >= low && actual <= high, what + ": " + actual + " is not in [" + low + ", " + high + "]");
    }

    /** Starts a server, connects once and reads the sizes of the socket the server accepted. */
    private Sizes serverSideSizes(Transport transport, UnaryOperator<Server.Builder> options) throws Exception {
        PeerPorts handler = new PeerPorts();
        Server server = servers.start(options.apply(TestServers.local(handler, transport)));
        try (TestClient client = TestClient.connect(server)) {
            Integer peerPort = handler.ports.poll(TestClient.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            assertNotNull(peerPort, "onConnect did not come");
            int fd = descriptorOf(server.port(), peerPort);
            // A view of the server's descriptor, never closed here: the server owns it.
            Socket socket = new Socket(fd);
            return new Sizes(socket.getReceiveBufferSize(), socket.getSendBufferSize());
        }
    }

    /** The descriptor of this process for the established TCP socket from {@code localPort} to {@code remotePort}. */
    private static int descriptorOf(int localPort, int remotePort) throws IOException {
        String inode = null;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.isReadable(path)) {
                continue;
            }
            for (String line : Files.readAllLines(path)) {
                String[] f = line.trim().split("\\s+");
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                if (f.length < 10 || !f[3].equals("01")) {
                    continue;
                }
                if (port(f[1]) == localPort && port(f[2]) == remotePort) {
                    inode = f[9];
                }
            }
        }
        assertNotNull(inode, "no established socket " + localPort + " -> " + remotePort + " in /proc/net/tcp[6]");
        String target = "socket:[" + inode + "]";
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals(target)) {
                        return Integer.parseInt(fd.getFileName().toString());
                    }
                } catch (NoSuchFileException e) {
                    // closed while listing
                }
            }
        }
        throw new AssertionError("no descriptor of this process is " + target);
    }

    private static int port(String hexAddress) {
        return Integer.parseInt(hexAddress.substring(hexAddress.indexOf(':') + 1).toUpperCase(Locale.ROOT), 16);
    }

    /** Records the client's port of every connection. */
    private static final class PeerPorts implements Handler<ByteBuffer> {
        final BlockingQueue<Integer> ports = new LinkedBlockingQueue<>();

        @Override
        public void onConnect(Connection connection) {
            ports.add(connection.remoteAddress().getPort());
        }

        @Override
        public Object onMessage(Connection connection, Object context, ByteBuffer payload) {
            return payload;
        }
    }
}
