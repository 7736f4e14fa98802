package io.gev.websocket;

import io.gev.CloseReason;
import io.gev.embedded.EmbeddedConnection;
import io.gev.embedded.EmbeddedServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A subset of the conformance cases from a client nobody here wrote: Python's {@code websockets}
 * (Debian's python3-websockets, as PythonClientInteropTest) sends fragmented messages with pings
 * between the fragments, compressed and not, and invalid frames. The test carries its TCP bytes
 * into gev's real connection path ({@link EmbeddedServer}) one byte per segment, and the
 * server's bytes back, so every frame the library sends reaches gev byte-chopped; the library
 * checks the echoes, the pongs' order and the close codes it reads.
 */
@Timeout(120)
class PythonConformanceTest {

    private static final List<String> SCENARIOS = List.of("fragments", "deflate", "no-context", "invalid-utf8",
            "reserved-opcode", "ping-too-big");
    private static final List<CloseReason> REASONS = List.of(CloseReason.LOCAL, CloseReason.LOCAL, CloseReason.LOCAL,
            CloseReason.PROTOCOL_ERROR, CloseReason.PROTOCOL_ERROR, CloseReason.PROTOCOL_ERROR);

    private static String python;
    private static Path script;

    @BeforeAll
    static void findPython() throws Exception {
        python = PythonWebSockets.python();
        script = PythonWebSockets.script("/websocket/conformance_client.py");
    }

    @Test
    void pythonWebsocketsByteChoppedThroughTheRealConnectionPath() throws Exception {
        WebSocketOptions options = WebSocketOptions.builder().compression(true).build();
        ConformanceTest.Handler handler = new ConformanceTest.Handler();
        try (ServerSocket listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             EmbeddedServer server = EmbeddedServer.start(WebSocketServer.builder(handler, options).readBufferSize(4096))) {
            listener.setSoTimeout(30_000);
            List<String> command = new ArrayList<>(List.of(python, script.toString(),
                    "ws://127.0.0.1:" + listener.getLocalPort() + "/", "77"));
            command.addAll(SCENARIOS);
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try (InputStream out = p.getInputStream()) {
                    return new String(out.readAllBytes(), StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    return e.toString();
                }
            });
            List<EmbeddedConnection> connections = new ArrayList<>();
            long bytesIn = 0;
            try {
                for (int i = 0; i < SCENARIOS.size(); i++) {
                    Socket socket;
                    try {
                        socket = listener.accept();
                    } catch (SocketTimeoutException e) {
                        throw new AssertionError("the client did not connect for " + SCENARIOS.get(i) + ": "
                                + output.getNow("(still running)"), e);
                    }
                    try (socket) {
                        EmbeddedConnection c = server.connect();
                        connections.add(c);
                        bytesIn += bridge(socket, c);
                    }
                }
            } finally {
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            String out = output.get(10, TimeUnit.SECONDS);
            assertEquals(0, p.exitValue(), out);
            for (String name : SCENARIOS) {
                assertTrue(out.contains("OK " + name + ":"), out);
            }
            for (int i = 0; i < connections.size(); i++) {
                assertFalse(connections.get(i).isOpen(), SCENARIOS.get(i));
                assertEquals(REASONS.get(i), connections.get(i).closeReason(), SCENARIOS.get(i));
            }
            assertEquals(List.of(4000, 4000, 4000, 1007, 1002, 1002), handler.closeCodes);
            assertEquals(0, server.buffersLent());
            System.out.println("python websockets, byte-chopped: " + bytesIn + " bytes in one-byte segments\n" + out);
        }
    }

    /**
     * Carries bytes between the client's socket and the embedded connection, each received byte
     * a segment of its own, until the server closed and its last bytes went out.
     *
     * @return the bytes the client sent
     */
    private static long bridge(Socket socket, EmbeddedConnection c) throws IOException {
        socket.setSoTimeout(5);
        socket.setTcpNoDelay(true);
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (c.isOpen()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the exchange took over 60 s");
            }
            int n;
            try {
                n = in.read(buffer);
            } catch (SocketTimeoutException e) {
                n = 0; // nothing yet: the client waits for the server, or is busy
            }
            if (n < 0) {
                c.receiveEnd();
                break;
            }
            for (int i = 0; i < n && c.isOpen(); i++) {
                c.receive(buffer, i, 1);
            }
            total += n;
            if (c.sentLength() > 0) {
                out.write(c.takeSent());
                out.flush();
            }
        }
        if (c.sentLength() > 0) {
            out.write(c.takeSent());
            out.flush();
        }
        return total;
    }
}
