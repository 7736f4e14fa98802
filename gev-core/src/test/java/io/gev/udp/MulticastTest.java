package io.gev.udp;

import io.gev.ServerStartException;
import io.gev.loop.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Multicast on the loopback interface. Linux's {@code lo} has no MULTICAST flag and usually no
 * multicast route: every socket here names the interface explicitly (IP_MULTICAST_IF, and the
 * membership's interface), which is what the test checks the server does.
 */
class MulticastTest {

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private static NetworkInterface lo() throws Exception {
        return NetworkInterface.getByName("lo");
    }

    /** A JDK sender whose multicast goes out on {@code lo}. */
    private DatagramChannel sender() throws Exception {
        DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
        toClose.add(channel);
        channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo());
        channel.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return channel;
    }

    private static void send(DatagramChannel channel, String text, InetSocketAddress to) throws Exception {
        channel.send(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), to);
    }

    private DatagramServer server(Transport transport, LinkedBlockingQueue<String> received, List<InetAddress> groups) {
        DatagramServer server = DatagramServer.builder((out, sender, payload) -> {
            received.add(StandardCharsets.UTF_8.decode(payload).toString());
            return null;
        }).port(0).loops(1).transport(transport).daemonThreads(true).multicastGroups(groups)
                .multicastInterface("lo").build();
        toClose.add(server);
        server.start();
        return server;
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void receivesAGroupItJoinedAtStartAndAtRunTimeAndNoneAfterLeaving(Transport transport) throws Exception {
        InetAddress first = InetAddress.getByName("239.255.18.36");
        InetAddress second = InetAddress.getByName("239.255.18.37");
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        DatagramServer server = server(transport, received, List.of(first));
        int port = server.port();
        DatagramChannel sender = sender();
        InetSocketAddress unicast = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);

        send(sender, "to the first group", new InetSocketAddress(first, port));
        assertEquals("to the first group", received.poll(10, TimeUnit.SECONDS));
        assertEquals(List.of(first), server.groups());

        send(sender, "to the second, not joined", new InetSocketAddress(second, port));
        send(sender, "marker 1", unicast);
        // Datagrams reach the socket in order: had the one before been delivered, it would be first.
        assertEquals("marker 1", received.poll(10, TimeUnit.SECONDS));

        server.joinGroup(second, "lo");
        send(sender, "to the second, joined", new InetSocketAddress(second, port));
        assertEquals("to the second, joined", received.poll(10, TimeUnit.SECONDS));

        server.leaveGroup(first);
        send(sender, "to the first, left", new InetSocketAddress(first, port));
        send(sender, "marker 2", unicast);
        assertEquals("marker 2", received.poll(10, TimeUnit.SECONDS));
        assertEquals(List.of(second), server.groups());
        assertEquals(0, server.stats().droppedOversize());
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void sendsToAGroupOnTheConfiguredInterface(Transport transport) throws Exception {
        InetAddress group = InetAddress.getByName("239.255.18.38");
        DatagramChannel receiver = DatagramChannel.open(StandardProtocolFamily.INET);
        toClose.add(receiver);
        receiver.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        receiver.bind(new InetSocketAddress(0));
        receiver.join(group, lo());
        int receiverPort = ((InetSocketAddress) receiver.getLocalAddress()).getPort();

        DatagramServer server = server(transport, new LinkedBlockingQueue<>(), List.of());
        assertTrue(server.send(new InetSocketAddress(group, receiverPort), "to the group".getBytes(StandardCharsets.UTF_8)));
        receiver.configureBlocking(true);
        ByteBuffer buffer = ByteBuffer.allocate(100);
        // Blocks until the datagram comes; were IP_MULTICAST_IF or IP_MULTICAST_LOOP not applied,
        // it would leave by the default route and never come: the suite's timeout ends that.
        receiver.receive(buffer);
        assertEquals("to the group", new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aMissingInterfaceFailsTheStartAndGroupsWithReusePortAreRefused(Transport transport) throws Exception {
        DatagramServer server = DatagramServer.builder((out, sender, payload) -> null).port(0).loops(1)
                .transport(transport).daemonThreads(true).multicastInterface("no-such-interface0").build();
        toClose.add(server);
        ServerStartException e = assertThrows(ServerStartException.class, server::start);
        assertTrue(e.getMessage().contains("no-such-interface0"), e.getMessage());

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> DatagramServer.builder((out, sender, payload) -> null).reusePort(true)
                        .multicastGroups(List.of(InetAddress.getByName("239.1.2.3"))).build());
        assertTrue(refused.getMessage().contains("reusePort"), refused.getMessage());

        DatagramServer perLoop = DatagramServer.builder((out, sender, payload) -> null).host("127.0.0.1").port(0)
                .loops(2).reusePort(true).transport(transport).daemonThreads(true).build();
        toClose.add(perLoop);
        perLoop.start();
        assertThrows(IllegalStateException.class, () -> perLoop.joinGroup(InetAddress.getByName("239.1.2.3"), "lo"));
    }
}
