package io.gev.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A one-thread, non-blocking echo load generator that verifies every byte it gets back.
 *
 * <p>It opens {@link #connections(int) C} connections to an echo server (in batches, so the
 * server's listen backlog never overflows) and, once all of them are open (unless
 * {@link #startTogether(boolean)} is off), runs {@link #rounds(int) R} rounds on each: send one
 * message, read back exactly as many bytes and compare them byte for byte with what was sent,
 * then the next round. After the last round it half-closes and expects end of stream with no
 * byte more ({@link #expectEofAfterLastRound(boolean)}), then closes.
 *
 * <p>Message sizes come from a {@link Random} seeded with the run's seed and the connection's
 * index: a mix of tiny (1..64), medium (65..4096) and large (4097..262144) messages. Message
 * contents are a pseudo-random stream that depends on seed, connection, round and offset, so a
 * server that reorders, drops, duplicates, corrupts or mixes up bytes of different connections or
 * rounds is caught; no message is kept in memory (bytes are generated again where they are
 * checked), so thousands of connections with large messages cost only two scratch buffers.
 * Partial writes wait for {@code OP_WRITE}; partial reads simply continue. A connection keeps
 * reading while it writes, so a server that echoes as it reads never deadlocks against it.
 *
 * <p>A run is bounded by {@link #timeout(Duration)}: when it passes, every unfinished connection
 * counts as an error and the result says where each one was.
 */
public final class EchoLoad {

    /** The largest message: 256 KiB. */
    public static final int MAX_MESSAGE = 262_144;
    /** The largest tiny message. */
    public static final int MAX_TINY = 64;
    /** The largest medium message: 4 KiB. */
    public static final int MAX_MEDIUM = 4096;

    private static final int SCRATCH = 64 * 1024;

    private final InetSocketAddress target;
    private int connections = 1;
    private int rounds = 1;
    private long seed = System.nanoTime();
    private Duration timeout = Duration.ofSeconds(60);
    private int connectBatch = 256;
    private boolean startTogether = true;
    private boolean expectEof = true;
    private int tinyPercent = 50;
    private int mediumPercent = 35;

    private EchoLoad(InetSocketAddress target) {
        this.target = target;
    }

    /** A load against {@code 127.0.0.1:port}. */
    public static EchoLoad to(int port) {
        return to(new InetSocketAddress("127.0.0.1", port));
    }

    public static EchoLoad to(InetSocketAddress target) {
        return new EchoLoad(target);
    }

    /** Connections opened (all open at once when {@link #startTogether} is on); default 1. */
    public EchoLoad connections(int connections) {
        if (connections < 1) {
            throw new IllegalArgumentException("connections must be >= 1: " + connections);
        }
        this.connections = connections;
        return this;
    }

    /** Messages each connection sends and verifies, one at a time; default 1. */
    public EchoLoad rounds(int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be >= 1: " + rounds);
        }
        this.rounds = rounds;
        return this;
    }

    /** Seed of sizes and contents; default {@link System#nanoTime()}. Print it when a run fails. */
    public EchoLoad seed(long seed) {
        this.seed = seed;
        return this;
    }

    public long seed() {
        return seed;
    }

    /** Bound of the whole run; default 60 s. */
    public EchoLoad timeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        this.timeout = timeout;
        return this;
    }

    /** Connects in flight at once; default 256 (well under a listen backlog of 1024). */
    public EchoLoad connectBatch(int connectBatch) {
        if (connectBatch < 1) {
            throw new IllegalArgumentException("connectBatch must be >= 1: " + connectBatch);
        }
        this.connectBatch = connectBatch;
        return this;
    }

    /** When on (default), no connection sends before every connection is open. */
    public EchoLoad startTogether(boolean startTogether) {
        this.startTogether = startTogether;
        return this;
    }

    /**
     * When on (default), a connection half-closes after its last round and must then read end of
     * stream without a single byte more; when off it just closes.
     */
    public EchoLoad expectEofAfterLastRound(boolean expectEof) {
        this.expectEof = expectEof;
        return this;
    }

    /** Percentages of tiny and medium messages; the rest are large. Default 50 and 35. */
    public EchoLoad sizeMix(int tinyPercent, int mediumPercent) {
        if (tinyPercent < 0 || mediumPercent < 0 || tinyPercent + mediumPercent > 100) {
            throw new IllegalArgumentException("bad size mix: " + tinyPercent + "% tiny, " + mediumPercent + "% medium");
        }
        this.tinyPercent = tinyPercent;
        this.mediumPercent = mediumPercent;
        return this;
    }

    // ---- the contents --------------------------------------------------------------------------

    /** The seed of the contents of message {@code round} of connection {@code conn}. */
    static long messageSeed(long seed, int conn, int round) {
        return mix64(mix64(seed ^ 0x9E3779B97F4A7C15L) + ((long) conn << 32 | (round & 0xFFFFFFFFL)));
    }

    /** Fills {@code dst[0, len)} with the message bytes {@code [offset, offset + len)}. */
    static void content(long messageSeed, int offset, byte[] dst, int len) {
        int i = 0;
        while (i < len) {
            int pos = offset + i;
            long word = mix64(messageSeed + (pos >>> 3));
            int shift = pos & 7;
            int n = Math.min(8 - shift, len - i);
            for (int k = 0; k < n; k++) {
                dst[i + k] = (byte) (word >>> ((shift + k) << 3));
            }
            i += n;
        }
    }

    /** SplitMix64's finalizer. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private int nextSize(Random random) {
        int p = random.nextInt(100);
        if (p < tinyPercent) {
            return 1 + random.nextInt(MAX_TINY);
        }
        if (p < tinyPercent + mediumPercent) {
            return MAX_TINY + 1 + random.nextInt(MAX_MEDIUM - MAX_TINY);
        }
        return MAX_MEDIUM + 1 + random.nextInt(MAX_MESSAGE - MAX_MEDIUM);
    }

    // ---- the run -----------------------------------------------------------------------------

    private enum Phase { NEW, CONNECTING, CONNECTED, ROUND, AWAIT_EOF, DONE, FAILED }

    private final class Conn {
        final int index;
        final Random sizes;
        SocketChannel channel;
        SelectionKey key;
        Phase phase = Phase.NEW;
        int round;
        int size;
        long contentSeed;
        int sent;
        int received;

        Conn(int index) {
            this.index = index;
            this.sizes = new Random(mix64(seed + 0x632BE59BD9B4E019L * (index + 1)));
        }

        String where() {
            switch (phase) {
                case ROUND:
                    return "connection " + index + " round " + round + " (message of " + size + " bytes): sent "
                            + sent + ", received " + received;
                case AWAIT_EOF:
                    return "connection " + index + " after its last round, waiting for end of stream";
                default:
                    return "connection " + index + " " + phase.name().toLowerCase();
            }
        }
    }

    /** Runs the load; returns when every connection finished or failed, or the timeout passed. */
    public Result run() {
        Result result = new Result(seed, connections, rounds);
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        List<Conn> conns = new ArrayList<>(connections);
        for (int i = 0; i < connections; i++) {
            conns.add(new Conn(i));
        }
        byte[] readBytes = new byte[SCRATCH];
        byte[] expected = new byte[SCRATCH];
        byte[] writeBytes = new byte[SCRATCH];
        ByteBuffer readBuffer = ByteBuffer.wrap(readBytes);
        ByteBuffer writeBuffer = ByteBuffer.wrap(writeBytes);
        Selector selector = null;
        try {
            selector = Selector.open();
            int nextToConnect = 0;
            int connecting = 0;
            int connected = 0;
            int finished = 0;
            boolean started = !startTogether;
            while (finished < connections) {
                // Keep at most connectBatch connects in flight.
                while (nextToConnect < connections && connecting < connectBatch) {
                    Conn c = conns.get(nextToConnect++);
                    try {
                        c.channel = SocketChannel.open();
                        c.channel.configureBlocking(false);
                        c.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                        c.key = c.channel.register(selector, 0, c);
                        if (c.channel.connect(target)) {
                            connected++;
                            onConnected(c, started);
                        } else {
                            c.phase = Phase.CONNECTING;
                            c.key.interestOps(SelectionKey.OP_CONNECT);
                            connecting++;
                        }
                    } catch (IOException e) {
                        fail(c, result, "connect failed: " + e);
                        finished++;
                    }
                }
                if (!started && connected + finished >= connections) {
                    started = true;
                    for (Conn c : conns) {
                        if (c.phase == Phase.CONNECTED) {
                            startRound(c);
                        }
                    }
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    result.timedOut = true;
                    for (Conn c : conns) {
                        if (c.phase != Phase.DONE && c.phase != Phase.FAILED) {
                            fail(c, result, "unfinished when the run timed out after " + timeout.toMillis()
                                    + " ms: " + c.where());
                        }
                    }
                    break;
                }
                selector.select(Math.max(1, remaining / 1_000_000));
                for (SelectionKey key : selector.selectedKeys()) {
                    Conn c = (Conn) key.attachment();
                    if (!key.isValid()) {
                        continue;
                    }
                    Phase before = c.phase;
                    try {
                        if (c.phase == Phase.CONNECTING && key.isConnectable()) {
                            if (c.channel.finishConnect()) {
                                connecting--;
                                connected++;
                                onConnected(c, started);
                            }
                        } else {
                            if (c.phase == Phase.ROUND && key.isWritable()) {
                                write(c, writeBytes, writeBuffer, result);
                            }
                            if ((c.phase == Phase.ROUND || c.phase == Phase.AWAIT_EOF) && key.isReadable()) {
                                read(c, readBytes, expected, readBuffer, result);
                            }
                        }
                    } catch (IOException e) {
                        fail(c, result, "I/O error on " + c.where() + ": " + e);
                    }
                    if (before == Phase.CONNECTING && c.phase == Phase.FAILED) {
                        connecting--;
                    }
                    if (before != c.phase && (c.phase == Phase.DONE || c.phase == Phase.FAILED)) {
                        finished++;
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            result.addError("the load itself failed: " + e);
        } finally {
            for (Conn c : conns) {
                closeQuietly(c.channel);
            }
            if (selector != null) {
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // Nothing to do.
                }
            }
            result.elapsedNanos = System.nanoTime() - start;
        }
        return result;
    }

    private void onConnected(Conn c, boolean started) {
        c.phase = Phase.CONNECTED;
        c.key.interestOps(0);
        if (started) {
            startRound(c);
        }
    }

    private void startRound(Conn c) {
        c.phase = Phase.ROUND;
        c.size = nextSize(c.sizes);
        c.contentSeed = messageSeed(seed, c.index, c.round);
        c.sent = 0;
        c.received = 0;
        // Read while writing: a server that echoes as it reads must never block on this client.
        c.key.interestOps(SelectionKey.OP_WRITE | SelectionKey.OP_READ);
    }

    private void write(Conn c, byte[] bytes, ByteBuffer buffer, Result result) throws IOException {
        while (c.sent < c.size) {
            int n = Math.min(bytes.length, c.size - c.sent);
            content(c.contentSeed, c.sent, bytes, n);
            buffer.clear().limit(n);
            int written = c.channel.write(buffer);
            c.sent += written;
            result.bytesSent += written;
            if (written < n) {
                return; // The socket is full: wait for OP_WRITE.
            }
        }
        c.key.interestOps(SelectionKey.OP_READ);
    }

    private void read(Conn c, byte[] bytes, byte[] expected, ByteBuffer buffer, Result result) throws IOException {
        while (true) {
            buffer.clear();
            int n = c.channel.read(buffer);
            if (n == 0) {
                return;
            }
            if (n < 0) {
                if (c.phase == Phase.AWAIT_EOF) {
                    c.phase = Phase.DONE;
                    result.connectionsCompleted++;
                    c.key.cancel();
                    closeQuietly(c.channel);
                } else {
                    fail(c, result, "end of stream on " + c.where());
                }
                return;
            }
            if (c.phase == Phase.AWAIT_EOF) {
                fail(c, result, "connection " + c.index + ": " + n + " unexpected bytes after the last round "
                        + "(" + rounds + " rounds), first 0x" + hex(bytes[0]));
                return;
            }
            // An echo cannot hold bytes that were not sent yet.
            int allowed = c.sent - c.received;
            int check = Math.min(n, allowed);
            content(c.contentSeed, c.received, expected, check);
            int mismatch = Arrays.mismatch(bytes, 0, check, expected, 0, check);
            if (mismatch >= 0) {
                fail(c, result, "connection " + c.index + " round " + c.round + " (message of " + c.size
                        + " bytes, " + c.sent + " sent): byte at offset " + (c.received + mismatch)
                        + " expected 0x" + hex(expected[mismatch]) + " but was 0x" + hex(bytes[mismatch]));
                return;
            }
            if (n > allowed) {
                fail(c, result, "connection " + c.index + " round " + c.round + " (message of " + c.size
                        + " bytes): received " + (c.received + n) + " bytes but only " + c.sent
                        + " were sent; first extra byte 0x" + hex(bytes[allowed]) + " at offset " + c.sent);
                return;
            }
            c.received += n;
            result.bytesVerified += n;
            if (c.received == c.size) {
                result.messages++;
                c.round++;
                if (c.round < rounds) {
                    startRound(c);
                } else if (expectEof) {
                    c.phase = Phase.AWAIT_EOF;
                    c.key.interestOps(SelectionKey.OP_READ);
                    c.channel.shutdownOutput();
                } else {
                    c.phase = Phase.DONE;
                    result.connectionsCompleted++;
                    c.key.cancel();
                    closeQuietly(c.channel);
                    return;
                }
            }
        }
    }

    private static void fail(Conn c, Result result, String description) {
        c.phase = Phase.FAILED;
        if (c.key != null) {
            c.key.cancel();
        }
        closeQuietly(c.channel);
        result.addError(description);
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Nothing to do.
            }
        }
    }

    private static String hex(byte b) {
        return String.format("%02x", b & 0xFF);
    }

    /** What a run did. */
    public static final class Result {
        private final long seed;
        private final int connections;
        private final int rounds;
        private long messages;
        private long bytesSent;
        private long bytesVerified;
        private int connectionsCompleted;
        private int errors;
        private String firstError;
        private final List<String> someErrors = new ArrayList<>();
        private boolean timedOut;
        private long elapsedNanos;

        Result(long seed, int connections, int rounds) {
            this.seed = seed;
            this.connections = connections;
            this.rounds = rounds;
        }

        void addError(String description) {
            if (errors == 0) {
                firstError = description;
            }
            errors++;
            if (someErrors.size() < 10) {
                someErrors.add(description);
            }
        }

        public long seed() {
            return seed;
        }

        /** Messages sent and verified completely. */
        public long messages() {
            return messages;
        }

        /** The messages a fully successful run verifies: connections times rounds. */
        public long expectedMessages() {
            return (long) connections * rounds;
        }

        public long bytesSent() {
            return bytesSent;
        }

        /** Bytes received and found equal to those sent. */
        public long bytesVerified() {
            return bytesVerified;
        }

        /** Connections that ran all their rounds (and saw a clean end of stream, when expected). */
        public int connectionsCompleted() {
            return connectionsCompleted;
        }

        /** Failed connections: each counts once, at its first problem. */
        public int errors() {
            return errors;
        }

        /** The first problem, in words (connection, round, offset, expected and actual byte), or null. */
        public String firstError() {
            return firstError;
        }

        /** Up to ten problems. */
        public List<String> someErrors() {
            return List.copyOf(someErrors);
        }

        public boolean timedOut() {
            return timedOut;
        }

        public Duration elapsed() {
            return Duration.ofNanos(elapsedNanos);
        }

        /** No error, every connection completed, every message verified, every byte sent came back. */
        public boolean ok() {
            return errors == 0 && connectionsCompleted == connections && messages == expectedMessages()
                    && bytesVerified == bytesSent;
        }

        @Override
        public String toString() {
            return "EchoLoad.Result[seed=" + seed + ", connections=" + connections + ", rounds=" + rounds
                    + ", completed=" + connectionsCompleted + ", messages=" + messages + "/" + expectedMessages()
                    + ", bytesSent=" + bytesSent + ", bytesVerified=" + bytesVerified + ", errors=" + errors
                    + (timedOut ? ", TIMED OUT" : "") + ", elapsed=" + elapsedNanos / 1_000_000 + " ms"
                    + (firstError != null ? ", first error: " + firstError : "")
                    + (errors > 1 ? ", some errors: " + someErrors : "") + "]";
        }
    }
}
