package io.gev.websocket;

import io.gev.CloseReason;
import io.gev.embedded.EmbeddedConnection;
import io.gev.embedded.EmbeddedServer;
import io.gev.embedded.Segmentation;
import io.gev.embedded.WriteAcceptance;
import io.gev.protocol.ProtocolException;
import io.gev.websocket.ConformanceCase.Delivery;
import io.gev.websocket.ConformanceCase.Script;
import io.gev.websocket.ConformanceCase.Section;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * gev's WebSocket server against the case categories of the Autobahn TestSuite (sections 1-7, 9,
 * 10, 12 and 13) and the strictness cases gev adds, over gev's real connection path
 * ({@link EmbeddedServer}): every case delivered whole, byte by byte, at random cuts (polled
 * level-triggered) and at random cuts to a slowly reading client (plus the suite's own chops where
 * it has them). Each run checks
 * the server's bytes as a strict client would (frames, the close frame and that nothing follows
 * it, the permessage-deflate response and window), that the connection closes exactly where it
 * must — after the client's close, or at the byte that made the input invalid — and that no
 * buffer leaks. The outcome of every case goes to {@code target/conformance.md}, which
 * CONFORMANCE.md copies.
 */
@Timeout(120)
class ConformanceTest {

    /** Small, so that frames keep moving from the loop's buffer into the connection's ring. */
    static final int READ_BUFFER = 4096;
    /** Scripts up to this size go byte by byte; larger ones byte by byte around every frame's edges. */
    static final int BYTE_BY_BYTE_LIMIT = 96 * 1024;

    private static final Report REPORT = new Report();

    /** All cases, or those whose id matches {@code -Dgev.conformance.cases=<regex>} (say {@code 6\..*}). */
    private static Stream<ConformanceCase> selected() {
        String only = System.getProperty("gev.conformance.cases");
        return ConformanceCases.all().stream().filter(c -> only == null || c.id.matches(only));
    }

