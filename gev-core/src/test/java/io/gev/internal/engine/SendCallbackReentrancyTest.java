package io.gev.internal.engine;

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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.gev.testing.ServerRuns.closeCounts;
import static io.gev.testing.ServerRuns.difference;
import static io.gev.testing.ServerRuns.loopResponds;
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

    private static final byte[] BYE = ascii("bye");
    private static final byte[] MORE = ascii("and one more thing before I go");

    @RegisterExtension
    final TestServers servers = TestServers.bounded();

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
        Server.Builder builder = TestServers.local(LengthFieldProtocol.builder().build(), handler, transport).loops(1);
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
}
