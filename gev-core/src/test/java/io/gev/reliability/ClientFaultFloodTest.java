package io.gev.reliability;

import io.gev.CloseReason;
import io.gev.Server;
import io.gev.testing.Await;
import io.gev.testing.EchoProbe;
import io.gev.testing.LogCapture;
import io.gev.testing.TestCertificates;
import io.gev.testing.TestServers;
import io.gev.websocket.WebSocketHandler;
import io.gev.websocket.WebSocketMessage;
import io.gev.websocket.WebSocketOptions;
import io.gev.websocket.WebSocketServer;
import io.gev.websocket.WebSocketSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A scanner's burst of bad handshakes, over real sockets: each bad client is a fault the server
 * logs, so ten thousand of them must come out as a few lines and a summary, while a good client
 * of the same server goes on being served.
 */
@Timeout(180)
class ClientFaultFloodTest {

    private static final int BAD_CLIENTS = 10_000;
    private static final int THREADS = 4;
    /** "A few dozen": the limit's lines, a summary per interval, the server's start and stop. */
    private static final int MAX_LINES = 30;

    @RegisterExtension
    final TestServers servers = new TestServers();

    @Test
    void tenThousandBadWebSocketUpgradesLogAFewLinesWhileAGoodClientIsServed() throws Exception {
        String name = "flood-ws";
        WebSocketHandler echo = new WebSocketHandler() {
            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                return message;
            }
        };
        Server server = servers.start(WebSocketServer.builder(echo, WebSocketOptions.builder().paths("/echo").build())
                .name(name).address("127.0.0.1").port(0).loops(2).daemonThreads(true));
        // An upgrade request without Upgrade and Sec-WebSocket-Key, as a scanner's plain GET is.
        byte[] bad = "GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: scanner\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        try (LogCapture log = LogCapture.start()) {
            flood(server, bad, EchoProbe.webSocket(server.port(), "/echo"), CloseReason.PROTOCOL_ERROR);
            assertFewLinesAccountForEveryClient(log.text(), name,
                    "protocol error: WebSocket upgrade refused with 426", "protocol errors");
        }
    }

    @Test
    void tenThousandClientsSendingGarbageToATlsPortLogAFewLinesWhileAGoodClientIsServed() throws Exception {
        String name = "flood-tls";
        TestCertificates certificates = TestCertificates.get();
        Server server = servers.start(Server.builder((c, ctx, p) -> p).name(name).address("127.0.0.1").port(0)
                .loops(2).daemonThreads(true).tls(certificates.serverOptions().build()));
        // Plain HTTP to the TLS port: not a TLS record at all.
        byte[] bad = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try (LogCapture log = LogCapture.start()) {
            flood(server, bad, EchoProbe.tls(server.port(), certificates.clientContext()), CloseReason.TLS_ERROR);
            assertFewLinesAccountForEveryClient(log.text(), name, "TLS handshake failed", "TLS failures");
        }
    }

    /**
     * Sends {@code bad} from {@value #BAD_CLIENTS} connections, each reading the server's answer to
     * the end, on {@value #THREADS} threads, while {@code good} goes on exchanging with the server;
     * then stops the server, which logs the summary of what the interval held back.
     */
    private static void flood(Server server, byte[] bad, EchoProbe.Exchange good, CloseReason reason)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try (EchoProbe probe = EchoProbe.start("good", Duration.ofMillis(5), good)) {
            List<Future<?>> burst = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                burst.add(pool.submit(() -> {
                    for (int i = 0; i < BAD_CLIENTS / THREADS; i++) {
                        badClient(server.port(), bad);
                    }
                    return null;
                }));
            }
            for (Future<?> f : burst) {
                f.get();
            }
            probe.stop().assertHealthy(Duration.ofSeconds(1));
        } finally {
            pool.shutdownNow();
        }
        Await.await(Duration.ofSeconds(30), () -> server.stats().closedConnections(reason) == BAD_CLIENTS,
                () -> server.stats().closedConnections(reason) + " connections closed for " + reason.tag());
        server.stop(Duration.ofSeconds(1));
    }

    /**
     * At most {@value #MAX_LINES} lines about the server, and every bad client in them: logged in
     * full ({@code logged}) or counted in a summary of {@code kind}.
     */
    private static void assertFewLinesAccountForEveryClient(String text, String name, String logged, String kind) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.contains(name)) {
                lines.add(line); // lines naming the server, or logged by its threads (named after it)
            }
        }
        String all = lines.size() + " lines:\n" + String.join("\n", lines);
        assertTrue(lines.size() <= MAX_LINES, all);
        long full = lines.stream().filter(line -> line.contains(logged)).count();
        assertTrue(full >= 1 && full <= 20, full + " logged in full; " + all);
        Pattern summary = Pattern.compile("gev server '" + name + "': \\.\\.\\. and ([0-9,]+) more " + kind);
        long summarised = 0;
        for (String line : lines) {
            Matcher m = summary.matcher(line);
            if (m.find()) {
                summarised += Long.parseLong(m.group(1).replace(",", ""));
            }
        }
        assertEquals(BAD_CLIENTS, full + summarised, "each bad client is logged or counted in a summary; " + all);
    }

    private static void badClient(int port, byte[] bad) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(bad);
            out.flush();
            InputStream in = socket.getInputStream();
            try {
                in.readAllBytes(); // the answer (an HTTP error, a TLS alert), then the server's close
            } catch (IOException reset) {
                // A close with unread bytes is a reset: the server closed, which is what is waited for.
            }
        }
    }
}
