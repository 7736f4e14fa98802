package io.gev.internal.engine;

import io.gev.Handler;
import io.gev.Server;
import io.gev.ServerInternals;
import io.gev.internal.tls.TlsSocketIo;
import io.gev.internal.transport.EpollSocketIo;
import io.gev.internal.transport.NioSocketIo;
import io.gev.internal.transport.SocketIo;
import io.gev.loop.Transport;
import io.gev.testing.Connections;
import io.gev.testing.TestCertificates;
import io.gev.testing.TestClient;
import io.gev.testing.TestServers;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.LinuxSocket;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What edge-triggered epoll must not lose (see {@link EpollSocketIo}): an end of stream that came
 * with the last bytes, and bytes left when the reads of one event ran out. Both transports run
 * the same cases; none sets an idle timeout, so a missed end of stream shows as a missing close.
 */
@Timeout(60)
class EdgeTriggeredReadTest {

    /** How long a client waits for bytes or for the server's close before the test fails. */
    private static final int CLIENT_TIMEOUT_MILLIS = 5_000;

    @RegisterExtension
    final TestServers servers = new TestServers();

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void requestsAndFinInOneGoAreEchoedThenClosed(Transport transport) throws Exception {
        Connections handler = new Connections();
        Server server = servers.start(TestServers.local(handler, transport));
        // Many rounds: the requests and the FIN coalesce into one readiness event in most of them.
        for (int round = 0; round < 50; round++) {
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            try (TestClient client = TestClient.connect(server)) {
                client.socket().setSoTimeout(CLIENT_TIMEOUT_MILLIS);
                for (int i = 0; i < 4; i++) {
                    byte[] request = ("request " + round + "." + i + "\n").getBytes(StandardCharsets.UTF_8);
                    client.write(request);
                    sent.write(request);
                }
                client.shutdownOutput();
                assertArrayEquals(sent.toByteArray(), client.readToEnd(), "round " + round);
                assertClosed(handler, round);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void largeWriteThenFinIsEchoedThenClosed(Transport transport) throws Exception {
        Connections handler = new Connections();
        Server server = servers.start(TestServers.local(handler, transport));
        for (int round = 0; round < 5; round++) {
            byte[] data = randomBytes(200 * 1024, round);
            try (TestClient client = TestClient.connect(server)) {
                client.socket().setSoTimeout(CLIENT_TIMEOUT_MILLIS);
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        client.write(data);
                        client.shutdownOutput();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                assertArrayEquals(data, client.readToEnd(), "round " + round);
                writer.get(CLIENT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                assertClosed(handler, round);
            }
        }
    }

    /** More than the reads of one event take (16 reads of the loop's buffer), in one write. */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void moreThanOneEventsReadsIsEchoedInOrder(Transport transport) throws Exception {
        Connections handler = new Connections();
        Server server = servers.start(TestServers.local(handler, transport));
        echoInOneWrite(server, 3 * 1024 * 1024);
    }

    /** The same with a small read buffer, so that the reads of an event run out every time. */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void moreThanOneEventsReadsOfASmallBufferIsEchoedInOrder(Transport transport) throws Exception {
        Connections handler = new Connections();
        Server server = servers.start(TestServers.local(handler, transport).readBufferSize(1024));
        for (int round = 0; round < 5; round++) {
            echoInOneWrite(server, 256 * 1024 + round * 1000);
        }
    }

    /** The one place that decides: edge-triggered epoll on a plain server, level-triggered under TLS and on NIO. */
    @Test
    void theConnectionsSocketPathDecidesTheTriggeringOnceAndTlsTurnsItOff() throws Exception {
        Assumptions.assumeTrue(Epoll.isAvailable(), "native epoll is not available");
        Handler<ByteBuffer> echo = (c, ctx, payload) -> payload;
        ServerEngine plainServer = (ServerEngine) ServerInternals.engine(Server.builder(echo).build());
        ServerEngine tlsServer = (ServerEngine) ServerInternals.engine(Server.builder(echo)
                .tls(TestCertificates.get().serverOptions().build()).build());
        LinuxSocket plainFd = LinuxSocket.newSocketStream();
        LinuxSocket tlsFd = LinuxSocket.newSocketStream();
        try (SocketChannel channel = SocketChannel.open()) {
            EpollSocketIo plain = new EpollSocketIo(plainFd, false);
            assertFalse(plain.edgeTriggered(), "level-triggered until its connection's path is chosen");
            assertSame(plain, plainServer.connectionIo(plain, null));
            assertTrue(plain.edgeTriggered());
            assertEpollEt(plain, true);

            EpollSocketIo underTls = new EpollSocketIo(tlsFd, false);
            SocketIo tls = tlsServer.connectionIo(underTls, null);
            assertInstanceOf(TlsSocketIo.class, tls);
            assertFalse(tls.edgeTriggered());
            assertFalse(underTls.edgeTriggered());
            assertEpollEt(underTls, false);

            NioSocketIo nio = new NioSocketIo(channel, false);
            assertSame(nio, plainServer.connectionIo(nio, null));
            assertFalse(nio.edgeTriggered(), "a selector reports readiness while it lasts");
        } finally {
            plainFd.close();
            tlsFd.close();
            tlsServer.tls.shutdown();
        }
    }

    private static void assertEpollEt(EpollSocketIo socket, boolean edgeTriggered) {
        for (int i = 0; i < 3; i++) {
            boolean read = i != 1;
            boolean write = i != 0;
            assertEquals(edgeTriggered, ((EpollIoOps) socket.ops(read, write)).contains(EpollIoOps.EPOLLET));
        }
        assertSame(EpollIoOps.EPOLLERR, socket.ops(false, false), "never NONE, with or without EPOLLET");
    }

    private static void echoInOneWrite(Server server, int size) throws Exception {
        byte[] data = randomBytes(size, size);
        try (TestClient client = TestClient.connect(server)) {
            client.socket().setSoTimeout(CLIENT_TIMEOUT_MILLIS);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    client.write(data);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] echoed = client.readExactly(size);
            writer.get(CLIENT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            for (int i = 0; i < size; i++) {
                if (echoed[i] != data[i]) {
                    assertEquals(data[i], echoed[i], "byte " + i + " of " + size);
                }
            }
        }
    }

    private static void assertClosed(Connections handler, int round) throws InterruptedException {
        assertNotNull(handler.closed.poll(CLIENT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS),
                "round " + round + ": the server did not see the end of stream");
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
