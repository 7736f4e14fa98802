package io.gev.reliability;

import io.gev.CloseReason;
import io.gev.Server;
import io.gev.testing.Await;
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

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
            Replies replies = new Replies();
            WebSocket good = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/echo"), replies)
                    .get(10, TimeUnit.SECONDS);
            int exchanges = flood(server.port(), bad, () -> {
                String text = "still served " + replies.count.incrementAndGet();
                good.sendText(text, true).get(10, TimeUnit.SECONDS);
                assertEquals(text, replies.next());
            });
            assertTrue(exchanges > 0, "the good client exchanged no message during the burst");
            good.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
            awaitClosed(server, CloseReason.PROTOCOL_ERROR);
            server.stop(Duration.ofSeconds(1)); // logs the summary of what the interval held back

            List<String> lines = linesAbout(log.text(), name);
            assertTrue(lines.size() <= MAX_LINES, lines.size() + " lines:\n" + String.join("\n", lines));
            long logged = count(lines, "protocol error: WebSocket upgrade refused with 426");
            assertTrue(logged >= 1 && logged <= 20, logged + " logged in full");
            assertEquals(BAD_CLIENTS, logged + summarised(lines, name, "protocol errors"),
                    "each bad client is logged or counted in a summary:\n" + String.join("\n", lines));
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
        try (LogCapture log = LogCapture.start();
                SSLSocket good = (SSLSocket) certificates.clientContext().getSocketFactory()
                        .createSocket("127.0.0.1", server.port())) {
            good.setSoTimeout(10_000);
            good.startHandshake();
            AtomicInteger n = new AtomicInteger();
            int exchanges = flood(server.port(), bad, () -> {
                byte[] text = ("still served " + n.incrementAndGet()).getBytes(StandardCharsets.US_ASCII);
                good.getOutputStream().write(text);
                assertArrayEquals(text, good.getInputStream().readNBytes(text.length));
            });
            assertTrue(exchanges > 0, "the good client exchanged no message during the burst");
            good.close();
            awaitClosed(server, CloseReason.TLS_ERROR);
            server.stop(Duration.ofSeconds(1));

            List<String> lines = linesAbout(log.text(), name);
            assertTrue(lines.size() <= MAX_LINES, lines.size() + " lines:\n" + String.join("\n", lines));
            long logged = count(lines, "TLS handshake failed");
            assertTrue(logged >= 1 && logged <= 20, logged + " logged in full");
            assertEquals(BAD_CLIENTS, logged + summarised(lines, name, "TLS failures"),
                    "each bad client is logged or counted in a summary:\n" + String.join("\n", lines));
        }
    }

    /** What the good client does while the burst lasts; it fails the test by throwing. */
    private interface Exchange {
        void run() throws Exception;
    }

    /**
     * Sends {@code bad} from {@value #BAD_CLIENTS} connections, each reading the server's answer to
     * the end, on {@value #THREADS} threads, and runs {@code exchange} meanwhile, again and again.
     *
     * @return how many exchanges ran while the burst lasted
     */
    private static int flood(int port, byte[] bad, Exchange exchange) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> burst = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                burst.add(pool.submit(() -> {
                    for (int i = 0; i < BAD_CLIENTS / THREADS; i++) {
                        badClient(port, bad);
                    }
                    return null;
                }));
            }
            int exchanges = 0;
            while (!burst.stream().allMatch(Future::isDone)) {
                exchange.run();
                exchanges++;
            }
            for (Future<?> f : burst) {
                f.get();
            }
            return exchanges;
        } finally {
            pool.shutdownNow();
        }
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

    private static void awaitClosed(Server server, CloseReason reason) {
        Await.await(Duration.ofSeconds(30), () -> server.stats().closedConnections(reason) == BAD_CLIENTS,
                () -> server.stats().closedConnections(reason) + " connections closed for " + reason.tag());
    }

    /** Lines the server logged or that name it (its threads are named after it, too). */
    private static List<String> linesAbout(String text, String name) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.contains(name)) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static long count(List<String> lines, String fragment) {
        return lines.stream().filter(line -> line.contains(fragment)).count();
    }

    private static long summarised(List<String> lines, String name, String kind) {
        Pattern summary = Pattern.compile("gev server '" + name + "': \\.\\.\\. and ([0-9,]+) more " + kind);
        long sum = 0;
        for (String line : lines) {
            Matcher m = summary.matcher(line);
            if (m.find()) {
                sum += Long.parseLong(m.group(1).replace(",", ""));
            }
        }
        return sum;
    }

    /** The good client's replies, in order. */
    private static final class Replies implements WebSocket.Listener {
        final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        final AtomicInteger count = new AtomicInteger();
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                texts.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        String next() throws InterruptedException {
            String reply = texts.poll(10, TimeUnit.SECONDS);
            if (reply == null) {
                throw new AssertionError("no reply within 10 s");
            }
            return reply;
        }
    }
}
