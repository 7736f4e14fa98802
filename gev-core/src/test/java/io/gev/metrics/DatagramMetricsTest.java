package io.gev.metrics;

import io.gev.loop.Transport;
import io.gev.testing.Await;
import io.gev.udp.DatagramServer;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DatagramMetricsTest {

    @Test
    void metersReadTheServersCountersAndFollowARestart() throws Exception {
        DatagramServer server = DatagramServer.builder((out, sender, payload) -> payload).name("echo-udp")
                .host("127.0.0.1").port(0).loops(1).transport(Transport.AUTO).maxDatagramSize(10)
                .daemonThreads(true).build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new DatagramMetrics(server, Tags.of("app", "test")).bindTo(registry);
        assertEquals(0.0, registry.get("gev.udp.datagrams.in").functionCounter().count());
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            peer.setSoTimeout(10_000);
            for (int run = 0; run < 2; run++) {
                server.start();
                InetSocketAddress to = server.localAddress();
                peer.send(new DatagramPacket(new byte[11], 11, to));
                peer.send(new DatagramPacket(new byte[4], 4, to));
                peer.receive(new DatagramPacket(new byte[100], 100));
                Await.await("counters", () -> server.stats().datagramsOut() == 1);
                assertEquals(1.0, registry.get("gev.udp.datagrams.in").tag("server", "echo-udp").tag("app", "test")
                        .functionCounter().count());
                assertEquals(4.0, registry.get("gev.udp.bytes.in").functionCounter().count());
                assertEquals(4.0, registry.get("gev.udp.bytes.out").functionCounter().count());
                assertEquals(1.0, registry.get("gev.udp.dropped").tag("reason", "oversize").functionCounter().count());
                assertEquals(0.0, registry.get("gev.udp.dropped").tag("reason", "backlog-full").functionCounter()
                        .count());
                assertEquals(0.0, registry.get("gev.udp.send.queue").gauge().value());
                server.stop();
            }
        } finally {
            server.stop();
        }
    }
}
