package io.gev.websocket;

import io.gev.Server;
import io.gev.loop.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Interoperability with Python's {@code websockets} library (Debian's python3-websockets, which
 * .ci/run installs): thousands of messages of random sizes, some of at least 1 MiB, text and
 * binary, some fragmented, with permessage-deflate negotiated and without.
 */
@Timeout(120)
class PythonClientInteropTest {

    private static String python;
    private static Path script;
    private Server server;

    @BeforeAll
    static void findPython() throws Exception {
        // A pyenv or venv python3 on PATH may lack the Debian package: prefer the system one.
        python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        String problem = null;
        try {
            Process p = new ProcessBuilder(python, "-c", "import websockets").redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                problem = output.strip();
            }
        } catch (IOException e) {
            problem = e.toString();
        }
        Assumptions.assumeTrue(problem == null, "skipped: " + python + " cannot import websockets ("
                + "install python3-websockets, as .ci/run does): " + problem);
        script = Files.createTempFile("gev-ws-echo", ".py");
        try (InputStream in = PythonClientInteropTest.class.getResourceAsStream("/websocket/echo_client.py")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        script.toFile().deleteOnExit();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(Duration.ZERO);
        }
    }

    @ParameterizedTest(name = "{0} transport, compression {1}")
    @CsvSource({"EPOLL, true, 3000, 11", "NIO, false, 3000, 12"})
    void thousandsOfRandomMessagesEchoWithAndWithoutCompression(Transport transport, boolean compression,
                                                                  int count, long seed) throws Exception {
        Recorder handler = new Recorder();
        WebSocketOptions options = WebSocketOptions.builder().paths("/echo").compression(compression)
                .maxFrameSize(4 << 20).maxMessageSize(4 << 20).build();
        server = WebSocketServer.builder(handler, options).address("127.0.0.1").port(0).loops(2)
                .transport(transport).daemonThreads(true).build();
        server.start();

        Process p = new ProcessBuilder(python, script.toString(), "ws://127.0.0.1:" + server.port() + "/echo",
                String.valueOf(count), String.valueOf(seed), compression ? "deflate" : "none")
                .redirectErrorStream(true).start();
        String output;
        try (InputStream out = p.getInputStream()) {
            output = new String(out.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the python client did not finish: " + output);
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.startsWith("OK " + count + " messages"), output);

        WebSocketSession session = handler.nextOpened();
        assertEquals(compression, session.isCompressed(), "negotiated: " + session.extensions());
        if (compression) {
            assertTrue(output.contains("extensions=permessage-deflate"), output);
        }
        handler.expectClosed(4000, "done");
        System.out.println("python websockets: " + output);
    }
}
