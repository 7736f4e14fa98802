package io.gev.websocket;

import io.gev.Server;
import io.gev.loop.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.EOFException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The WebSocket echo path allocates nothing per message on the loop thread: frames are unmasked
 * in place, text is validated without decoding, replies are framed straight into the out ring.
 */
class WebSocketAllocationTest {

    private static final int CLIENT_THREADS = 4;
    private static final int CONNECTIONS_PER_THREAD = 5;

    /** A client frame and the server frame that echoes it. */
    private static final class Exchange {
        final byte[] request;
        final byte[] response;

        Exchange(int opcode, byte[] payload, int mask) {
            this.request = WsTestClient.frame(true, 0, opcode, payload, mask, true);
            this.response = WsTestClient.frame(true, 0, opcode, payload, 0, false);
        }
    }

    // EPOLL only, for the reason ServerLoadTest gives: the JDK selector boxes ready descriptors.
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void steadyStateEchoOfBinaryAndTextAllocatesNothingPerMessage() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported(), "this JVM cannot count allocated bytes per thread");
        if (!threads.isThreadAllocatedMemoryEnabled()) {
            threads.setThreadAllocatedMemoryEnabled(true);
        }
        WebSocketHandler echo = new WebSocketHandler() {
            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                return message.isBinary() ? message.payload() : message;
            }
        };
        Server server = WebSocketServer.builder(echo).address("127.0.0.1").port(0).loops(1)
                .transport(Transport.EPOLL).build();
        server.start();
        List<Socket> sockets = new ArrayList<>();
        try {
            CompletableFuture<Long> loopThreadId = new CompletableFuture<>();
            server.loops().get(0).execute(() -> loopThreadId.complete(Thread.currentThread().getId()));
            long loopThread = loopThreadId.get(10, TimeUnit.SECONDS);
            for (int i = 0; i < CLIENT_THREADS * CONNECTIONS_PER_THREAD; i++) {
                WsTestClient c = WsTestClient.open(server.port(), "/");
                sockets.add(c.raw().socket());
            }
            Random random = new Random(42);
            byte[] binary = new byte[4096];
            random.nextBytes(binary);
            String text = "small text message, caf\u00e9 \u6f22\u5b57 ".repeat(2);
            Exchange[] exchanges = {
                    new Exchange(1, text.getBytes(StandardCharsets.UTF_8), random.nextInt()),
                    new Exchange(2, binary, random.nextInt()),
                    new Exchange(2, Arrays.copyOf(binary, 64), random.nextInt())};

            long warmUp = pingPong(sockets, exchanges, 60_000);
            long messages0 = server.stats().messagesIn();
            long allocated0 = threads.getThreadAllocatedBytes(loopThread);
            long t0 = System.nanoTime();
            long measured = pingPong(sockets, exchanges, 120_000);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            long allocated = threads.getThreadAllocatedBytes(loopThread) - allocated0;
            long decoded = server.stats().messagesIn() - messages0;
            assertEquals(measured, decoded);
            double perMessage = (double) allocated / measured;
            String report = String.format("loop thread allocated %d bytes over %d echoed WebSocket messages in %d ms "
                    + "(%.0f msg/s): %.4f bytes/message (warm-up: %d)", allocated, measured, millis,
                    measured * 1000.0 / Math.max(1, millis), perMessage, warmUp);
            System.out.println("WebSocket echo: " + report);
            assertTrue(perMessage < 1.0, "the WebSocket echo path allocates per message: " + report);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
            server.stop(Duration.ofSeconds(1));
        }
    }

    /** Each thread sends one frame on each of its sockets, then reads and checks every echo; until {@code total}. */
    private static long pingPong(List<Socket> sockets, Exchange[] exchanges, int total) throws Exception {
        int rounds = total / sockets.size();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < CLIENT_THREADS; t++) {
            List<Socket> own = sockets.subList(t * CONNECTIONS_PER_THREAD, (t + 1) * CONNECTIONS_PER_THREAD);
            Thread worker = new Thread(() -> {
                byte[] in = new byte[8192];
                try {
                    for (int r = 0; r < rounds && failure.get() == null; r++) {
                        for (int s = 0; s < own.size(); s++) {
                            OutputStream out = own.get(s).getOutputStream();
                            out.write(exchanges[(r + s) % exchanges.length].request);
                        }
                        for (int s = 0; s < own.size(); s++) {
                            byte[] expected = exchanges[(r + s) % exchanges.length].response;
                            InputStream stream = own.get(s).getInputStream();
                            int off = 0;
                            while (off < expected.length) {
                                int n = stream.read(in, off, expected.length - off);
                                if (n < 0) {
                                    throw new EOFException("EOF after " + off + " of " + expected.length);
                                }
                                off += n;
                            }
                            if (!Arrays.equals(in, 0, expected.length, expected, 0, expected.length)) {
                                throw new AssertionError("echo differs on socket " + s + " round " + r);
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "ws-ping-pong-" + t);
            workers.add(worker);
            worker.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("ping-pong failed", failure.get());
        }
        return (long) rounds * sockets.size();
    }
}
