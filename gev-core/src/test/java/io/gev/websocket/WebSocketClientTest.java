package io.gev.websocket;

import io.gev.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * gev's WebSocket client against servers nobody here wrote (Python's {@code websockets}, Node's
 * {@code ws}) and against gev's own, each with and without permessage-deflate: text, binary,
 * 1 MiB, many in order, close codes both ways. Fragments and pings: {@link WebSocketClientServerFramesTest}.
 */
@Timeout(90)
@ParameterizedClass(name = "{0}")
@EnumSource(RunningPeer.Peer.class)
class WebSocketClientTest {

    @Parameter
    RunningPeer.Peer peer;

    private RunningPeer running;
    private int port;
    private WebSocketClient client;
    private final Messages messages = new Messages();

    @BeforeEach
    void startPeer() throws Exception {
        running = RunningPeer.start(peer);
        port = running.port;
        client = WebSocketClient.builder(messages)
                .options(WebSocketOptions.builder().compression(peer.deflate).build())
                .build();
    }

    @AfterEach
    void stopPeer() throws Exception {
        if (client != null) {
            client.stop(Duration.ofSeconds(2));
        }
        if (running != null) {
            running.close();
        }
    }

    private WebSocketSession open(String path) throws Exception {
        WebSocketSession session = client.connect(URI.create("ws://127.0.0.1:" + port + path)).get(20, TimeUnit.SECONDS);
        assertEquals(peer.deflate, session.isCompressed(), "negotiated: " + session.extensions());
        return session;
    }

    @Test
    void echoesTextAndBinary() throws Exception {
        WebSocketSession session = open("/echo");
        session.sendText("hello, " + peer);
        assertEquals("hello, " + peer, messages.next().text());
        byte[] bytes = new byte[300];
        new Random(7).nextBytes(bytes);
        session.sendBinary(bytes);
        WebSocketMessage binary = messages.next();
        assertTrue(binary.isBinary());
        assertArrayEquals(bytes, binary.bytes());
        session.sendText("");
        assertEquals("", messages.next().text());
        String unicode = "Grüße, 世界 🌍";
        session.sendText(unicode);
        assertEquals(unicode, messages.next().text());
    }

    @Test
    void echoesAMebibyteAndManyMessagesInOrder() throws Exception {
        WebSocketSession session = open("/echo");
        byte[] big = new byte[1024 * 1024];
        new Random(42).nextBytes(big);
        Arrays.fill(big, 0, 1000, (byte) 'a'); // something compressible too
        session.sendBinary(big);
        assertArrayEquals(big, messages.next().bytes());
        for (int i = 0; i < 500; i++) {
            session.sendText("message " + i);
        }
        for (int i = 0; i < 500; i++) {
            assertEquals("message " + i, messages.next().text());
        }
    }

    @Test
    void reportsTheServersCloseCode() throws Exception {
        open("/close");
        messages.expectClosed(peer.closeCode(), peer.closeReason());
    }

    @Test
    void closesWithItsOwnCode() throws Exception {
        WebSocketSession session = open("/echo");
        session.close(4100, "client done");
        messages.expectClosed(4100, "client done");
    }

    /** Queues what the client's sessions receive, and answers nothing (a server here echoes). */
    static final class Messages extends Recorder {
        private final BlockingQueue<WebSocketMessage> received = new LinkedBlockingQueue<>();

        @Override
        public Object onMessage(WebSocketSession session, WebSocketMessage message) {
            received.add(message.copy());
            return null;
        }

        WebSocketMessage next() throws InterruptedException {
            WebSocketMessage message = received.poll(20, TimeUnit.SECONDS);
            assertNotNull(message, "nothing received");
            return message;
        }
    }
}
