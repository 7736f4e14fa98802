package io.gev;

import io.gev.loop.Transport;
import io.gev.protocol.LineProtocol;
import io.gev.testing.Await;
import io.gev.testing.ProxyHeaders;
import io.gev.testing.RunningHaproxy;
import io.gev.testing.TestClient;
import io.gev.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two gev servers behind a real HAProxy ({@code mode tcp}, {@code balance roundrobin},
 * {@code send-proxy-v2} or {@code send-proxy}), on TCP or on socket files: each sees the clients'
 * own addresses and ports, the per-address limits apply to them, and a client that goes around
 * the balancer with a forged header is refused.
 */
class ProxyProtocolHaproxyTest {

    @RegisterExtension
    final TestServers servers = new TestServers();

    /** The client addresses the handlers saw. */
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    /** Answers each connection with the server's name and the client's address as it sees it. */
    private Handler<ByteBuffer> whoAmI(String name) {
        return new Handler<>() {
            @Override
            public void onConnect(Connection connection) {
                InetSocketAddress remote = connection.remoteAddress();
                seen.add(remote.getAddress().getHostAddress());
                connection.send(name + " " + remote.getAddress().getHostAddress() + ":" + remote.getPort());
            }

            @Override
            public Object onMessage(Connection connection, Object context, ByteBuffer line) {
                return line;
            }
        };
    }

    private Server instance(String name, int maxPerAddress) {
        return servers.start(TestServers.local(LineProtocol.builder().build(), whoAmI(name), Transport.AUTO).name(name)
                .proxyProtocol(ProxyProtocol.builder("127.0.0.1").build()).maxConnectionsPerAddress(maxPerAddress));
    }

    private static Socket from(String localAddress, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(localAddress, 0));
        socket.setSoTimeout(TestClient.TIMEOUT_MILLIS);
        socket.connect(new InetSocketAddress("127.0.0.1", port), TestClient.TIMEOUT_MILLIS);
        return socket;
    }

    private static String firstLine(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }

    @Test
    void bothInstancesSeeEveryClientsOwnAddressAndPort() throws Exception {
        Server a = instance("a", 0);
        Server b = instance("b", 0);
        for (int version : new int[] {2, 1}) {
            try (RunningHaproxy haproxy = RunningHaproxy.start(List.of(a.port(), b.port()), version)) {
                Set<String> instances = new HashSet<>();
                for (int i = 0; i < 6; i++) {
                    String client = "127.0.0." + (10 + i);
                    try (Socket socket = from(client, haproxy.port())) {
                        String[] answer = firstLine(socket).split(" ");
                        instances.add(answer[0]);
                        assertEquals(client + ":" + socket.getLocalPort(), answer[1],
                                "v" + version + ": the instance sees the client, not the balancer");
                    }
                }
                assertEquals(Set.of("a", "b"), instances, "round robin reaches both instances");
            }
        }
    }

    @Test
    void instancesOnSocketFilesSeeEveryClientsOwnAddressAndPort(@TempDir Path dir) throws Exception {
        List<Path> files = List.of(dir.resolve("a.sock"), dir.resolve("b.sock"));
        for (int i = 0; i < files.size(); i++) {
            String name = i == 0 ? "a" : "b";
            // On a socket file every peer is trusted: the file's permissions chose who connects.
            servers.start(Server.builder(LineProtocol.builder().build(), whoAmI(name)).name(name).unixSocket(files.get(i))
                    .proxyProtocol(ProxyProtocol.builder("192.0.2.1").build()).loops(1).daemonThreads(true));
        }
        try (RunningHaproxy haproxy = RunningHaproxy.startInFrontOf(files, 2)) {
            Set<String> instances = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                String client = "127.0.0." + (30 + i);
                try (Socket socket = from(client, haproxy.port())) {
                    String[] answer = firstLine(socket).split(" ");
                    instances.add(answer[0]);
                    assertEquals(client + ":" + socket.getLocalPort(), answer[1], "the instance sees the client");
                }
            }
            assertEquals(Set.of("a", "b"), instances, "round robin reaches both socket files");
        }
    }

    @Test
    void perAddressLimitsCountTheClientsBehindTheBalancer() throws Exception {
        Server a = instance("a", 1);
        Server b = instance("b", 1);
        try (RunningHaproxy haproxy = RunningHaproxy.start(List.of(a.port(), b.port()), 2)) {
            List<Socket> held = new ArrayList<>();
            try {
                int served = 0;
                int refused = 0;
                // Three at once from one client: round robin gives one instance two of them.
                for (int i = 0; i < 3; i++) {
                    Socket socket = from("127.0.0.21", haproxy.port());
                    held.add(socket);
                    if (firstLine(socket) != null) {
                        served++;
                    } else {
                        refused++;
                    }
                }
                assertEquals(2, served, "one per instance");
                assertEquals(1, refused, "the second on one instance");
                Socket other = from("127.0.0.22", haproxy.port());
                held.add(other);
                assertTrue(firstLine(other).endsWith(" 127.0.0.22:" + other.getLocalPort()), "another client is served");
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
        Await.await("one refusal in all", () -> a.stats().closedConnections(CloseReason.REJECTED)
                + b.stats().closedConnections(CloseReason.REJECTED) == 1);
    }

    @Test
    void aClientGoingAroundTheBalancerWithAForgedHeaderIsRefused() throws Exception {
        Server a = instance("a", 0);
        try (RunningHaproxy haproxy = RunningHaproxy.start(List.of(a.port()), 2)) {
            try (Socket forger = from("127.0.0.31", a.port())) {
                forger.getOutputStream().write(ProxyHeaders.v2(new InetSocketAddress("10.9.8.7", 1),
                        new InetSocketAddress("127.0.0.1", a.port()), new byte[0]));
                assertEquals(null, firstLine(forger), "closed without an answer");
            } catch (IOException reset) {
                // Closed before the forged header went out: refused all the same (the stats say so).
            }
            Await.await("the forger refused", () -> a.stats().closedConnections(CloseReason.REJECTED) == 1);
            try (Socket client = from("127.0.0.32", haproxy.port())) {
                assertEquals("a 127.0.0.32:" + client.getLocalPort(), firstLine(client), "through the balancer it is served");
            }
            assertTrue(seen.contains("127.0.0.32"));
            assertFalse(seen.contains("10.9.8.7") || seen.contains("127.0.0.31"), "the handler never saw the forger: " + seen);
        }
    }
}
