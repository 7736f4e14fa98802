package io.gev.internal;

import io.gev.CloseReason;
import io.gev.Connection;
import io.gev.Server;
import io.gev.buffer.RingBuffer;
import io.gev.loop.Transport;
import io.gev.protocol.LengthFieldProtocol;
import io.gev.testing.Await;
import io.gev.testing.Connections;
import io.gev.testing.TestCertificates;
import io.gev.testing.TestClient;
import io.gev.testing.TestServers;
import io.gev.testing.TlsTestClient;
import io.gev.websocket.HandshakeRequest;
import io.gev.websocket.WebSocketHandler;
import io.gev.websocket.WebSocketMessage;
import io.gev.websocket.WebSocketOptions;
import io.gev.websocket.WebSocketServer;
import io.gev.websocket.WebSocketSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A connection that is closed (or half-closed) from one of its own {@link io.gev.SendCallback}s
 * while {@code flush()} is still using its write buffer. The buffer must go back to the loop's
 * {@link BufferPool} exactly once: a ring pooled twice is later lent to two owners at once (the
 * read buffer and the write buffer of one connection, or of two), and those connections stall or
 * receive each other's bytes.
 *
 * <p>Every server has one loop, so later connections borrow from the pool the first connection
 * returned its rings to. Each later conversation sends its frames in segments, the first shorter
 * than the frame's header, and waits until the server holds the partial frame (its
 * {@link Connection#readBufferLength()}) before sending more: the rest of the frame then lands in
 * a ring borrowed from the pool, and the echo is packed into another one. A failing conversation
 * is reported with what went wrong (no reply in time, the end of stream, bytes not its own), and a
 * run stops after {@value #MAX_FAILURES} failures so that a broken server fails fast.
 */
@Timeout(60)
class SendCallbackReentrancyTest {

    /** How long a client waits for a reply, an end of stream or the server's state. */
    private static final int READ_TIMEOUT_MILLIS = 1_500;
    /** Conversations after the connection closed from its callback. */
    private static final int CONVERSATIONS = 20;
    private static final int MAX_FAILURES = 3;
    /** The pause between the small TCP segments of WebSocket clients. */
    private static final long WS_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(150);

    private static final byte[] BYE = ascii("bye");
    private static final byte[] MORE = ascii("and one more thing before I go");

    @RegisterExtension
    final BoundedServers servers = new BoundedServers();

    /** Makes the certificates (three keytool runs, seconds on a busy machine) before any test's clock starts. */
    @BeforeAll
    static void makeCertificates() {
        TestCertificates.get();
    }

    static Stream<Arguments> transportsAndTls() {
        return Stream.of(Transport.EPOLL, Transport.NIO)
                .flatMap(t -> Stream.of(Arguments.of(t, false), Arguments.of(t, true)));
    }

    static Stream<Arguments> transportsTlsAndTriggers() {
        return transportsAndTls().flatMap(a -> Arrays.stream(Trigger.values())
                .map(trigger -> Arguments.of(a.get()[0], a.get()[1], trigger)));
    }

    // ---- the reproduction and its control --------------------------------------------------

    /**
     * The reproduction: the reply to "bye" closes its connection from its send callback; then
     * 20 connections, one after the other, each send one frame in two writes and must get it back.
     */
    @ParameterizedTest(name = "{0}, tls={1}")
    @MethodSource("transportsAndTls")
    void connectionsAfterACloseInASendCallbackGetTheirEchoes(Transport transport, boolean tls) throws Exception {
        conversationsAfter(Trigger.CLOSE_IN_CALLBACK, transport, tls, 1, false);
    }

    /** The control: the same run, with the connection closed by a task of its loop after the callback. */
    @ParameterizedTest(name = "{0}, tls={1}")
    @MethodSource("transportsAndTls")
    void connectionsAfterACloseOutsideTheSendCallbackGetTheirEchoes(Transport transport, boolean tls) throws Exception {
        conversationsAfter(Trigger.CLOSE_AFTER_CALLBACK, transport, tls, 1, false);
    }

    // ---- other things a send callback does -------------------------------------------------

    /**
     * A callback that sends once more and then closes; later conversations run two connections
     * at once, several frames each in up to four segments, and must get exactly their own bytes.
     */
    @ParameterizedTest(name = "{0}, tls={1}")
    @MethodSource("transportsAndTls")
    void connectionsAfterASendAndCloseInASendCallbackGetExactlyTheirOwnReplies(Transport transport, boolean tls)
            throws Exception {
        conversationsAfter(Trigger.SEND_THEN_CLOSE_IN_CALLBACK, transport, tls, 2, true);
    }

    /**
     * A callback that half-closes: the client reads the reply, then the end of stream, while the
     * server still reads; later conversations on the loop work.
     */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void connectionsAfterAShutdownWriteInASendCallbackGetExactlyTheirOwnReplies(Transport transport) throws Exception {
        conversationsAfter(Trigger.SHUTDOWN_WRITE_IN_CALLBACK, transport, false, 2, true);
    }

    /**
     * White box: after each trigger, the loop's pool holds no ring twice (looked at on the loop by
     * borrowing every pooled ring and giving them back in the same order).
     */
    @ParameterizedTest(name = "{0}, tls={1}, {2}")
    @MethodSource("transportsTlsAndTriggers")
    void thePoolHoldsEveryRingOnceAfterTheTrigger(Transport transport, boolean tls, Trigger trigger) throws Exception {
        ByeEcho handler = new ByeEcho(trigger.onBye);
        Server server = startLengthField(handler, transport, tls);
        GevLoop loop = (GevLoop) server.loops().get(0);
        runTrigger(trigger, server, handler, tls);
        PoolCensus census = census(loop);
        assertEquals(census.size, census.distinct, "after " + trigger + " the pool of the loop holds "
                + census.size + " rings of which only " + census.distinct + " are distinct");
    }

    // ---- WebSocket -------------------------------------------------------------------------

    /**
     * A completed close handshake begun by the client (the server echoes the close frame and
     * closes from that send's callback); then 20 WebSocket conversations written in 1 to 3 byte
     * TCP segments, each echoed exactly and closed with 1000.
     */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void webSocketConversationsAfterACompletedCloseHandshake(Transport transport) throws Exception {
        Server server = startWebSocket(transport);
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (WsPeer a = WsPeer.open(server.port(), "/echo", random)) {
            byte[] hello = ascii("hello before the close handshake");
            a.writeSegmented(a.frame(WsPeer.TEXT, hello), 1, 3);
            WsFrame echo = a.readFrame();
            assertEquals(WsPeer.TEXT, echo.opcode, "seed " + seed);
            assertArrayEquals(hello, echo.payload, "seed " + seed);
            a.writeSegmented(a.frame(WsPeer.CLOSE, closePayload(1000, "bye")), 1, 3);
            WsFrame close = a.readFrame();
            assertEquals(WsPeer.CLOSE, close.opcode, "seed " + seed);
            assertEquals(1000, close.closeCode(), "seed " + seed);
            assertTrue(a.ends(), "the server did not close TCP after its close frame, seed " + seed);
        }
        awaitNoConnections(server);
        webSocketConversations(server, random, seed, "a completed close handshake");
    }

    /** How an upgrade is refused. */
    enum Refusal {
        /** The handler's onHandshake rejects it: the 401 is sent with a callback that closes. */
        BY_THE_HANDLER("/private", true, 401),
        /** A path the options do not serve: 404. */
        PATH_NOT_SERVED("/nowhere", true, 404),
        /** A plain HTTP request: 426. */
        NOT_AN_UPGRADE("/echo", false, 426);

        final String path;
        final boolean upgrade;
        final int status;

        Refusal(String path, boolean upgrade, int status) {
            this.path = path;
            this.upgrade = upgrade;
            this.status = status;
        }
    }

    /** A refused upgrade, then 20 segmented WebSocket conversations on the same loop. */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("transportsAndRefusals")
    void webSocketConversationsAfterARefusedUpgrade(Transport transport, Refusal refusal) throws Exception {
        Server server = startWebSocket(transport);
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (WsPeer a = WsPeer.connect(server.port(), random)) {
            String request = refusal.upgrade ? a.upgradeRequest(refusal.path)
                    : "GET " + refusal.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
            a.writeSegmented(request.getBytes(StandardCharsets.ISO_8859_1), 1, 40);
            HttpResponse response = a.readResponse();
            assertEquals(refusal.status, response.status, response + ", seed " + seed);
            assertTrue(a.ends(), "the server did not close TCP after refusing the upgrade, seed " + seed);
        }
        awaitNoConnections(server);
        webSocketConversations(server, random, seed, "an upgrade refused with " + refusal.status);
    }

    static Stream<Arguments> transportsAndRefusals() {
        return Stream.of(Transport.EPOLL, Transport.NIO)
                .flatMap(t -> Arrays.stream(Refusal.values()).map(r -> Arguments.of(t, r)));
    }

    // ---- length-field runs -----------------------------------------------------------------

    /** What the server does with a frame whose body is "bye", and what its client then sees. */
    enum Trigger {
        /** Replies "bye" and closes from that send's callback: the bug. */
        CLOSE_IN_CALLBACK(c -> c.send(BYE, (conn, failure) -> conn.close()), frame(BYE), true),
        /** Replies "bye" and closes in a task of the loop queued by the callback: the control. */
        CLOSE_AFTER_CALLBACK(c -> c.send(BYE, (conn, failure) -> conn.loop().execute(conn::close)), frame(BYE), true),
        /** Replies "bye"; the callback sends once more and closes. */
        SEND_THEN_CLOSE_IN_CALLBACK(c -> c.send(BYE, (conn, failure) -> {
            conn.send(MORE);
            conn.close();
        }), concat(frame(BYE), frame(MORE)), true),
        /** Replies "bye" and half-closes from the callback; the client closes. */
        SHUTDOWN_WRITE_IN_CALLBACK(c -> c.send(BYE, (conn, failure) -> conn.shutdownWrite()), frame(BYE), false);

        final Consumer<Connection> onBye;
        final byte[] reply;
        final boolean serverCloses;

        Trigger(Consumer<Connection> onBye, byte[] reply, boolean serverCloses) {
            this.onBye = onBye;
            this.reply = reply;
            this.serverCloses = serverCloses;
        }
    }

    /**
     * Echoes every frame, except that a frame whose body is "bye" goes to {@code onBye}. No client
     * sends more than {@value #MAX_FRAMES_PER_CONNECTION} frames: a connection that decodes more is
     * reading bytes its client did not send (its own replies, when its read and write buffers are
     * one ring), and is closed rather than left to echo itself forever on the loop thread.
     */
    static final class ByeEcho extends Connections {
        static final int MAX_FRAMES_PER_CONNECTION = 4;

        final Queue<String> anomalies = new ConcurrentLinkedQueue<>();
        private final Consumer<Connection> onBye;

        ByeEcho(Consumer<Connection> onBye) {
            this.onBye = onBye;
        }

        @Override
        public void onConnect(Connection connection) {
            connection.setContext(new int[1]);
            super.onConnect(connection);
        }

        @Override
        public Object onMessage(Connection connection, Object context, ByteBuffer payload) {
            int frames = ++((int[]) connection.context())[0];
            if (frames > MAX_FRAMES_PER_CONNECTION) {
                anomalies.add("the server's connection " + connection.id() + " decoded " + frames
                        + " frames, more than its client sends; closed it");
                connection.close();
                return null;
            }
            if (payload.equals(ByteBuffer.wrap(BYE))) {
                onBye.accept(connection);
                return null;
            }
            return payload;
        }

        /** What went wrong on the server since the last call, or "". */
        String drainAnomalies() {
            StringBuilder sb = new StringBuilder();
            String a;
            while ((a = anomalies.poll()) != null) {
                sb.append(" [").append(a).append(']');
            }
            return sb.toString();
        }
    }

    private Server startLengthField(Connections handler, Transport transport, boolean tls) {
        Server.Builder builder = TestServers.local(handler, transport).loops(1)
                .protocol(LengthFieldProtocol.builder().build());
        if (tls) {
            builder.tls(TestCertificates.get().serverOptions().build());
        }
        return servers.start(builder);
    }

    /**
     * Runs {@code trigger} on a fresh one-loop server, then {@value #CONVERSATIONS} rounds of
     * {@code width} connections at once, with one frame in two writes each ({@code varied}
     * false) or one to three frames in two to four writes each.
     */
    private void conversationsAfter(Trigger trigger, Transport transport, boolean tls, int width, boolean varied)
            throws Exception {
        ByeEcho handler = new ByeEcho(trigger.onBye);
        Server server = startLengthField(handler, transport, tls);
        runTrigger(trigger, server, handler, tls);
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<String> failures = new ArrayList<>();
        int answered = 0;
        int tried = 0;
        for (int round = 0; round < CONVERSATIONS && failures.size() < MAX_FAILURES; round++) {
            tried++;
            String failure = round(server, handler, tls, random, round, width, varied);
            if (failure == null) {
                answered++;
            } else {
                failures.add("conversation " + round + ": " + failure + handler.drainAnomalies());
                if (!loopResponds(server)) {
                    failures.add("the loop no longer runs tasks: it is stuck, so the run stops here");
                    break;
                }
            }
        }
        if (!failures.isEmpty()) {
            fail("after " + trigger + " (" + transport + (tls ? ", TLS" : "") + "): " + answered + " of " + tried
                    + " conversations got exactly their own replies"
                    + (tried < CONVERSATIONS ? " (stopped after " + MAX_FAILURES + " failures)" : "")
                    + "; seed " + seed + "; the server's closes: " + closeCounts(server)
                    + "\n  " + String.join("\n  ", failures));
        }
    }

    /** How many connections the server closed for each reason, for failure messages. */
    static String closeCounts(Server server) {
        StringBuilder sb = new StringBuilder();
        for (CloseReason reason : CloseReason.values()) {
            long n = server.stats().closedConnections(reason);
            if (n > 0) {
                sb.append(sb.length() == 0 ? "" : ", ").append(reason).append('=').append(n);
            }
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }

    /** Connection A sends "bye", checks the reply and how the connection ends; returns once the server closed it. */
    private static void runTrigger(Trigger trigger, Server server, ByeEcho handler, boolean tls) throws Exception {
        Connection side;
        try (Peer a = Peer.connect(server.port(), tls)) {
            side = handler.next();
            a.write(frame(BYE));
            assertArrayEquals(trigger.reply, a.readExactly(trigger.reply.length), "the reply to bye (" + trigger + ")");
            if (trigger.serverCloses) {
                assertTrue(a.rawEnds(), "the server did not close the connection after its reply (" + trigger + ")");
            } else {
                assertTrue(a.rawEnds(), "no end of stream after the reply to bye (" + trigger + ")");
                assertTrue(side.isConnected(), "a half-closed connection must stay open until the peer closes");
            }
        }
        assertSame(side, handler.closed.poll(5, TimeUnit.SECONDS),
                "the server did not close the connection that said bye (" + trigger + ")");
    }

    /**
     * One conversation: {@code width} connections open at once; each sends its frames in
     * segments, the first of each frame one to three bytes (less than the length field), waiting
     * after every segment but a frame's last until the server holds what was sent; then every
     * connection reads its echoes and ends its stream, and must find nothing else before the end.
     *
     * @return {@code null} when every connection got exactly its own bytes, else what went wrong
     */
    private static String round(Server server, Connections handler, boolean tls, Random random, int round, int width,
            boolean varied) throws InterruptedException {
        List<Peer> peers = new ArrayList<>();
        List<Connection> sides = new ArrayList<>();
        try {
            for (int k = 0; k < width; k++) {
                try {
                    peers.add(Peer.connect(server.port(), tls));
                } catch (IOException e) {
                    return "connection " + k + " could not connect: " + e;
                }
            }
            String unmatched = serverSides(handler, peers, sides);
            if (unmatched != null) {
                return unmatched;
            }
            int frames = varied ? 1 + random.nextInt(3) : 1;
            for (int f = 0; f < frames; f++) {
                byte[][] sent = new byte[width][];
                int[][] cuts = new int[width][];
                int segments = 0;
                for (int k = 0; k < width; k++) {
                    byte[] body = body(random, "round " + round + " connection " + k + " frame " + f);
                    sent[k] = frame(body);
                    cuts[k] = cuts(random, sent[k].length, varied);
                    segments = Math.max(segments, cuts[k].length + 1);
                }
                for (int s = 0; s < segments; s++) {
                    for (int k = 0; k < width; k++) {
                        int[] c = cuts[k];
                        if (s > c.length) {
                            continue;
                        }
                        int from = s == 0 ? 0 : c[s - 1];
                        int to = s == c.length ? sent[k].length : c[s];
                        String where = "connection " + k + " frame " + f + " segment " + s;
                        try {
                            peers.get(k).write(Arrays.copyOfRange(sent[k], from, to));
                        } catch (IOException e) {
                            return where + ": the write failed: " + e;
                        }
                        if (to < sent[k].length) {
                            Connection side = sides.get(k);
                            try {
                                Await.await(Duration.ofMillis(READ_TIMEOUT_MILLIS), () -> side.readBufferLength() == to,
                                        () -> "the server holds " + side.readBufferLength() + " bytes of the " + to
                                                + " sent so far");
                            } catch (AssertionError e) {
                                return where + ": " + e.getMessage();
                            }
                        }
                    }
                }
                for (int k = 0; k < width; k++) {
                    String wrong = expect(peers.get(k), sent[k]);
                    if (wrong != null) {
                        return "connection " + k + " frame " + f + " (" + sent[k].length + " bytes): " + wrong;
                    }
                }
            }
            for (int k = 0; k < width; k++) {
                try {
                    int extra = peers.get(k).finish();
                    if (extra != 0) {
                        return "connection " + k + ": " + extra + " bytes after its last echo";
                    }
                } catch (SocketTimeoutException e) {
                    return "connection " + k + ": the server did not end the connection within "
                            + READ_TIMEOUT_MILLIS + " ms of the client's end";
                } catch (IOException e) {
                    return "connection " + k + ": ending it failed: " + e;
                }
            }
            Set<Connection> open = Collections.newSetFromMap(new IdentityHashMap<>());
            open.addAll(sides);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READ_TIMEOUT_MILLIS);
            while (!open.isEmpty()) {
                Connection c = handler.closed.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (c == null) {
                    return open.size() + " connections still open on the server after the clients ended them";
                }
                open.remove(c);
            }
            return null;
        } finally {
            for (Peer p : peers) {
                try {
                    p.close();
                } catch (IOException ignored) {
                    // Nothing to do about it.
                }
            }
        }
    }

    /** Finds the server's side of every peer among the connections the handler saw opened. */
    private static String serverSides(Connections handler, List<Peer> peers, List<Connection> sides)
            throws InterruptedException {
        Map<Integer, Connection> byPort = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READ_TIMEOUT_MILLIS);
        for (Peer p : peers) {
            int port = p.socket().getLocalPort();
            while (!byPort.containsKey(port)) {
                Connection c = handler.connected.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (c == null) {
                    return "the server did not open the connection from port " + port + " within "
                            + READ_TIMEOUT_MILLIS + " ms";
                }
                byPort.put(c.remoteAddress().getPort(), c);
            }
            sides.add(byPort.get(port));
        }
        return null;
    }

    /** Reads {@code expected.length} bytes; {@code null} when they are {@code expected}, else how not. */
    private static String expect(Peer peer, byte[] expected) {
        byte[] got;
        try {
            got = peer.readExactly(expected.length);
        } catch (SocketTimeoutException e) {
            return "no complete echo within " + READ_TIMEOUT_MILLIS + " ms";
        } catch (EOFException e) {
            return "the connection ended before its echo: " + e.getMessage();
        } catch (IOException e) {
            return "reading the echo failed: " + e;
        }
        return difference(expected, got);
    }

    /** The frame bodies: text naming their place, then random bytes, never "bye". */
    private static byte[] body(Random random, String name) {
        byte[] tag = ascii(name + ": ");
        byte[] body = Arrays.copyOf(tag, tag.length + random.nextInt(300));
        for (int i = tag.length; i < body.length; i++) {
            body[i] = (byte) random.nextInt(256);
        }
        return body;
    }

    /** Where a frame of {@code length} bytes is cut: first after 1 to 3 bytes, then (varied) up to twice more. */
    private static int[] cuts(Random random, int length, boolean varied) {
        if (!varied) {
            return new int[] {3};
        }
        int[] cuts = new int[1 + random.nextInt(3)];
        cuts[0] = 1 + random.nextInt(3);
        for (int i = 1; i < cuts.length; i++) {
            int room = length - cuts[i - 1] - 1;
            if (room <= 0) {
                return Arrays.copyOf(cuts, i);
            }
            cuts[i] = cuts[i - 1] + 1 + random.nextInt(room);
        }
        return cuts;
    }

    /** Whether the server's loop runs a task within a second (a stuck loop fails every later conversation). */
    private static boolean loopResponds(Server server) {
        CompletableFuture<Void> ran = new CompletableFuture<>();
        server.loops().get(0).execute(() -> ran.complete(null));
        try {
            ran.get(1, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Starts servers and stops them after each test, like {@link TestServers}, but gives up on a
     * server whose loop does not stop within {@value #STOP_TIMEOUT_MILLIS} ms (a loop stuck in a
     * callback) instead of waiting forever, and fails then.
     */
    static final class BoundedServers implements AfterEachCallback {
        static final int STOP_TIMEOUT_MILLIS = 3_000;

        private final List<Server> started = new ArrayList<>();

        Server start(Server.Builder builder) {
            Server server = builder.build();
            started.add(server);
            server.start();
            return server;
        }

        @Override
        public void afterEach(ExtensionContext context) throws Exception {
            List<String> stuck = new ArrayList<>();
            for (Server server : started) {
                Thread stopper = new Thread(() -> server.stop(Duration.ZERO), "stop " + server.name());
                stopper.setDaemon(true);
                stopper.start();
                stopper.join(STOP_TIMEOUT_MILLIS);
                if (stopper.isAlive()) {
                    stuck.add(server.toString());
                }
            }
            started.clear();
            if (!stuck.isEmpty()) {
                throw new AssertionError("not stopped within " + STOP_TIMEOUT_MILLIS + " ms (a loop is stuck): " + stuck);
            }
        }
    }

    // ---- the pool, looked at on its loop ----------------------------------------------------

    private static final class PoolCensus {
        final int size;
        final int distinct;

        PoolCensus(int size, int distinct) {
            this.size = size;
            this.distinct = distinct;
        }
    }

    private static PoolCensus census(GevLoop loop) throws Exception {
        CompletableFuture<PoolCensus> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                BufferPool pool = loop.pool;
                int n = pool.size();
                RingBuffer[] rings = new RingBuffer[n];
                Set<RingBuffer> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
                for (int i = 0; i < n; i++) {
                    rings[i] = pool.borrow();
                    distinct.add(rings[i]);
                }
                // borrow() takes the last; giving them back from the first taken's end restores the order.
                for (int i = n - 1; i >= 0; i--) {
                    pool.release(rings[i]);
                }
                result.complete(new PoolCensus(n, distinct.size()));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.get(5, TimeUnit.SECONDS);
    }

    // ---- WebSocket conversations ------------------------------------------------------------

    private static final String PLEASE_CLOSE = "please close";

    private Server startWebSocket(Transport transport) {
        WebSocketHandler echo = new WebSocketHandler() {
            @Override
            public void onHandshake(HandshakeRequest request) {
                if (request.path().equals("/private")) {
                    request.reject(401, "members only");
                }
            }

            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                if (message.isText() && message.text().equals(PLEASE_CLOSE)) {
                    session.close(); // Server-initiated: no send callback closes this connection.
                    return null;
                }
                return message;
            }
        };
        WebSocketOptions options = WebSocketOptions.builder().paths("/echo", "/private").build();
        return servers.start(WebSocketServer.builder(echo, options).address("127.0.0.1").port(0).loops(1)
                .transport(transport).daemonThreads(true));
    }

    /**
     * {@value #CONVERSATIONS} WebSocket conversations one after the other, every byte of them
     * (the upgrade request in 1 to 40 byte pieces, masked frames in 1 to 3 byte pieces) in small
     * TCP segments: one to three text or binary messages echoed, then "please close", which the
     * server answers with a close frame 1000 the client answers.
     */
    private static void webSocketConversations(Server server, Random random, long seed, String after)
            throws Exception {
        List<String> failures = new ArrayList<>();
        int answered = 0;
        int tried = 0;
        for (int n = 0; n < CONVERSATIONS && failures.size() < MAX_FAILURES; n++) {
            tried++;
            String failure = webSocketConversation(server, random, n);
            if (failure == null) {
                answered++;
            } else {
                failures.add("conversation " + n + ": " + failure);
                if (!loopResponds(server)) {
                    failures.add("the loop no longer runs tasks: it is stuck, so the run stops here");
                    break;
                }
            }
        }
        if (!failures.isEmpty()) {
            fail("after " + after + ": " + answered + " of " + tried + " WebSocket conversations went right"
                    + (tried < CONVERSATIONS ? " (stopped after " + MAX_FAILURES + " failures)" : "")
                    + "; seed " + seed + "; the server's closes: " + closeCounts(server)
                    + "\n  " + String.join("\n  ", failures));
        }
    }

    private static String webSocketConversation(Server server, Random random, int n) {
        String step = "connecting";
        try (WsPeer ws = WsPeer.connect(server.port(), random)) {
            step = "the upgrade";
            ws.writeSegmented(ws.upgradeRequest("/echo").getBytes(StandardCharsets.ISO_8859_1), 1, 40);
            HttpResponse response = ws.readResponse();
            if (response.status != 101) {
                return "upgrade answered with " + response;
            }
            if (!ws.expectedAccept().equals(response.header("sec-websocket-accept"))) {
                return "wrong Sec-WebSocket-Accept in " + response;
            }
            int messages = 1 + random.nextInt(3);
            for (int m = 0; m < messages; m++) {
                step = "message " + m;
                boolean text = random.nextBoolean();
                byte[] payload;
                if (text) {
                    StringBuilder sb = new StringBuilder("conversation " + n + " message " + m + ":");
                    for (int i = random.nextInt(40); i > 0; i--) {
                        sb.append((char) ('a' + random.nextInt(26)));
                    }
                    payload = ascii(sb.toString());
                } else {
                    payload = new byte[random.nextInt(60)];
                    random.nextBytes(payload);
                }
                int opcode = text ? WsPeer.TEXT : WsPeer.BINARY;
                ws.writeSegmented(ws.frame(opcode, payload), 1, 3);
                WsFrame echo = ws.readFrame();
                if (echo.opcode != opcode || !echo.fin) {
                    return step + ": got a frame with opcode " + echo.opcode + (echo.fin ? "" : " without FIN")
                            + " instead of " + opcode;
                }
                String wrong = difference(payload, echo.payload);
                if (wrong != null) {
                    return step + " (" + payload.length + " bytes): " + wrong;
                }
            }
            step = "the close handshake";
            ws.writeSegmented(ws.frame(WsPeer.TEXT, ascii(PLEASE_CLOSE)), 1, 3);
            WsFrame close = ws.readFrame();
            if (close.opcode != WsPeer.CLOSE) {
                return step + ": got a frame with opcode " + close.opcode + " instead of the server's close";
            }
            if (close.closeCode() != 1000) {
                return step + ": the server closed with " + close.closeCode() + " instead of 1000";
            }
            ws.writeSegmented(ws.frame(WsPeer.CLOSE, closePayload(1000, "")), 1, 3);
            if (!ws.ends()) {
                return step + ": the server did not close TCP within " + READ_TIMEOUT_MILLIS + " ms of the answer";
            }
        } catch (SocketTimeoutException e) {
            return step + ": nothing within " + READ_TIMEOUT_MILLIS + " ms";
        } catch (EOFException e) {
            return step + ": the connection ended: " + e.getMessage();
        } catch (IOException e) {
            return step + ": " + e;
        }
        try {
            awaitNoConnections(server);
        } catch (AssertionError e) {
            return e.getMessage();
        }
        return null;
    }

    private static void awaitNoConnections(Server server) {
        Await.await(Duration.ofMillis(READ_TIMEOUT_MILLIS), () -> server.stats().activeConnections() == 0,
                () -> server.stats().activeConnections() + " connections still open on the server");
    }

    private static byte[] closePayload(int code, String reason) {
        byte[] r = ascii(reason);
        byte[] p = new byte[2 + r.length];
        p[0] = (byte) (code >> 8);
        p[1] = (byte) code;
        System.arraycopy(r, 0, p, 2, r.length);
        return p;
    }

    // ---- bytes --------------------------------------------------------------------------------

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A length-field frame: a 4-byte big-endian length, then the body. */
    static byte[] frame(byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** {@code null} when equal, else where they first differ, with a few bytes of each around it. */
    static String difference(byte[] expected, byte[] got) {
        int n = Math.min(expected.length, got.length);
        int at = 0;
        while (at < n && expected[at] == got[at]) {
            at++;
        }
        if (at == n && expected.length == got.length) {
            return null;
        }
        int from = Math.max(0, at - 4);
        return "wrong bytes: " + got.length + " received where " + expected.length + " were expected, first"
                + " difference at offset " + at + ": expected " + hex(expected, from, at + 12) + ", got "
                + hex(got, from, at + 12) + " (from offset " + from + ")";
    }

    private static String hex(byte[] bytes, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < Math.min(to, bytes.length); i++) {
            sb.append(String.format(Locale.ROOT, "%02x", bytes[i] & 0xFF));
        }
        return sb.length() == 0 ? "(nothing)" : sb.toString();
    }

    // ---- clients -------------------------------------------------------------------------------

    /** A client connection, plain or TLS, whose reads give up after {@value #READ_TIMEOUT_MILLIS} ms. */
    abstract static class Peer implements AutoCloseable {

        static Peer connect(int port, boolean tls) throws IOException {
            return tls ? new TlsPeer(port) : new PlainPeer(port);
        }

        abstract Socket socket();

        abstract void write(byte[] bytes) throws IOException;

        /** Exactly {@code n} bytes of plaintext; {@link EOFException} at the end of the stream. */
        abstract byte[] readExactly(int n) throws IOException;

        /** Ends what the client sends and reads to the server's end; returns the bytes read before it. */
        abstract int finish() throws IOException;

        /** Reads the socket, beneath TLS, until the end of stream or a reset; {@code false} after the timeout. */
        boolean rawEnds() throws IOException {
            InputStream in = socket().getInputStream();
            byte[] buf = new byte[4096];
            try {
                while (in.read(buf) >= 0) {
                    // What comes before the end (a close_notify) does not matter here.
                }
                return true;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // A reset ends it too.
            }
        }

        @Override
        public void close() throws IOException {
            socket().close();
        }
    }

    private static final class PlainPeer extends Peer {
        private final TestClient client;
        private final InputStream in;

        PlainPeer(int port) throws IOException {
            client = TestClient.connect(port);
            client.socket().setSoTimeout(READ_TIMEOUT_MILLIS);
            in = client.socket().getInputStream();
        }

        @Override
        Socket socket() {
            return client.socket();
        }

        @Override
        void write(byte[] bytes) throws IOException {
            client.write(bytes);
        }

        @Override
        byte[] readExactly(int n) throws IOException {
            byte[] bytes = new byte[n];
            int off = 0;
            while (off < n) {
                int r;
                try {
                    r = in.read(bytes, off, n - off);
                } catch (SocketTimeoutException e) {
                    SocketTimeoutException t = new SocketTimeoutException("after " + off + " of " + n + " bytes");
                    t.initCause(e);
                    throw t;
                }
                if (r < 0) {
                    throw new EOFException("end of stream after " + off + " of " + n + " bytes");
                }
                off += r;
            }
            return bytes;
        }

        @Override
        int finish() throws IOException {
            client.shutdownOutput();
            return client.readToEnd().length;
        }
    }

    private static final class TlsPeer extends Peer {
        private final TlsTestClient client;

        TlsPeer(int port) throws IOException {
            client = TlsTestClient.connect(port, TestCertificates.get().clientContext());
            client.socket().setSoTimeout(READ_TIMEOUT_MILLIS);
        }

        @Override
        Socket socket() {
            return client.socket();
        }

        @Override
        void write(byte[] bytes) throws IOException {
            client.write(bytes); // One TLS record per write.
        }

        @Override
        byte[] readExactly(int n) throws IOException {
            return client.readExactly(n);
        }

        @Override
        int finish() throws IOException {
            client.sendCloseNotify();
            try {
                client.awaitCloseNotify();
            } catch (SocketTimeoutException | EOFException e) {
                throw e;
            } catch (IOException e) {
                // "n unexpected bytes before close_notify"
                String message = String.valueOf(e.getMessage());
                int space = message.indexOf(' ');
                if (space > 0 && message.endsWith("unexpected bytes before close_notify")) {
                    return Integer.parseInt(message.substring(0, space));
                }
                throw e;
            }
            return 0;
        }
    }

    /** A raw WebSocket client that masks every frame and writes in small TCP segments. */
    private static final class WsPeer implements AutoCloseable {
        static final int TEXT = 1;
        static final int BINARY = 2;
        static final int CLOSE = 8;
        private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final Random random;
        private String key;

        private WsPeer(Socket socket, Random random) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
            this.random = random;
        }

        static WsPeer connect(int port, Random random) throws IOException {
            Socket socket = new Socket();
            try {
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(READ_TIMEOUT_MILLIS);
                socket.connect(new InetSocketAddress("127.0.0.1", port), READ_TIMEOUT_MILLIS);
            } catch (IOException e) {
                socket.close();
                throw e;
            }
            return new WsPeer(socket, random);
        }

        /** Connects and upgrades to {@code path}, asserting the 101. */
        static WsPeer open(int port, String path, Random random) throws IOException {
            WsPeer ws = connect(port, random);
            ws.writeSegmented(ws.upgradeRequest(path).getBytes(StandardCharsets.ISO_8859_1), 1, 40);
            HttpResponse response = ws.readResponse();
            assertEquals(101, response.status, "upgrade refused: " + response);
            assertEquals(ws.expectedAccept(), response.header("sec-websocket-accept"));
            return ws;
        }

        String upgradeRequest(String path) {
            byte[] nonce = new byte[16];
            random.nextBytes(nonce);
            key = Base64.getEncoder().encodeToString(nonce);
            return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        }

        String expectedAccept() {
            try {
                byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(ascii(key + GUID));
                return Base64.getEncoder().encodeToString(sha1);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** A final, masked client frame with a random mask. */
        byte[] frame(int opcode, byte[] payload) {
            ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 8);
            f.write(0x80 | opcode);
            if (payload.length < 126) {
                f.write(0x80 | payload.length);
            } else {
                f.write(0x80 | 126);
                f.write(payload.length >> 8);
                f.write(payload.length);
            }
            byte[] mask = new byte[4];
            random.nextBytes(mask);
            f.write(mask, 0, 4);
            for (int i = 0; i < payload.length; i++) {
                f.write(payload[i] ^ mask[i & 3]);
            }
            return f.toByteArray();
        }

        /** Writes {@code bytes} in pieces of {@code min} to {@code max} bytes with a short pause between them. */
        void writeSegmented(byte[] bytes, int min, int max) throws IOException {
            for (int off = 0; off < bytes.length; ) {
                int n = Math.min(bytes.length - off, min + random.nextInt(max - min + 1));
                out.write(bytes, off, n);
                out.flush();
                off += n;
                if (off < bytes.length) {
                    LockSupport.parkNanos(WS_PAUSE_NANOS); // Client side: so that the pieces are TCP segments.
                }
            }
        }

        HttpResponse readResponse() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("end of stream in the response head: " + head);
                }
                head.write(b);
                byte[] h = head.toByteArray();
                int n = h.length;
                if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                    break;
                }
            }
            String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            String[] statusLine = lines[0].split(" ", 3);
            if (statusLine.length < 2 || !statusLine[0].equals("HTTP/1.1")) {
                throw new IOException("not an HTTP/1.1 status line: " + lines[0]);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
                }
            }
            String length = headers.get("content-length");
            String body = length == null ? "" : new String(readExactly(Integer.parseInt(length)), StandardCharsets.UTF_8);
            return new HttpResponse(Integer.parseInt(statusLine[1]), headers, body);
        }

        WsFrame readFrame() throws IOException {
            byte[] h = readExactly(2);
            if ((h[1] & 0x80) != 0) {
                throw new IOException("a masked server frame");
            }
            long length = h[1] & 0x7F;
            if (length == 126) {
                byte[] l = readExactly(2);
                length = ((l[0] & 0xFF) << 8) | (l[1] & 0xFF);
            } else if (length == 127) {
                length = ByteBuffer.wrap(readExactly(8)).getLong();
                if (length > 1 << 20) {
                    throw new IOException("a server frame of " + length + " bytes");
                }
            }
            return new WsFrame((h[0] & 0x80) != 0, h[0] & 0x0F, readExactly((int) length));
        }

        private byte[] readExactly(int n) throws IOException {
            byte[] bytes = new byte[n];
            int off = 0;
            while (off < n) {
                int r = in.read(bytes, off, n - off);
                if (r < 0) {
                    throw new EOFException("end of stream after " + off + " of " + n + " bytes");
                }
                off += r;
            }
            return bytes;
        }

        /** {@code true} when the server ends the connection (EOF or reset) with nothing more before it. */
        boolean ends() throws IOException {
            try {
                int b = in.read();
                if (b >= 0) {
                    throw new IOException("unexpected bytes (first 0x" + Integer.toHexString(b)
                            + ") where the end of stream was expected");
                }
                return true;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("unexpected bytes")) {
                    throw e;
                }
                return true; // A reset ends it too.
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static final class WsFrame {
        final boolean fin;
        final int opcode;
        final byte[] payload;

        WsFrame(boolean fin, int opcode, byte[] payload) {
            this.fin = fin;
            this.opcode = opcode;
            this.payload = payload;
        }

        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }
    }

    private static final class HttpResponse {
        final int status;
        final Map<String, String> headers;
        final String body;

        HttpResponse(int status, Map<String, String> headers, String body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        String header(String name) {
            return headers.get(name);
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + body;
        }
    }
}
