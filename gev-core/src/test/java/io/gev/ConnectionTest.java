package io.gev;

import io.gev.buffer.Buffers;
import io.gev.buffer.RingBuffer;
import io.gev.loop.Transport;
import io.gev.protocol.Frame;
import io.gev.protocol.Protocol;
import io.gev.protocol.ProtocolException;
import io.gev.protocol.RawProtocol;
import io.gev.testing.Connections;
import io.gev.testing.TestClient;
import io.gev.testing.TestServers;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.gev.ServerTest.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class ConnectionTest {

    @RegisterExtension
    final TestServers servers = new TestServers();

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void sendsFromManyThreadsKeepEachThreadsOrder(Transport transport) throws Exception {
        Connections handler = new Connections();
        Server server = servers.start(TestServers.local(handler, transport));
        int threads = 4;
        int perThread = 20_000;
        try (TestClient client = TestClient.connect(server)) {
            Connection connection = handler.next();
            List<Thread> senders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                Thread sender = new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        connection.send(id + ":" + i + "\n");
                    }
                });
                senders.add(sender);
                sender.start();
            }
            BufferedReader reader = new BufferedReader(
                    new InputStreamReader(client.socket().getInputStream(), StandardCharsets.UTF_8));
            int[] next = new int[threads];
            for (int n = 0; n < threads * perThread; n++) {
                String line = reader.readLine();
                assertNotNull(line, "stream ended after " + n + " lines");
                int colon = line.indexOf(':');
                int id = Integer.parseInt(line.substring(0, colon));
                int seq = Integer.parseInt(line.substring(colon + 1));
                assertEquals(next[id], seq, "thread " + id + " out of order");
                next[id]++;
            }
            for (Thread sender : senders) {
                sender.join();
            }
            int[] expected = new int[threads];
            Arrays.fill(expected, perThread);
            assertArrayEquals(expected, next);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void sendCallbackReportsWrittenOrFailed(Transport transport) throws Exception {
        Connections handler = new Connections();
        Server server = servers.start(TestServers.local(handler, transport));
        try (TestClient client = TestClient.connect(server)) {
            Connection connection = handler.next();
            CompletableFuture<Throwable> written = new CompletableFuture<>();
            AtomicReference<String> thread = new AtomicReference<>();
            connection.send("hello", (c, failure) -> {
                thread.set(Thread.currentThread().getName());
                written.complete(failure);
            });
            assertNull(written.get(10, TimeUnit.SECONDS));
            assertTrue(thread.get().startsWith("gev-"), "callbacks run on the loop: " + thread.get());
            assertEquals("hello", client.readString(5));

            connection.close();
            assertTrue(client.awaitClosed());
            assertFalse(connection.isConnected());
            CompletableFuture<Throwable> afterClose = new CompletableFuture<>();
            connection.send("too late", (c, failure) -> afterClose.complete(failure));
            assertInstanceOf(ClosedChannelException.class, afterClose.get(10, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void closeSendsWhatTheSocketTakesAndEndsTheConnection(Transport transport) throws Exception {
        Connections handler = new Connections() {
            @Override
            public Object onMessage(Connection connection, Object context, ByteBuffer payload) {
                connection.send("bye");
                connection.close();
                connection.send("dropped");
                return null;
            }
        };
        Server server = servers.start(TestServers.local(handler, transport));
        try (TestClient client = TestClient.connect(server)) {
            client.write("quit");
            assertEquals("bye", new String(client.readToEnd(), StandardCharsets.UTF_8));
        }
        assertNotNull(handler.closed.poll(10, TimeUnit.SECONDS));
        await("1 local close(s)", () -> server.stats().closedConnections(CloseReason.LOCAL) == 1);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void shutdownWriteFlushesThenSendsFinAndKeepsReading(Transport transport) throws Exception {
        byte[] big = new byte[3 * 1024 * 1024];
        new Random(3).nextBytes(big);
        AtomicLong receivedAfterShutdown = new AtomicLong();
        Connections handler = new Connections() {
            @Override
            public Object onMessage(Connection connection, Object context, ByteBuffer payload) {
                if (connection.attribute("shut") == null) {
                    connection.setAttribute("shut", Boolean.TRUE);
                    connection.send(big);
                    connection.shutdownWrite();
                } else {
                    receivedAfterShutdown.addAndGet(payload.remaining());
                }
                return null;
            }
        };
        Server server = servers.start(TestServers.local(handler, transport));
        try (TestClient client = TestClient.connect(server)) {
            client.write("start");
            assertArrayEquals(big, client.readToEnd(), "every byte queued before shutdownWrite, then EOF");
            client.write("still listening?");
            await("bytes sent after the half-close", () -> receivedAfterShutdown.get() == 16);
            assertTrue(handler.closed.isEmpty(), "a half-closed connection stays open");
        }
        Connection closed = handler.closed.poll(10, TimeUnit.SECONDS);
        assertNotNull(closed, "closing the client's side ends it");
        await("1 peer close(s)", () -> server.stats().closedConnections(CloseReason.PEER) == 1);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void peerHalfCloseStillGetsTheWholeReply(Transport transport) throws Exception {
        byte[] reply = new byte[2 * 1024 * 1024];
        new Random(5).nextBytes(reply);
        Server server = servers.start(TestServers.local((c, ctx, p) -> reply, transport));
        try (TestClient client = TestClient.connect(server)) {
            client.write("x");
            client.shutdownOutput();
            assertArrayEquals(reply, client.readToEnd());
        }
        await("the close", () -> server.stats().closedConnections(CloseReason.PEER) == 1);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aThrowingHandlerClosesOnlyItsConnection(Transport transport) throws Exception {
        Connections handler = new Connections() {
            @Override
            public Object onMessage(Connection connection, Object context, ByteBuffer payload) {
                if (Buffers.utf8(payload).startsWith("boom")) {
                    throw new IllegalStateException("handler failure for the test");
                }
                return payload;
            }
        };
        Server server = servers.start(TestServers.local(handler, transport));
        try (TestClient good = TestClient.connect(server); TestClient bad = TestClient.connect(server)) {
            good.write("hi");
            assertEquals("hi", good.readString(2));
            bad.write("boom");
            assertTrue(bad.awaitClosed());
            good.write("still fine");
            assertEquals("still fine", good.readString(10));
        }
        await("1 handler_error close(s)", () -> server.stats().closedConnections(CloseReason.HANDLER_ERROR) == 1);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aThrowingOnConnectClosesThatConnection(Transport transport) throws Exception {
        AtomicInteger closes = new AtomicInteger();
        Handler<ByteBuffer> handler = new Handler<ByteBuffer>() {
            @Override
            public void onConnect(Connection connection) {
                throw new IllegalStateException("onConnect failure for the test");
            }

            @Override
            public Object onMessage(Connection connection, Object context, ByteBuffer payload) {
                return payload;
            }

            @Override
            public void onClose(Connection connection) {
                closes.incrementAndGet();
            }
        };
        Server server = servers.start(TestServers.local(handler, transport));
        try (TestClient client = TestClient.connect(server)) {
            assertTrue(client.awaitClosed());
        }
        await("onClose", () -> closes.get() == 1);
        await("1 handler_error close(s)", () -> server.stats().closedConnections(CloseReason.HANDLER_ERROR) == 1);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void unsupportedReplyTypeClosesTheConnection(Transport transport) throws Exception {
        Server server = servers.start(TestServers.local((c, ctx, p) -> Integer.valueOf(42), transport));
        try (TestClient client = TestClient.connect(server)) {
            client.write("?");
            assertTrue(client.awaitClosed());
        }
        await("1 handler_error close(s)", () -> server.stats().closedConnections(CloseReason.HANDLER_ERROR) == 1);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void repliesMayBeBytesBuffersOrText(Transport transport) throws Exception {
        Server server = servers.start(TestServers.local((c, ctx, p) -> {
            switch (Buffers.utf8(p)) {
                case "bytes":
                    return new byte[] {'b', '1'};
                case "buffer":
                    return ByteBuffer.wrap(new byte[] {'x', 'b', '2'}).position(1);
                default:
                    return "t\u00e9";
            }
        }, transport));
        try (TestClient client = TestClient.connect(server)) {
            client.write("bytes");
            assertEquals("b1", client.readString(2));
            client.write("buffer");
            assertEquals("b2", client.readString(2));
            client.write("text");
            assertEquals("t\u00e9", client.readString(3));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aCopiedPayloadOutlivesTheCall(Transport transport) throws Exception {
        List<byte[]> copies = new CopyOnWriteArrayList<>();
        Server server = servers.start(TestServers.local((c, ctx, p) -> {
            copies.add(Buffers.copy(p));
            return p;
        }, transport));
        try (TestClient client = TestClient.connect(server)) {
            client.write("first");
            assertEquals("first", client.readString(5));
            client.write("SECOND");
            assertEquals("SECOND", client.readString(6));
        }
        assertEquals("first", new String(copies.get(0), StandardCharsets.UTF_8));
        assertEquals("SECOND", new String(copies.get(1), StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void writabilityFollowsTheWaterMarks(Transport transport) throws Exception {
        int chunk = 16 * 1024;
        int total = 4 * 1024 * 1024;
        List<Boolean> changes = new CopyOnWriteArrayList<>();
        AtomicLong sent = new AtomicLong();
        Handler<ByteBuffer> producer = new Handler<ByteBuffer>() {
            @Override
            public Object onMessage(Connection connection, Object context, ByteBuffer payload) {
                produce(connection);
                return null;
            }

            @Override
            public void onWritabilityChanged(Connection connection) {
                changes.add(connection.isWritable());
                produce(connection);
            }

            // A well-behaved producer: writes while the connection is writable.
            private void produce(Connection connection) {
                while (connection.isWritable() && sent.get() < total) {
                    connection.send(new byte[chunk]);
                    sent.addAndGet(chunk);
                }
            }
        };
        Server server = servers.start(TestServers.local(producer, transport).writeBufferHighWaterMark(64 * 1024)
                .writeBufferLowWaterMark(16 * 1024).writeBufferLimit(256 * 1024).sendBufferSize(32 * 1024));
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(32 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write('g');
            await("the connection to turn unwritable", () -> !changes.isEmpty());
            assertEquals(Boolean.FALSE, changes.get(0));
            long received = 0;
            byte[] buf = new byte[64 * 1024];
            while (received < total) {
                int n = socket.getInputStream().read(buf);
                assertTrue(n > 0, "stream ended early");
                received += n;
            }
            assertEquals(total, received);
        }
        assertTrue(changes.size() >= 2, "writable again after draining: " + changes);
        for (int i = 0; i < changes.size(); i++) {
            assertEquals(i % 2 != 0, changes.get(i), "changes alternate: " + changes);
        }
        assertEquals(0, server.stats().closedConnections(CloseReason.WRITE_LIMIT),
                "a producer that respects writability never hits the limit");
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aPeerThatStopsReadingIsClosedAtTheWriteBufferLimit(Transport transport) throws Exception {
        int limit = 1024 * 1024;
        AtomicInteger maxQueued = new AtomicInteger();
        Handler<ByteBuffer> flooder = (connection, context, payload) -> {
            // Ignores writability on purpose: the limit must stop it.
            for (int i = 0; i < 64 && connection.isConnected(); i++) {
                connection.send(new byte[64 * 1024]);
                maxQueued.accumulateAndGet(connection.writeBufferLength(), Math::max);
            }
            return null;
        };
        Server server = servers.start(TestServers.local(flooder, transport).writeBufferHighWaterMark(64 * 1024)
                .writeBufferLowWaterMark(32 * 1024).writeBufferLimit(limit));
        try (TestClient stuck = TestClient.connect(server); TestClient fine = TestClient.connect(
                servers.start(TestServers.local((c, ctx, p) -> p, transport)))) {
            stuck.write("flood me");
            await("the write limit to close the connection",
                    () -> server.stats().closedConnections(CloseReason.WRITE_LIMIT) == 1);
            assertTrue(maxQueued.get() <= limit, "queued bytes stay within the limit: " + maxQueued.get());
            fine.write("ok");
            assertEquals("ok", fine.readString(2));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void readBufferLimitAppliesAboveNotAtTheBoundary(Transport transport) throws Exception {
        // A protocol that never finds a whole frame: every byte stays buffered.
        Protocol<ByteBuffer> never = new Protocol<>() {
            @Override
            public boolean unpack(Connection connection, RingBuffer in, Frame<ByteBuffer> frame) {
                return false;
            }

            @Override
            public void pack(Connection connection, Object message, RingBuffer out) {
                RawProtocol.writeBytes(message, out);
            }
        };
        Connections handler = new Connections();
        Server server = servers.start(TestServers.local(never, handler, transport).readBufferLimit(1000));
        try (TestClient atLimit = TestClient.connect(server)) {
            Connection connection = handler.next();
            atLimit.write(new byte[999]);
            await("999 bytes buffered", () -> connection.readBufferLength() == 999);
            atLimit.write(new byte[1]);
            await("1000 bytes buffered", () -> connection.readBufferLength() == 1000);
            assertTrue(connection.isConnected(), "exactly at the limit is allowed");
            atLimit.write(new byte[1]);
            assertTrue(atLimit.awaitClosed(), "one byte over the limit closes");
        }
        await("1 read_limit close(s)", () -> server.stats().closedConnections(CloseReason.READ_LIMIT) == 1);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aProtocolErrorSendsWhatWasQueuedAndClosesOnlyThatConnection(Transport transport) throws Exception {
        Protocol<ByteBuffer> strict = new Protocol<>() {
            @Override
            public boolean unpack(Connection connection, RingBuffer in, Frame<ByteBuffer> frame) {
                if (in.isEmpty()) {
                    return false;
                }
                if (in.peekByte() == '!') {
                    connection.send("ERR '!' is not allowed\n");
                    throw new ProtocolException("'!' is not allowed");
                }
                return RawProtocol.INSTANCE.unpack(connection, in, frame);
            }

            @Override
            public void pack(Connection connection, Object message, RingBuffer out) {
                RawProtocol.writeBytes(message, out);
            }
        };
        Server server = servers.start(TestServers.local(strict, (c, ctx, p) -> p, transport));
        try (TestClient good = TestClient.connect(server); TestClient bad = TestClient.connect(server)) {
            bad.write("!bad");
            // The error response sent just before throwing goes out before the close.
            assertEquals("ERR '!' is not allowed\n", new String(bad.readToEnd(), StandardCharsets.UTF_8));
            good.write("good");
            assertEquals("good", good.readString(4));
        }
        await("1 protocol_error close(s)", () -> server.stats().closedConnections(CloseReason.PROTOCOL_ERROR) == 1);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void addressesContextAndAttributes(Transport transport) throws Exception {
        Connections handler = new Connections();
        Server server = servers.start(TestServers.local(handler, transport));
        try (TestClient client = TestClient.connect(server)) {
            Connection connection = handler.next();
            assertEquals(client.socket().getLocalPort(), connection.remoteAddress().getPort());
            assertEquals(server.port(), connection.localAddress().getPort());
            assertTrue(connection.isConnected());
            assertTrue(connection.id() > 0);
            assertNull(connection.context());
            connection.setContext("ctx");
            assertEquals("ctx", connection.context());
            assertNull(connection.attribute("k"));
            connection.setAttribute("k", 7);
            Integer value = connection.attribute("k");
            assertEquals(7, value);
            connection.setAttribute("k", null);
            assertNull(connection.attribute("k"));
            assertTrue(connection.loop().index() >= 0 && connection.loop().index() < 2);
            assertFalse(connection.loop().inEventLoop());
            assertEquals(0, connection.writeBufferLength());
            assertEquals(0, connection.readBufferLength());
            assertTrue(connection.isWritable());
        }
    }
}
