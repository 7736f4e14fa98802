package io.gev.internal.engine;

import io.gev.CloseReason;
import io.gev.Connection;
import io.gev.Server;
import io.gev.loop.Transport;
import io.gev.protocol.LengthFieldProtocol;
import io.gev.protocol.Protocol;
import io.gev.protocol.RawProtocol;
import io.gev.testing.Connections;
import io.gev.testing.TestServers;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Many connections on a one-loop echo server, each streaming its own seeded random bytes in
 * random-sized segments with random pauses and reading its echo back in random-sized reads, while
 * connections chosen at random are closed from a send callback at random moments: every
 * connection must receive exactly its own bytes. A write buffer returned twice to the loop's
 * {@link BufferPool} is lent to two connections at once, which then stall or receive each other's
 * bytes.
 *
 * <p>With the length-field protocol a victim ends its stream with a marker frame, which the
 * server answers with a goodbye frame whose send callback closes the connection; the victim must
 * receive the echo of every frame before the marker, the goodbye, and the end of stream. With the
 * raw protocol, where no marker could be told from data, a victim reads the echo of a random
 * prefix of its stream and then has the test send the goodbye on the server's side of its
 * connection with a callback that closes it (the send runs on the loop, outside any read).
 *
 * <p>The server's send buffer is small and the clients read slowly, so that many connections
 * hold a write buffer at the same time. The handler checks what it receives against the client's
 * stream too: a connection that decodes bytes its client did not send (another's, or its own
 * replies when its read and write buffers are one ring) is closed at once rather than left to echo
 * itself forever on the loop thread. The run stops after the first round with a failure.
 */
@Timeout(60)
class CrossConnectionIsolationTest {

    private static final int CLIENTS = 40;
    private static final int ROUNDS = 6;
    private static final int CLIENT_TIMEOUT_MILLIS = 5_000;
    private static final int ROUND_TIMEOUT_SECONDS = 20;
    /** The body of a length-field marker frame; data frame bodies begin with 0. */
    private static final byte[] MARKER = "\u0001close me from a send callback".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GOODBYE = "\u0002goodbye from the server".getBytes(StandardCharsets.US_ASCII);

    enum Framing {
        RAW, LENGTH_FIELD
    }

    @RegisterExtension
    final TestServers servers = TestServers.bounded();

