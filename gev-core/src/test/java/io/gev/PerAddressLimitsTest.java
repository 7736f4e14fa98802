package io.gev;

import io.gev.loop.Transport;
import io.gev.testing.Await;
import io.gev.testing.LogCapture;
import io.gev.testing.ProxyHeaders;
import io.gev.testing.TestClient;
import io.gev.testing.TestServers;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-client-address limits on a running server, with clients on several loopback addresses
 * (Linux serves all of 127.0.0.0/8 on the loopback interface): by the socket's address, and by
 * the PROXY protocol's.
 */
class PerAddressLimitsTest {

    @RegisterExtension
    final TestServers servers = new TestServers();

    private static TestClient from(String localAddress, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(localAddress, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), TestClient.TIMEOUT_MILLIS);
        return new TestClient(socket);
    }

    private static boolean echoes(TestClient client) {
        try {
            client.write("ping");
            return client.readString(4).equals("ping");
        } catch (IOException closed) {
            return false;
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void openConnectionsPerAddressAtBelowAndAbove(Transport transport) throws Exception {
        Server s = servers.start(TestServers.local((c, ctx, p) -> p, transport).maxConnectionsPerAddress(2));
        List<TestClient> clients = new ArrayList<>();
        try (LogCapture log = LogCapture.start()) {
            clients.add(from("127.0.0.2", s.port()));
            clients.add(from("127.0.0.2", s.port()));
            assertTrue(echoes(clients.get(0)) && echoes(clients.get(1)), "below and at the limit");
            TestClient third = from("127.0.0.2", s.port());
            clients.add(third);
            assertTrue(third.awaitClosed(), "above the limit");
            log.awaitLine("refused a connection from /127.0.0.2", "2 connections open from it, the maximum per address");
            TestClient other = from("127.0.0.3", s.port());
            clients.add(other);
            assertTrue(echoes(other), "another address is not held back");
            clients.get(0).close();
            Await.await("the first one's place is free", () -> s.stats().activeConnections() == 2);
            TestClient again = from("127.0.0.2", s.port());
            clients.add(again);
            assertTrue(echoes(again), "a place freed by a close is taken again");
        } finally {
            for (TestClient c : clients) {
                c.close();
            }
        }
        assertEquals(1, s.stats().closedConnections(CloseReason.REJECTED));
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void connectionRatePerAddress(Transport transport) throws Exception {
        // An hour's interval: no token comes back while the test runs, so nothing depends on timing.
        Server s = servers.start(TestServers.local((c, ctx, p) -> p, transport)
                .connectionRatePerAddress(3, Duration.ofHours(1)));
        for (int i = 0; i < 3; i++) {
            try (TestClient client = from("127.0.0.4", s.port())) {
                assertTrue(echoes(client), "connection " + (i + 1) + " of 3");
            }
        }
        try (LogCapture log = LogCapture.start(); TestClient fourth = from("127.0.0.4", s.port())) {
            assertTrue(fourth.awaitClosed(), "the fourth within the interval");
            log.awaitLine("refused a connection from /127.0.0.4", "more than 3 new connections from it within PT1H");
        }
        try (TestClient other = from("127.0.0.5", s.port())) {
            assertTrue(echoes(other));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void behindABalancerTheLimitsCountTheClientsAddress(Transport transport) throws Exception {
        Server s = servers.start(TestServers.local((c, ctx, p) -> p, transport)
                .proxyProtocol(ProxyProtocol.builder("127.0.0.1").build()).maxConnectionsPerAddress(1));
        InetSocketAddress front = new InetSocketAddress("192.0.2.1", 443);
        try (TestClient a = TestClient.connect(s); TestClient b = TestClient.connect(s); TestClient c = TestClient.connect(s)) {
            a.write(ProxyHeaders.v1(new InetSocketAddress("198.51.100.1", 1000), front));
            assertTrue(echoes(a));
            b.write(ProxyHeaders.v1(new InetSocketAddress("198.51.100.2", 1000), front));
            assertTrue(echoes(b), "all come from the balancer's 127.0.0.1, but each client counts apart");
            c.write(ProxyHeaders.v2(new InetSocketAddress("198.51.100.1", 2000), front, new byte[0]));
            assertTrue(c.awaitClosed(), "a second connection of 198.51.100.1");
        }
        assertEquals(1, s.stats().closedConnections(CloseReason.REJECTED));
    }
}
