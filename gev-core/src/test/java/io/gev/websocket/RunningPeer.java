package io.gev.websocket;

import io.gev.Server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A WebSocket echo server for the client's tests, on 127.0.0.1: Python's {@code websockets} or
 * Node's {@code ws} (scripts among the test resources; {@code /close} closes with a code of the
 * server's, {@code /fragmented} sends a message in three frames first), or gev's own.
 */
final class RunningPeer implements AutoCloseable {

    enum Peer {
        PYTHON(false), PYTHON_DEFLATE(true), NODE(false), NODE_DEFLATE(true), GEV(false), GEV_DEFLATE(true);

        final boolean deflate;

        Peer(boolean deflate) {
            this.deflate = deflate;
        }

        /** The code and reason its {@code /close} closes with. */
        int closeCode() {
            return name().startsWith("PYTHON") ? 4000 : name().startsWith("NODE") ? 4001 : 4002;
        }

        String closeReason() {
            return name().startsWith("PYTHON") ? "bye" : name().startsWith("NODE") ? "node bye" : "gev bye";
        }
    }

    private static final Path NODE = Path.of("/usr/bin/node");
    private static final Path NODE_WS = Path.of("/usr/share/nodejs/ws");

    final int port;
    private final Process process;
    private final Server server;

    private RunningPeer(int port, Process process, Server server) {
        this.port = port;
        this.process = process;
        this.server = server;
    }

    static RunningPeer start(Peer peer) throws Exception {
        String compression = peer.deflate ? "on" : "off";
        switch (peer) {
            case PYTHON, PYTHON_DEFLATE -> {
                Path script = PythonWebSockets.script("/websocket/echo_server.py");
                return process(new ProcessBuilder(PythonWebSockets.python(), script.toString(), compression));
            }
            case NODE, NODE_DEFLATE -> {
                assumeTrue(Files.isExecutable(NODE) && Files.isDirectory(NODE_WS),
                        "skipped: node or Debian's node-ws is missing (apt-get install node-ws, as .ci/run does)");
                ProcessBuilder builder = new ProcessBuilder(NODE.toString(), copy("/websocket/echo_server.js", ".js")
                        .toString(), compression);
                builder.environment().put("NODE_PATH", NODE_WS.getParent().toString());
                return process(builder);
            }
            default -> {
                Server server = WebSocketServer.builder(new WebSocketHandler() {
                    @Override
                    public void onOpen(WebSocketSession session) {
                        if (session.request().path().equals("/close")) {
                            session.close(peer.closeCode(), peer.closeReason());
                        }
                    }

                    @Override
                    public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                        return message;
                    }
                }, WebSocketOptions.builder().compression(peer.deflate).build())
                        .address("127.0.0.1").port(0).loops(1).daemonThreads(true).build();
                server.start();
                return new RunningPeer(server.port(), null, server);
            }
        }
    }

    private static Path copy(String resource, String suffix) throws IOException {
        Path file = Files.createTempFile("gev-ws", suffix);
        file.toFile().deleteOnExit();
        try (InputStream in = RunningPeer.class.getResourceAsStream(resource)) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    /** Starts a server process that prints its port first. */
    private static RunningPeer process(ProcessBuilder builder) throws IOException {
        Process process = builder.redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        try {
            return new RunningPeer(Integer.parseInt(line == null ? "" : line.trim()), process, null);
        } catch (NumberFormatException e) {
            StringBuilder said = new StringBuilder(String.valueOf(line));
            String more;
            while ((more = out.readLine()) != null) {
                said.append('\n').append(more);
            }
            process.destroyForcibly();
            throw new IOException("the server did not start: " + said);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (server != null) {
            server.stop(Duration.ofSeconds(2));
        }
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