    static Stream<Arguments> transportsAndFramings() {
        return Stream.of(Transport.EPOLL, Transport.NIO)
                .flatMap(t -> Arrays.stream(Framing.values()).map(f -> Arguments.of(t, f)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("transportsAndFramings")
    void everyConnectionGetsExactlyItsOwnBytesWhileOthersCloseFromSendCallbacks(Transport transport, Framing framing)
            throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Checker handler = new Checker(framing);
        Protocol<ByteBuffer> protocol = framing == Framing.RAW ? RawProtocol.INSTANCE
                : LengthFieldProtocol.builder().build();
        Server server = servers.start(TestServers.local(protocol, handler, transport).loops(1).sendBufferSize(4096));
        ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "isolation-client");
            t.setDaemon(true);
            return t;
        });
        try {
            int victimsSoFar = 0;
            for (int round = 0; round < ROUNDS; round++) {
                Plan[] plans = new Plan[CLIENTS];
                for (int i = 0; i < CLIENTS; i++) {
                    // The first client of a round is never a victim, the second always is.
                    boolean victim = i != 0 && (i == 1 || random.nextInt(3) == 0);
                    plans[i] = Plan.make(framing, random.nextLong(), victim);
                }
                handler.plans = plans;
                handler.indexByPort.clear();
                long[] errorsBefore = errorCloses(server);
                List<String> failures = runRound(server, handler, plans, threads);
                String anomalies = handler.drainAnomalies() + errorClosesSince(server, errorsBefore);
                if (!failures.isEmpty() || !anomalies.isEmpty()) {
                    int victims = (int) Arrays.stream(plans).filter(p -> p.victim).count();
                    fail(framing + " on " + transport + ", round " + (round + 1) + " of " + ROUNDS + " (" + victimsSoFar
                            + " connections closed from send callbacks in earlier rounds, " + victims + " of "
                            + CLIENTS + " in this one): " + failures.size() + " clients went wrong; seed " + seed
                            + "\n  " + String.join("\n  ", failures)
                            + (anomalies.isEmpty() ? "" : "\n  the server saw:" + anomalies));
                }
                victimsSoFar += (int) Arrays.stream(plans).filter(p -> p.victim).count();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    /** Reasons for which no connection of this test may close. */
    private static final CloseReason[] ERRORS = {CloseReason.PROTOCOL_ERROR, CloseReason.HANDLER_ERROR,
            CloseReason.READ_LIMIT, CloseReason.WRITE_LIMIT, CloseReason.IO_ERROR};

    private static long[] errorCloses(Server server) {
        long[] counts = new long[ERRORS.length];
        for (int i = 0; i < ERRORS.length; i++) {
            counts[i] = server.stats().closedConnections(ERRORS[i]);
        }
        return counts;
    }

    private static String errorClosesSince(Server server, long[] before) {
        StringBuilder sb = new StringBuilder();
        long[] now = errorCloses(server);
        for (int i = 0; i < ERRORS.length; i++) {
            if (now[i] != before[i]) {
                sb.append(" [").append(now[i] - before[i]).append(" connections closed for ").append(ERRORS[i]).append(']');
            }
        }
        return sb.toString();
    }

    private static List<String> runRound(Server server, Checker handler, Plan[] plans, ExecutorService threads)
            throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < plans.length; i++) {
            Client client = new Client(i, plans[i], server, handler, start, threads);
            results.add(threads.submit(client::run));
        }
        start.countDown();
        List<String> failures = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ROUND_TIMEOUT_SECONDS);
        for (int i = 0; i < results.size(); i++) {
            String failure;
            try {
                failure = results.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                failure = "did not finish within " + ROUND_TIMEOUT_SECONDS + " s";
            } catch (Exception e) {
                failure = "failed: " + e;
            }
            if (failure != null) {
                failures.add("client " + i + " (" + plans[i] + "): " + failure);
            }
        }
        return failures;
    }

    // ---- what each client sends and expects -------------------------------------------------

    /** The bytes one client sends, where it cuts them, and what it must receive. */
    static final class Plan {
        final long seed;
        final boolean victim;
        /** Everything the client writes. */
        final byte[] stream;
        /** Where the writes are cut. */
        final int[] cuts;
        /** Everything the client must receive before the end of stream. */
        final byte[] expected;
        /** Raw victims: how much of {@link #expected} to read before the goodbye is sent. */
        final int echoBeforeGoodbye;
        final String description;

        private Plan(long seed, boolean victim, byte[] stream, int[] cuts, byte[] expected, int echoBeforeGoodbye,
                String description) {
            this.seed = seed;
            this.victim = victim;
            this.stream = stream;
            this.cuts = cuts;
            this.expected = expected;
            this.echoBeforeGoodbye = echoBeforeGoodbye;
            this.description = description;
        }

        static Plan make(Framing framing, long seed, boolean victim) {
            Random random = new Random(seed);
            if (framing == Framing.RAW) {
                byte[] all = new byte[4096 + random.nextInt(28 * 1024)];
                random.nextBytes(all);
                int[] cuts = cuts(random, all.length);
                if (!victim) {
                    return new Plan(seed, false, all, cuts, all, -1, "raw, " + all.length + " bytes");
                }
                // The victim stops after a random segment and is closed once its echo is back.
                int stop = cuts.length == 0 ? all.length : cuts[random.nextInt(cuts.length)];
                byte[] prefix = Arrays.copyOf(all, stop);
                int[] prefixCuts = Arrays.stream(cuts).filter(c -> c < stop).toArray();
                byte[] expected = concat(prefix, GOODBYE);
                return new Plan(seed, true, prefix, prefixCuts, expected, prefix.length,
                        "raw victim, goodbye after " + prefix.length + " bytes");
            }
            int frames = 20 + random.nextInt(60);
            int markerAt = victim ? random.nextInt(frames + 1) : -1;
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            for (int f = 0; f < frames && f != markerAt; f++) {
                byte[] body = new byte[1 + random.nextInt(random.nextInt(8) == 0 ? 2000 : 200)];
                random.nextBytes(body);
                body[0] = 0;
                byte[] frame = SendCallbackReentrancyTest.frame(body);
                stream.writeBytes(frame);
                expected.writeBytes(frame);
            }
            if (victim) {
                stream.writeBytes(SendCallbackReentrancyTest.frame(MARKER));
                expected.writeBytes(SendCallbackReentrancyTest.frame(GOODBYE));
            }
            byte[] bytes = stream.toByteArray();
            String description = victim ? "length-field victim, marker after " + markerAt + " frames"
                    : "length-field, " + frames + " frames";
            return new Plan(seed, victim, bytes, cuts(random, bytes.length), expected.toByteArray(), -1,
                    description + ", " + bytes.length + " bytes");
        }

        /** Random cut points: mostly small segments, some large ones. */
        private static int[] cuts(Random random, int length) {
            List<Integer> cuts = new ArrayList<>();
            int at = 0;
            while (true) {
                int size = random.nextInt(4) == 0 ? 1 + random.nextInt(3000) : 1 + random.nextInt(16);
                at += size;
                if (at >= length) {
                    break;
                }
                cuts.add(at);
            }
            return cuts.stream().mapToInt(Integer::intValue).toArray();
        }

        @Override
        public String toString() {
            return description + ", plan seed " + seed;
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    // ---- the server -------------------------------------------------------------------------

    /**
     * Echoes, after checking every byte received against the stream of the client the connection
     * belongs to (known by its port); closes a victim from a send callback on its marker.
     */
    static final class Checker extends Connections {
        final Framing framing;
        final Map<Integer, Integer> indexByPort = new ConcurrentHashMap<>();
        final Map<Integer, Connection> byPort = new ConcurrentHashMap<>();
        final Queue<String> anomalies = new ConcurrentLinkedQueue<>();
        volatile Plan[] plans;

        Checker(Framing framing) {
            this.framing = framing;
        }

        @Override
        public void onConnect(Connection connection) {
            byPort.put(connection.remoteAddress().getPort(), connection);
            super.onConnect(connection);
        }

        @Override
        public void onClose(Connection connection) {
            byPort.remove(connection.remoteAddress().getPort(), connection);
            super.onClose(connection);
        }

        @Override
        public Object onMessage(Connection connection, Object context, ByteBuffer payload) {
            int[] state = (int[]) connection.context();
            if (state == null) {
                Integer index = indexByPort.get(connection.remoteAddress().getPort());
                if (index == null) {
                    return refuse(connection, "bytes from an unknown client");
                }
                connection.setContext(state = new int[] {index, 0});
            }
            byte[] stream = plans[state[0]].stream;
            int offset = state[1];
            int length = payload.remaining();
            if (framing == Framing.LENGTH_FIELD) {
                if (offset + 4 + length > stream.length || ByteBuffer.wrap(stream, offset, 4).getInt() != length
                        || !payload.equals(ByteBuffer.wrap(stream, offset + 4, length))) {
                    return refuse(connection, "a frame of " + length + " bytes client " + state[0]
                            + " did not send at offset " + offset);
                }
                state[1] = offset + 4 + length;
                if (payload.get(payload.position()) == MARKER[0]) {
                    connection.send(GOODBYE, (conn, failure) -> conn.close());
                    return null;
                }
                return payload;
            }
            if (offset + length > stream.length || !payload.equals(ByteBuffer.wrap(stream, offset, length))) {
                return refuse(connection, length + " bytes client " + state[0] + " did not send at offset " + offset);
            }
            state[1] = offset + length;
            return payload;
        }

        private Object refuse(Connection connection, String what) {
            anomalies.add(" [" + connection + " received " + what + "; closed it]");
            connection.close();
            return null;
        }

        String drainAnomalies() {
            StringBuilder sb = new StringBuilder();
            String a;
            while ((a = anomalies.poll()) != null) {
                sb.append(a);
            }
            return sb.toString();
        }
    }

    // ---- a client -----------------------------------------------------------------------------

    private static final class Client {
        private final int index;
        private final Plan plan;
        private final Server server;
        private final Checker handler;
        private final CountDownLatch start;
        private final ExecutorService threads;
        private final CountDownLatch echoed = new CountDownLatch(1);
        private final Random writes;
        private final Random reads;

        Client(int index, Plan plan, Server server, Checker handler, CountDownLatch start, ExecutorService threads) {
            this.index = index;
            this.plan = plan;
            this.server = server;
            this.handler = handler;
            this.start = start;
            this.threads = threads;
            this.writes = new Random(plan.seed ^ 0x5DEECE66DL);
            this.reads = new Random(plan.seed ^ 0xB5AD4ECEDA1CE2A9L);
        }

        /** {@code null} when the client received exactly what it expected, else what went wrong. */
        String run() throws Exception {
            start.await();
            try (Socket socket = new Socket()) {
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(CLIENT_TIMEOUT_MILLIS);
                socket.connect(new InetSocketAddress("127.0.0.1", server.port()), CLIENT_TIMEOUT_MILLIS);
                int port = socket.getLocalPort();
                handler.indexByPort.put(port, index);
                Future<String> reader = threads.submit(() -> read(socket.getInputStream()));
                String written = write(socket, port);
                String read;
                try {
                    read = reader.get(ROUND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    read = "its reader did not finish";
                }
                if (read != null) {
                    return read;
                }
                return written;
            }
        }

        private String write(Socket socket, int port) throws InterruptedException {
            OutputStream out;
            try {
                out = socket.getOutputStream();
                int from = 0;
                for (int i = 0; i <= plan.cuts.length; i++) {
                    int to = i == plan.cuts.length ? plan.stream.length : plan.cuts[i];
                    out.write(plan.stream, from, to - from);
                    out.flush();
                    from = to;
                    pause(writes);
                }
            } catch (IOException e) {
                return "writing failed: " + e;
            }
            if (plan.echoBeforeGoodbye >= 0) {
                // A raw victim: once its echo is back, the server says goodbye and closes in the callback.
                if (!echoed.await(CLIENT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                    return null; // The reader reports what is missing.
                }
                Connection side = handler.byPort.get(port);
                if (side == null) {
                    return "its connection is not open on the server";
                }
                side.send(GOODBYE, (conn, failure) -> conn.close());
            } else if (!plan.victim) {
                try {
                    socket.shutdownOutput(); // The server then closes once the echo is out.
                } catch (IOException e) {
                    return "shutting down output failed: " + e;
                }
            }
            return null;
        }

        /** Reads in random-sized reads with pauses; checks every byte as it comes. */
        private String read(InputStream in) {
            byte[] expected = plan.expected;
            byte[] buf = new byte[8192];
            int at = 0;
            try {
                while (at < expected.length) {
                    if (at >= plan.echoBeforeGoodbye && plan.echoBeforeGoodbye >= 0) {
                        echoed.countDown();
                    }
                    int want = Math.min(expected.length - at, 1 + reads.nextInt(reads.nextBoolean() ? 64 : 8192));
                    int n = in.read(buf, 0, want);
                    if (n < 0) {
                        return "end of stream after " + at + " of " + expected.length + " bytes";
                    }
                    for (int i = 0; i < n; i++) {
                        if (buf[i] != expected[at + i]) {
                            byte[] got = Arrays.copyOf(buf, n);
                            return "wrong bytes at offset " + (at + i) + " of " + expected.length + ": expected "
                                    + hex(expected, at + i, 16) + ", got " + hex(got, i, 16);
                        }
                    }
                    at += n;
                    pause(reads);
                }
                int more = in.read();
                if (more >= 0) {
                    return "bytes after the " + expected.length + " expected (first 0x" + Integer.toHexString(more)
                            + ")";
                }
                return null;
            } catch (SocketTimeoutException e) {
                return "nothing for " + CLIENT_TIMEOUT_MILLIS + " ms after " + at + " of " + expected.length
                        + " bytes";
            } catch (IOException e) {
                if (at == expected.length) {
                    return null; // A reset after everything arrived still ends the stream.
                }
                return "reading failed after " + at + " of " + expected.length + " bytes: " + e;
            } finally {
                echoed.countDown();
            }
        }

        /** Client side only: so that segments go out as separate TCP segments, at random moments. */
        private static void pause(Random random) {
            if (random.nextInt(3) == 0) {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50 + random.nextInt(1500)));
            }
        }
    }

    private static String hex(byte[] bytes, int from, int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < Math.min(bytes.length, from + count); i++) {
            sb.append(String.format("%02x", bytes[i] & 0xFF));
        }
        return sb.length() == 0 ? "(nothing)" : sb.toString();
    }
}
