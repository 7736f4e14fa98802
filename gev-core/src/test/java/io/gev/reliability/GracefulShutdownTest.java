package io.gev.reliability;

import io.gev.CloseReason;
import io.gev.Connection;
import io.gev.Server;
import io.gev.ServerStats;
import io.gev.loop.EventLoop;
import io.gev.loop.Transport;
import io.gev.testing.Await;
import io.gev.testing.CountingHandler;
import io.gev.testing.RepeatingPattern;
import io.gev.testing.TestClient;
import io.gev.testing.TestServers;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.gev.testing.ProcessResources.closedByReason;
import static io.gev.testing.ProcessResources.describeFds;
import static io.gev.testing.ProcessResources.liveThreads;
import static io.gev.testing.ProcessResources.mib;
import static io.gev.testing.ProcessResources.openFds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scenario 6, graceful shutdown under load: 1,000 connections each have a 128 KiB reply queued
 * (half sent from the loop, half from another thread, whose sends still wait in the loops' queues)
 * and are reading it when the server is stopped. Every reply arrives in full before the server closes the connection, within the grace
 * period; afterwards no thread and no descriptor of the server is left and its port can be bound
 * again at once.
 */
@Tag("reliability")
class GracefulShutdownTest {

    private static final int CONNECTIONS = 1000;
    private static final int CHUNK = 16 * 1024;
    private static final int REPLY = 8 * CHUNK;
    private static final Duration GRACE = Duration.ofSeconds(30);
    private static final RepeatingPattern PATTERN = new RepeatingPattern(CHUNK);

    /**
     * "l" replies from the loop, "t" from another thread once {@code sendersGo} opens; counts
     * the requests and the replies queued.
     */
    private static final class Replies extends CountingHandler {
        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger queued = new AtomicInteger();
        final CountDownLatch sendersGo = new CountDownLatch(1);
        final ExecutorService elsewhere = Executors.newSingleThreadExecutor();

        @Override
        public Object onMessage(Connection connection, Object context, ByteBuffer payload) {
            requests.incrementAndGet();
            if (payload.get(payload.position()) == 't') {
                elsewhere.execute(() -> {
                    awaitQuietly(sendersGo);
                    reply(connection);
                });
            } else {
                reply(connection);
            }
            return null;
        }

        private void reply(Connection connection) {
            for (int i = 0; i < REPLY / CHUNK; i++) {
                connection.send(PATTERN.chunk());
            }
            queued.incrementAndGet();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void queuedRepliesAreDeliveredAndNothingSurvives(Transport transport) throws Exception {
        TestServers.warmUp(transport);
        long fdsBefore = openFds();
        Replies handler = new Replies();
        String name = "graceful-" + transport.name().toLowerCase();
        Server server = TestServers.local(handler, transport).name(name).sendBufferSize(CHUNK).build();
        server.start();
        int port = server.port();
        ServerStats stats = server.stats();
        String where = transport + ", " + CONNECTIONS + " connections";
        List<SocketChannel> clients = new ArrayList<>();
        long stopMillis;
        long queuedAtStop;
        long[] received = new long[CONNECTIONS];
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < CONNECTIONS; i++) {
                SocketChannel c = SocketChannel.open();
                c.setOption(StandardSocketOptions.SO_RCVBUF, CHUNK);
                c.connect(new InetSocketAddress("127.0.0.1", port));
                c.write(ByteBuffer.wrap(new byte[] {(byte) (i % 2 == 0 ? 'l' : 't')}));
                c.configureBlocking(false);
                c.register(selector, SelectionKey.OP_READ, i);
                clients.add(c);
            }
            Await.await(Duration.ofSeconds(30), () -> handler.requests.get() == CONNECTIONS,
                    () -> handler.requests.get() + " requests received; " + where);
            // Hold the loops while the other thread sends its 4,000 chunks, so that they are still
            // waiting in the loops' queues, behind the stop, when stop() is called.
            CountDownLatch loopsGo = new CountDownLatch(1);
            CountDownLatch loopsHeld = new CountDownLatch(server.loops().size());
            for (EventLoop loop : server.loops()) {
                loop.execute(() -> {
                    loopsHeld.countDown();
                    awaitQuietly(loopsGo);
                });
            }
            assertTrue(loopsHeld.await(10, TimeUnit.SECONDS), "loops held");
            handler.sendersGo.countDown();
            Await.await(Duration.ofSeconds(30), () -> handler.queued.get() == CONNECTIONS,
                    () -> handler.queued.get() + " replies queued; " + where);
            queuedAtStop = stats.writeBufferBytes();

            long t0 = System.nanoTime();
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> server.stop(GRACE));
            // The other thread's sends wait in one drain task; the stop adds a task to each loop.
            Await.await(Duration.ofSeconds(10), () -> stats.pendingTasks(0) + stats.pendingTasks(1) >= 3,
                    () -> "stop() queued no task: " + stats.pendingTasks(0) + " + " + stats.pendingTasks(1));
            loopsGo.countDown();
            int finished = readAll(selector, received, where);
            stopped.get(GRACE.toSeconds() + 10, TimeUnit.SECONDS);
            stopMillis = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(CONNECTIONS, finished, "connections that saw the end of their reply; " + where);
        } finally {
            server.stop(Duration.ZERO);
            handler.elsewhere.shutdown();
            for (SocketChannel c : clients) {
                c.close();
            }
        }
        for (int i = 0; i < CONNECTIONS; i++) {
            assertEquals(REPLY, received[i], "bytes of the reply to connection " + i + "; " + where);
        }
        assertTrue(queuedAtStop > 0, "the replies must still be on their way when stop() is called; " + where);
        assertTrue(stopMillis < GRACE.toMillis(), "stop() took " + stopMillis + " ms; " + where);
        assertEquals(CONNECTIONS, stats.closedConnections(CloseReason.SHUTDOWN), closedByReason(stats));
        assertEquals(CONNECTIONS, handler.closes.get(), "onClose calls; " + where);
        assertEquals(List.of(), List.copyOf(liveThreads("gev-" + name)), "threads of the stopped server; " + where);
        Await.await(Duration.ofSeconds(10), () -> openFds() <= fdsBefore,
                () -> "descriptors: " + fdsBefore + " before, " + openFds() + " after; " + where + "\n" + describeFds());

        // The port is free at once, though the server's side of 1,000 connections is in TIME_WAIT.
        Server again = TestServers.local((c, ctx, p) -> p, transport).name(name + "-again").port(port).build();
        again.start();
        try (TestClient client = TestClient.connect(again)) {
            client.write("again");
            assertEquals("again", client.readString(5));
        } finally {
            again.stop(Duration.ZERO);
        }
        System.out.printf("[reliability] graceful shutdown %s: stop(%d s) with %s of %d replies still queued returned "
                        + "after %d ms; every reply (%s in all) delivered in full, then closed; no thread or descriptor "
                        + "left; port %d bound again at once%n",
                transport, GRACE.toSeconds(), mib(queuedAtStop), CONNECTIONS, stopMillis,
                mib((long) CONNECTIONS * REPLY), port);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads every reply, checking its bytes, until each connection saw end of stream. */
    private static int readAll(Selector selector, long[] received, String where) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        int finished = 0;
        long deadline = System.nanoTime() + GRACE.toNanos();
        while (finished < received.length && System.nanoTime() < deadline) {
            selector.select(100);
            for (SelectionKey key : selector.selectedKeys()) {
                int i = (Integer) key.attachment();
                SocketChannel c = (SocketChannel) key.channel();
                buffer.clear();
                int n = c.read(buffer);
                if (n < 0) {
                    key.cancel();
                    finished++;
                    continue;
                }
                for (int k = 0; k < n; k++) {
                    long offset = received[i] + k;
                    if (offset >= REPLY || !PATTERN.matches(offset, buffer.get(k))) {
                        throw new AssertionError("connection " + i + ": byte " + offset + " is wrong; " + where);
                    }
                }
                received[i] += n;
            }
            selector.selectedKeys().clear();
        }
        return finished;
    }
}
