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
 * 1 MiB, fragmented messages, close codes both ways.
 */
@Timeout(90)
@ParameterizedClass(name = "{0}")
@EnumSource(WebSocketClientTest.Peer.class)
class WebSocketClientTest {

    enum Peer {
        PYTHON(false), PYTHON_DEFLATE(true), NODE(false), NODE_DEFLATE(true), GEV(false), GEV_DEFLATE(true);

        final boolean deflate;

        Peer(boolean deflate) {
            this.deflate = deflate;
        }
    }

    @Parameter
    Peer peer;

    private Process process;
    private Server server;
    private int port;
    private WebSocketClient client;
    private final Messages messages = new Messages();

    @BeforeEach
    void startPeer() throws Exception {
        switch (peer) {
            case PYTHON, PYTHON_DEFLATE -> {
                Path script = PythonWebSockets.script("/websocket/echo_server.py");
                process = new ProcessBuilder(PythonWebSockets.python(), script.toString(), peer.deflate ? "on" : "off")
                        .redirectErrorStream(true).start();
                port = readPort(process);
            }
            case NODE, NODE_DEFLATE -> {
                Path node = Path.of("/usr/bin/node");
                assumeTrue(Files.isExecutable(node) && Files.isDirectory(Path.of("/usr/share/nodejs/ws")),
                        "skipped: node or Debian's node-ws is missing (apt-get install node-ws, as .ci/run does)");
                Path script = Files.createTempFile("gev-ws", ".js");
                script.toFile().deleteOnExit();
                try (var in = WebSocketClientTest.class.getResourceAsStream("/websocket/echo_server.js")) {
                    Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                ProcessBuilder builder = new ProcessBuilder(node.toString(), script.toString(), peer.deflate ? "on" : "off")
                        .redirectErrorStream(true);
                builder.environment().put("NODE_PATH", "/usr/share/nodejs");
                process = builder.start();
                port = readPort(process);
            }
            default -> {
                server = WebSocketServer.builder(new WebSocketHandler() {
                    @Override
                    public void onOpen(WebSocketSession session) {
                        if (session.request().path().equals("/close")) {
                            session.close(4002, "gev bye");
                        }
                    }

                    @Override
                    public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                        return message;
                    }
                }, WebSocketOptions.builder().compression(peer.deflate).build())
                        .address("127.0.0.1").port(0).loops(1).daemonThreads(true).build();
                server.start();
                port = server.port();
            }
        }
        client = WebSocketClient.builder(messages)
                .options(WebSocketOptions.builder().compression(peer.deflate).build())
                .build();
    }

    @AfterEach
    void stopPeer() throws Exception {
        if (client != null) {
            client.stop(Duration.ofSeconds(2));
        }
        if (server != null) {
            server.stop(Duration.ofSeconds(2));
        }
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int readPort(Process process) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        try {
            return Integer.parseInt(line == null ? "" : line.trim());
        } catch (NumberFormatException e) {
            StringBuilder said = new StringBuilder(String.valueOf(line));
            String more;
            while ((more = out.readLine()) != null) {
                said.append('\n').append(more);
            }
            throw new IOException("the server did not start: " + said);
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
    void assemblesAFragmentedMessage() throws Exception {
        assumeTrue(peer == Peer.PYTHON || peer == Peer.PYTHON_DEFLATE, "only the Python server fragments on demand");
        open("/fragmented");
        assertEquals("fragmented message", messages.next().text());
    }

    @Test
    void reportsTheServersCloseCode() throws Exception {
        open("/close");
        Messages.Closed closed = messages.closed();
        int expected = peer.name().startsWith("PYTHON") ? 4000 : peer.name().startsWith("NODE") ? 4001 : 4002;
        String reason = peer.name().startsWith("PYTHON") ? "bye" : peer.name().startsWith("NODE") ? "node bye" : "gev bye";
        assertEquals(expected, closed.code);
        assertEquals(reason, closed.reason);
    }

    @Test
    void closesWithItsOwnCode() throws Exception {
        WebSocketSession session = open("/echo");
        session.close(4100, "client done");
        Messages.Closed closed = messages.closed();
        assertEquals(4100, closed.code);
        assertEquals("client done", closed.reason);
    }

    /** Queues what the client's sessions receive. */
    static final class Messages implements WebSocketHandler {
        record Closed(int code, String reason) {
        }

        private final BlockingQueue<WebSocketMessage> received = new LinkedBlockingQueue<>();
        private final BlockingQueue<Closed> closes = new LinkedBlockingQueue<>();

        @Override
        public Object onMessage(WebSocketSession session, WebSocketMessage message) {
            received.add(message.copy());
            return null;
        }

        @Override
        public void onClose(WebSocketSession session, int code, String reason) {
            closes.add(new Closed(code, reason));
        }

        WebSocketMessage next() throws InterruptedException {
            WebSocketMessage message = received.poll(20, TimeUnit.SECONDS);
            assertNotNull(message, "nothing received");
            return message;
        }

        Closed closed() throws InterruptedException {
            Closed closed = closes.poll(20, TimeUnit.SECONDS);
            assertNotNull(closed, "the session did not close");
            return closed;
        }
    }
}
