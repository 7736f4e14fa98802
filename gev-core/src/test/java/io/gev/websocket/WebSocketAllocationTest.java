package io.gev.websocket;

import io.gev.Server;
import io.gev.loop.Transport;
import io.gev.testing.LoopAllocations;
import io.gev.testing.PingPong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The WebSocket echo path allocates nothing per message on the loop thread: frames are unmasked
 * in place, text is validated without decoding, replies are framed straight into the out ring.
 */
class WebSocketAllocationTest {

    private static final int CLIENT_THREADS = 4;
    private static final int CONNECTIONS_PER_THREAD = 5;

    // EPOLL only, for the reason ServerLoadTest gives: the JDK selector boxes ready descriptors.
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void steadyStateEchoOfBinaryAndTextAllocatesNothingPerMessage() throws Exception {
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
            LoopAllocations allocations = LoopAllocations.of(server.loops().get(0));
            for (int i = 0; i < CLIENT_THREADS * CONNECTIONS_PER_THREAD; i++) {
                WsTestClient c = WsTestClient.open(server.port(), "/");
                sockets.add(c.raw().socket());
            }
            Random random = new Random(42);
            byte[] binary = new byte[4096];
            random.nextBytes(binary);
            String text = "small text message, caf\u00e9 \u6f22\u5b57 ".repeat(2);
            byte[][] payloads = {text.getBytes(StandardCharsets.UTF_8), binary, Arrays.copyOf(binary, 64)};
            int[] opcodes = {1, 2, 2};
            byte[][] requests = new byte[3][];
            byte[][] responses = new byte[3][];
            for (int i = 0; i < 3; i++) {
                requests[i] = WsTestClient.frame(true, 0, opcodes[i], payloads[i], random.nextInt(), true);
                responses[i] = WsTestClient.frame(true, 0, opcodes[i], payloads[i], 0, false);
            }

            long warmUp = PingPong.run(sockets, CLIENT_THREADS, 60_000, requests, responses);
            long messages0 = server.stats().messagesIn();
            long allocated0 = allocations.bytes();
            long t0 = System.nanoTime();
            long measured = PingPong.run(sockets, CLIENT_THREADS, 120_000, requests, responses);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            long allocated = allocations.bytes() - allocated0;
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
}
