package io.gev.websocket;

import io.gev.Server;
import io.gev.loop.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;

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
    private static Path windowScript;
    private Server server;

    @BeforeAll
    static void findPython() throws Exception {
        python = PythonWebSockets.python();
        script = PythonWebSockets.script("/websocket/echo_client.py");
        windowScript = PythonWebSockets.script("/websocket/window_client.py");
    }

    /**
     * Windows below 32 KiB, which java.util.zip cannot configure: the library decompresses with
     * exactly the window it offered, so a back reference reaching further would fail.
     */
    @ParameterizedTest(name = "server_max_window_bits={0}")
    @ValueSource(ints = {8, 9, 10, 12, 14, 15})
    void smallerServerWindowsAreGrantedAndHonoured(int bits) throws Exception {
        Recorder handler = new Recorder();
        WebSocketOptions options = WebSocketOptions.builder().paths("/echo").compression(true)
                .compressionMinSize(0).maxFrameSize(4 << 20).maxMessageSize(4 << 20).build();
        server = WebSocketServer.builder(handler, options).address("127.0.0.1").port(0).loops(1)
                .daemonThreads(true).build();
        server.start();
        String output = runPython(windowScript, "ws://127.0.0.1:" + server.port() + "/echo", String.valueOf(bits));
        assertTrue(output.startsWith("OK "), output);
        assertEquals("permessage-deflate; server_max_window_bits=" + bits, handler.nextOpened().extensions());
        handler.expectClosed(1000, "");
    }

    private static String runPython(Path file, String... args) throws Exception {
        return PythonWebSockets.run(python, file, args);
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

        String output = runPython(script, "ws://127.0.0.1:" + server.port() + "/echo",
                String.valueOf(count), String.valueOf(seed), compression ? "deflate" : "none");
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