    static Stream<ConformanceCase> cases() {
        return selected();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void conformance(ConformanceCase c) {
        REPORT.run(c, () -> run(c));
    }

    /** Runs on its own: it moves the embedded loop's clock past closeTimeout. */
    @org.junit.jupiter.api.Test
    void aServerCloseTheClientNeverAnswersEndsAfterTheCloseTimeout() {
        ConformanceCase c = new ConformanceCase(Section.CLOSE, "7.g19",
                "server closes, the client never answers: closed after closeTimeout (2 s), nothing after the close frame");
        REPORT.run(c, () -> {
            Handler handler = new Handler();
            WebSocketOptions options = WebSocketOptions.builder().closeTimeout(java.time.Duration.ofSeconds(2)).build();
            List<String> used = new ArrayList<>();
            try (EmbeddedServer server = EmbeddedServer.start(WebSocketServer.builder(handler, options).readBufferSize(READ_BUFFER))) {
                for (boolean bytewise : new boolean[]{false, true}) {
                    EmbeddedConnection conn = server.connect();
                    conn.receive(WsTestClient.request("/").getBytes(StandardCharsets.ISO_8859_1));
                    WsWire.checkUpgrade(conn.takeSent(), WsTestClient.KEY, null);
                    byte[] command = WsTestClient.frame(true, 0, 1, "!close:4009".getBytes(StandardCharsets.UTF_8), 9, true);
                    conn.receive(command, bytewise ? Segmentation.byteByByte() : Segmentation.whole());
                    List<WsWire.Event> got = WsWire.parseFrames(conn.takeSent(), null, null);
                    assertEquals(1, got.size());
                    assertTrue(got.get(0).matches(WsWire.Event.close(4009)), got.toString());
                    server.advanceTime(java.time.Duration.ofMillis(1999));
                    assertTrue(conn.isOpen(), "closed before closeTimeout");
                    server.advanceTime(java.time.Duration.ofMillis(1));
                    assertFalse(conn.isOpen(), "still open after closeTimeout");
                    assertEquals(CloseReason.LOCAL, conn.closeReason());
                    assertEquals(0, conn.sentLength(), "bytes after the close frame");
                    assertEquals(List.of(4009), handler.closeCodes);
                    handler.closeCodes.clear();
                    assertEquals(0, server.buffersLent());
                    used.add(bytewise ? "byte by byte" : "whole");
                }
            }
            REPORT.deliveries(c, used);
        });
    }

    @AfterAll
    static void writeReport() throws IOException {
        Path target = Path.of("target");
        Files.createDirectories(target);
        Files.writeString(target.resolve("conformance.md"), REPORT.markdown(), StandardCharsets.UTF_8);
    }

    // ---- running a case -------------------------------------------------------------------------

    /** Echoes, except for the commands the close cases send ({@code !close:4001} and the like). */
    static final class Handler implements WebSocketHandler {
        final List<Integer> closeCodes = new ArrayList<>();

        @Override
        public Object onMessage(WebSocketSession session, WebSocketMessage message) {
            if (message.isText() && message.size() < 64 && message.text().startsWith("!close")) {
                String[] command = message.text().split(":");
                int code = Integer.parseInt(command[1]);
                session.close(code, "server closing");
                if (command[0].equals("!close-twice")) {
                    session.close(code + 1, "again");
                } else if (command[0].equals("!close-send")) {
                    session.sendText("after the close");
                    session.ping();
                }
                return null;
            }
            return message;
        }

        @Override
        public void onClose(WebSocketSession session, int code, String reason) {
            closeCodes.add(code);
        }
    }

    static List<Delivery> deliveries(ConformanceCase c, long seed) {
        List<Delivery> all = new ArrayList<>();
        all.add(new Delivery("whole", s -> Segmentation.whole()));
        all.add(new Delivery("byte by byte", s -> s.length() <= BYTE_BY_BYTE_LIMIT ? Segmentation.byteByByte() : edges(s)));
        all.add(new Delivery("random cuts (level-triggered)", s -> Segmentation.mixed(new Random(seed)), false, true));
        all.add(new Delivery("random cuts to a slow reader", s -> Segmentation.mixed(new Random(~seed)), true, false));
        all.addAll(c.extraDeliveries);
        return all;
    }

    /** One byte per segment through the first 24 and last 8 bytes of every frame, the rest in big segments. */
    static Segmentation edges(Script s) {
        List<Integer> cuts = new ArrayList<>();
        for (int[] f : s.frames) {
            for (int i = f[0]; i < Math.min(f[1], f[0] + 24); i++) {
                cuts.add(i);
            }
            for (int i = f[0] + 24; i < f[1] - 8; i += 64 * 1024) {
                cuts.add(i);
            }
            for (int i = Math.max(f[0] + 24, f[1] - 8); i < f[1]; i++) {
                cuts.add(i);
            }
        }
        return Segmentation.at(cuts.stream().mapToInt(Integer::intValue).filter(i -> i > 0).distinct().sorted().toArray());
    }

    static void run(ConformanceCase c) {
        long seed = c.id.hashCode();
        Handler handler = new Handler();
        List<String> used = new ArrayList<>();
        try (EmbeddedServer edge = EmbeddedServer.start(
                WebSocketServer.builder(handler, c.options).readBufferSize(READ_BUFFER));
             EmbeddedServer level = EmbeddedServer.start(WebSocketServer.builder(handler, c.options)
                     .readBufferSize(READ_BUFFER), EmbeddedServer.Polling.LEVEL_TRIGGERED)) {
            for (Delivery d : deliveries(c, seed)) {
                try {
                    used.add(runOnce(d.levelTriggered ? level : edge, handler, c, d, seed));
                } catch (AssertionError e) {
                    throw new AssertionError(c.id + ", " + d + ": " + e.getMessage(), e);
                }
            }
        }
        REPORT.deliveries(c, used);
    }

    /** Runs {@code c} on a new connection; returns the name of the delivery as run. */
    private static String runOnce(EmbeddedServer server, Handler handler, ConformanceCase c, Delivery d, long seed) {
        EmbeddedConnection conn = server.connect();
        String[] headers = c.offer == null ? new String[0] : new String[]{"Sec-WebSocket-Extensions: " + c.offer};
        byte[] request = WsTestClient.request("/", headers).getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(0, conn.receive(request, d.name.equals("whole") ? Segmentation.whole() : Segmentation.byteByByte()));
        assertTrue(conn.isOpen(), "closed during the upgrade");
        WsWire.Deflate deflate = WsWire.checkUpgrade(conn.takeSent(), WsTestClient.KEY, c.offer);
        if (c.offer != null) {
            if (c.accept && deflate == null) {
                conn.connection().close();
                fail("the server declined the valid offer " + c.offer);
            }
            if (!c.accept && deflate != null) {
                fail("the server accepted " + c.offer + " with " + deflate + "; it must decline it");
            }
        }
        Script s = new Script(deflate, new Random(seed));
        c.script.accept(s);
        assertTrue(s.closeTo >= 0, "the case does not say where the server closes");
        byte[] bytes = s.bytes();
        Segmentation cuts = d.cuts.apply(s);
        String name = d.name.equals("byte by byte") && bytes.length > BYTE_BY_BYTE_LIMIT ? "byte by byte at frame edges" : d.name;

        if (d.slowReader) {
            conn.acceptWrites(WriteAcceptance.random(new Random(seed)));
        }
        int closedAt = -1;
        int segmentStart = -1;
        int off = 0;
        while (off < bytes.length) {
            int size = Math.max(1, Math.min(bytes.length - off, cuts.next(bytes.length - off)));
            conn.receive(bytes, off, size);
            if (d.slowReader) {
                conn.flush(); // the client reads all it is sent before it sends more
            }
            off += size;
            if (!conn.isOpen()) {
                segmentStart = off - size;
                closedAt = off;
                break;
            }
        }
        byte[] sent = conn.takeSent();
        StrictInflater inflater = deflate == null ? null
                : new StrictInflater(deflate.serverMaxWindowBits, !deflate.serverNoContextTakeover);
        // A protocol error closes after one last write: a slow reader gets what the socket took.
        boolean cut = d.slowReader && s.failCode != 0;
        List<WsWire.Event> got = WsWire.parseFrames(sent, deflate, inflater, cut);
        boolean same = cut ? got.size() <= s.expected.size() : got.size() == s.expected.size();
        for (int i = 0; same && i < got.size(); i++) {
            same = got.get(i).matches(s.expected.get(i));
        }
        if (!same) {
            fail("the server sent " + abbreviate(got) + ", expected " + (cut ? "a prefix of " : "")
                    + abbreviate(s.expected));
        }
        assertFalse(conn.isOpen(), "the connection is still open after all " + bytes.length + " bytes");
        // It closed in the segment that brought the deciding byte: not before, not after.
        assertTrue(segmentStart < s.closeTo && closedAt >= s.closeFrom, "closed with the segment of bytes "
                + (segmentStart + 1) + "-" + closedAt + "; expected at byte " + s.closeFrom
                + (s.closeTo != s.closeFrom ? "-" + s.closeTo : "") + " of " + bytes.length);
        if (s.failCode != 0) {
            assertEquals(CloseReason.PROTOCOL_ERROR, conn.closeReason());
            assertInstanceOf(ProtocolException.class, conn.closeCause());
            if (s.failCode > 0) {
                assertTrue(conn.closeCause().getMessage().startsWith("WebSocket closed with " + s.failCode),
                        conn.closeCause().getMessage());
            }
        } else {
            assertEquals(CloseReason.LOCAL, conn.closeReason(), "closed after the close handshake");
            assertNull(conn.closeCause());
        }
        assertTrue(conn.socketClosed(), "the socket was not closed");
        assertEquals(0, conn.sentLength());
        assertFalse(handler.closeCodes.isEmpty(), "onClose did not run");
        assertEquals(s.handlerCode, handler.closeCodes.remove(handler.closeCodes.size() - 1), "onClose's code");
        assertEquals(0, server.buffersLent(), "buffers lent and not returned");
        return name;
    }

    private static String abbreviate(List<WsWire.Event> events) {
        if (events.size() <= 12) {
            return events.toString();
        }
        return "[" + events.subList(0, 5).stream().map(Object::toString).collect(Collectors.joining(", "))
                + ", ... " + (events.size() - 10) + " more ..., "
                + events.subList(events.size() - 5, events.size()).stream().map(Object::toString)
                .collect(Collectors.joining(", ")) + "]";
    }

    // ---- the report -----------------------------------------------------------------------------

    /** Outcomes of the cases run, in case order; written as markdown after the class. */
    static final class Report {
        private final Map<String, ConformanceCase> cases = new LinkedHashMap<>();
        private final Map<String, String> outcomes = new LinkedHashMap<>();
        private final Map<String, String> deliveries = new LinkedHashMap<>();

        synchronized void run(ConformanceCase c, Runnable body) {
            cases.put(c.id, c);
            try {
                body.run();
                outcomes.put(c.id, "strict");
            } catch (RuntimeException | Error e) {
                String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
                outcomes.put(c.id, "FAILED: " + message);
                throw e;
            }
        }

        synchronized void deliveries(ConformanceCase c, List<String> names) {
            deliveries.put(c.id, String.join(", ", names));
        }

        /** Case ids in the suite's order: numbers numerically, gev's {@code g} cases after the suite's. */
        static int compareIds(String a, String b) {
            String[] x = a.split("\\.");
            String[] y = b.split("\\.");
            for (int i = 0; i < Math.min(x.length, y.length); i++) {
                boolean gx = x[i].startsWith("g");
                boolean gy = y[i].startsWith("g");
                if (gx != gy) {
                    return gx ? 1 : -1;
                }
                int c = Integer.compare(Integer.parseInt(gx ? x[i].substring(1) : x[i]),
                        Integer.parseInt(gy ? y[i].substring(1) : y[i]));
                if (c != 0) {
                    return c;
                }
            }
            return Integer.compare(x.length, y.length);
        }

        synchronized String markdown() {
            List<String> ids = new ArrayList<>(cases.keySet());
            ids.sort(Report::compareIds);
            Map<Section, int[]> counts = new EnumMap<>(Section.class);
            for (Map.Entry<String, ConformanceCase> e : cases.entrySet()) {
                int[] n = counts.computeIfAbsent(e.getValue().section, k -> new int[2]);
                String outcome = outcomes.get(e.getKey());
                n[outcome.equals("strict") ? 0 : 1]++;
            }
            StringBuilder md = new StringBuilder();
            md.append("""
                    # WebSocket conformance

                    gev's WebSocket server (`io.gev.websocket`) against the case categories of the
                    [Autobahn TestSuite](https://github.com/crossbario/autobahn-testsuite) (sections 1-7, 9, 10,
                    12 and 13) and the strictness cases gev adds (numbered `g`), run over gev's real connection
                    path: the embedded server (`io.gev.embedded`) drives the real connection, loop buffer, buffer
                    pool and write path over in-memory sockets.

                    Every case is delivered whole, byte by byte, at random cuts to a socket that reports readiness
                    level-triggered (as the JDK selector and TLS do; the others are edge-triggered, as epoll), and
                    at random cuts to a client that reads slowly (each of the server's writes takes a random part,
                    sometimes nothing), plus the suite's own chops where it has them; scripts over %d KiB go byte
                    by byte through the first 24 and last 8 bytes of every frame. For each delivery the test parses the server's
                    bytes as a strict client: frames unmasked, FIN on control frames, RSV1 only on compressed
                    messages, minimal lengths, valid UTF-8 text, compressed messages inflated by a decoder that
                    refuses back-references beyond the negotiated window or context, the permessage-deflate
                    response checked against the offer; the close frame with the expected code and nothing after
                    it. The connection must close in the very segment that brings the client's close or the first
                    byte that makes the input invalid (an unknown opcode fails at the frame's first byte, invalid
                    UTF-8 at the first byte that cannot continue valid UTF-8, inside a frame as it arrives), with
                    `onClose` told the code and every pooled buffer returned. A connection failed for a protocol
                    error closes after one last write, so a slow reader gets what its socket took of the close
                    frame: there, what arrived must be a prefix of the strict answer.

                    Outcomes: **strict** is the behaviour the RFCs require of a strict server (the suite's "OK";
                    where the suite accepts either, as for close codes 5000 and 65535, the strict one).

                    Reproduce (the file is written to `gev-core/target/conformance.md`):

                    ```
                    mvn -pl gev-core test -Dtest=ConformanceTest
                    cp gev-core/target/conformance.md CONFORMANCE.md
                    ```

                    `-Dgev.conformance.cases='6\\..*'` runs the cases whose id matches a regular expression.

                    A subset runs against a client nobody here wrote, Python's `websockets` (python3-websockets):
                    fragmented text and binary messages with pings between the fragments, with and without
                    permessage-deflate (also with both no_context_takeover parameters), and invalid frames (bad
                    UTF-8, a reserved opcode, a 126-byte ping), every byte it sends carried into the embedded
                    server as a segment of its own; the library checks the echoes, that each pong comes before
                    the echo of the message it interrupted, and the close codes it reads:
                    `mvn -pl gev-core test -Dtest=PythonConformanceTest`.

                    """.formatted(BYTE_BY_BYTE_LIMIT / 1024))
                    .append("## Summary\n\n")
                    .append("| Section | Category | Cases | What is checked | Outcome |\n")
                    .append("|---|---|---:|---|---|\n");
            int total = 0;
            int[] all = new int[2];
            for (Map.Entry<Section, int[]> e : counts.entrySet()) {
                Section s = e.getKey();
                int[] n = e.getValue();
                int cases = n[0] + n[1];
                total += cases;
                for (int i = 0; i < 2; i++) {
                    all[i] += n[i];
                }
                md.append("| ").append(s.number).append(" | ").append(s.title).append(" | ").append(cases).append(" | ")
                        .append(s.checks).append(" | ").append(outcome(n)).append(" |\n");
            }
            md.append("| | **all** | **").append(total).append("** | | **").append(outcome(all)).append("** |\n\n");
            for (Section s : counts.keySet()) {
                md.append("## ").append(s.number).append(" ").append(s.title).append("\n\n")
                        .append("| Case | What the client sends | Delivered | Outcome |\n|---|---|---|---|\n");
                for (String id : ids) {
                    ConformanceCase c = cases.get(id);
                    if (c.section != s) {
                        continue;
                    }
                    String offer = c.offer == null ? "" : " (offer `" + c.offer + "`)";
                    String title = c.section == Section.DEFLATE_OFFERS || c.section == Section.DEFLATE_PAYLOADS ? c.title
                            : c.title + offer;
                    md.append("| ").append(c.id).append(" | ").append(escape(title)).append(" | ")
                            .append(deliveries.getOrDefault(c.id, "not run yet")).append(" | ").append(escape(outcomes.get(c.id)))
                            .append(" |\n");
                }
                md.append('\n');
            }
            return md.toString();
        }

        private static String outcome(int[] n) {
            int cases = n[0] + n[1];
            StringBuilder sb = new StringBuilder();
            sb.append("strict ").append(n[0]).append("/").append(cases);
            sb.append(n[1] > 0 ? ", FAILED " + n[1] : ", none failed, none unimplemented");
            return sb.toString();
        }

        private static String escape(String s) {
            return s.replace("|", "\\|");
        }
    }
}
