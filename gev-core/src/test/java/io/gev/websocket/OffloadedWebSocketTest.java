package io.gev.websocket;

import io.gev.HandlerExecution;
import io.gev.Server;
import io.gev.loop.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A WebSocket handler offloaded to an executor, against the JDK's client: the upgrade stays on the
 * loop, {@code onOpen}, {@code onMessage} and {@code onClose} run off it in order, a handler that
 * blocks answers every message in order, the message it keeps is its own copy, and a graceful stop
 * sends the reply of a callback in flight before its 1001.
 */
@Timeout(60)
class OffloadedWebSocketTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(8);
    private final List<Server> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        for (Server s : servers) {
            s.stop(Duration.ZERO);
        }
        pool.shutdownNow();
    }

    /** The test's pool names its threads "pool-…"; the server's loop threads are named after the server. */
    private static String where() {
        String name = Thread.currentThread().getName();
        return name.startsWith("pool-") ? "pool" : name.startsWith("gev-websocket") ? "loop" : name;
    }

    @Test
    void aBlockingHandlerAnswersEveryMessageInOrderOffTheLoop() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        List<WebSocketMessage> kept = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch closed = new CountDownLatch(1);
        WebSocketHandler handler = new WebSocketHandler() {
            @Override
            public void onHandshake(HandshakeRequest request) {
                events.add("handshake on " + where());
            }

            @Override
            public void onOpen(WebSocketSession session) {
                events.add("open on " + where());
            }

            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                events.add("message on " + where());
                kept.add(message);
                try {
                    Thread.sleep(5); // a blocking call
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                // Not the message itself: a reply is gev's once returned, and packing it reads its payload.
                return message.isText() ? message.text() : ByteBuffer.wrap(message.bytes());
            }

            @Override
            public void onClose(WebSocketSession session, int code, String reason) {
                events.add("close on " + where() + " " + code);
                closed.countDown();
            }
        };
        Server server = WebSocketServer.builder(handler, WebSocketOptions.builder().paths("/echo").build())
                .address("127.0.0.1").port(0).loops(1).transport(Transport.AUTO).daemonThreads(true)
                .handlerExecution(HandlerExecution.builder().executor(pool).maxQueuedMessages(4).build())
                .build();
        servers.add(server);
        server.start();

        int count = 50;
        JdkClientInteropTest.Collector collector = new JdkClientInteropTest.Collector();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/echo"), collector)
                .get(10, TimeUnit.SECONDS);
        CompletableFuture<WebSocket> sending = CompletableFuture.completedFuture(ws);
        for (int i = 0; i < count; i++) {
            String text = "message " + i;
            if (i % 2 == 0) {
                sending = sending.thenCompose(w -> w.sendText(text, true));
            } else {
                sending = sending.thenCompose(w -> w.sendBinary(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), true));
            }
        }
        sending.get(10, TimeUnit.SECONDS);
        for (int i = 0; i < count; i++) {
            Object echoed = collector.messages.poll(10, TimeUnit.SECONDS);
            byte[] expected = ("message " + i).getBytes(StandardCharsets.UTF_8);
            if (i % 2 == 0) {
                assertEquals("message " + i, echoed, "text echo " + i);
            } else {
                assertArrayEquals(expected, (byte[]) echoed, "binary echo " + i);
            }
        }
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        assertTrue(closed.await(10, TimeUnit.SECONDS));

        assertEquals("handshake on loop", events.get(0));
        assertEquals("open on pool", events.get(1));
        for (int i = 0; i < count; i++) {
            assertEquals("message on pool", events.get(i + 2));
        }
        assertEquals("close on pool 1000", events.get(count + 2));
        assertEquals(count + 3, events.size());
        for (int i = 0; i < count; i++) {
            assertEquals("message " + i, new String(kept.get(i).bytes(), StandardCharsets.UTF_8),
                    "the kept message " + i + " is the handler's own");
        }
    }

    @Test
    void aGracefulStopSendsTheReplyInFlightBeforeGoingAway() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        WebSocketHandler slow = new WebSocketHandler() {
            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                started.countDown();
                try {
                    Thread.sleep(300); // a blocking call still running when the stop begins
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "done " + message.text();
            }
        };
        Server server = WebSocketServer.builder(slow, WebSocketOptions.builder().paths("/echo").build())
                .address("127.0.0.1").port(0).loops(1).transport(Transport.AUTO).daemonThreads(true)
                .handlerExecution(HandlerExecution.executor(pool))
                .build();
        servers.add(server);
        server.start();
        JdkClientInteropTest.Collector collector = new JdkClientInteropTest.Collector();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/echo"), collector)
                .get(10, TimeUnit.SECONDS);
        ws.sendText("order", true).get(10, TimeUnit.SECONDS);
        assertTrue(started.await(10, TimeUnit.SECONDS));
        server.stop(Duration.ofSeconds(10));
        assertEquals("done order", collector.messages.poll(10, TimeUnit.SECONDS), "the reply in flight");
        assertEquals(CloseStatus.GOING_AWAY + " server stopping", collector.closed.get(10, TimeUnit.SECONDS));
    }
}
