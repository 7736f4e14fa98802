package io.gev.testing;

import javax.net.ssl.SSLContext;
import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * Well-behaved clients that keep checking a server while a test does something nasty to it: one
 * thread goes round its connections, one request and its verified reply on each, then pauses, and
 * records how long every round trip took. {@link #stop()} reports round trips, errors and
 * latency percentiles.
 *
 * <pre>{@code
 * try (EchoProbe probe = EchoProbe.start("raw", Duration.ofMillis(10), EchoProbe.raw(port))) {
 *     attack();
 *     EchoProbe.Report report = probe.stop();
 *     report.assertHealthy(Duration.ofSeconds(1));
 * }
 * }</pre>
 */
public final class EchoProbe implements AutoCloseable {

    private static volatile HttpClient http;

    /** One connection of a well-behaved client. */
    public interface Exchange extends AutoCloseable {

        /** Sends request {@code seq}, waits for its reply and checks it; throws on any problem. */
        void roundTrip(int seq) throws Exception;

        @Override
        void close();
    }

    private final String name;
    private final Duration pause;
    private final List<Exchange> exchanges;
    private final Thread thread;
    private volatile boolean running = true;
    private final Histogram latencies = new Histogram();
    private int errors;
    private final List<String> someErrors = new ArrayList<>();

    private EchoProbe(String name, Duration pause, List<Exchange> exchanges) {
        this.name = name;
        this.pause = pause;
        this.exchanges = new ArrayList<>(exchanges);
        this.thread = new Thread(this::run, "probe-" + name);
        this.thread.setDaemon(true);
    }

    /** Starts probing with {@code exchanges}, pausing {@code pause} after each round of them. */
    public static EchoProbe start(String name, Duration pause, List<Exchange> exchanges) {
        EchoProbe probe = new EchoProbe(name, pause, exchanges);
        probe.thread.start();
        return probe;
    }

    public static EchoProbe start(String name, Duration pause, Exchange... exchanges) {
        return start(name, pause, List.of(exchanges));
    }

    private void run() {
        int seq = 0;
        while (running && !exchanges.isEmpty()) {
            for (int i = 0; i < exchanges.size() && running; i++) {
                Exchange exchange = exchanges.get(i);
                long t0 = System.nanoTime();
                try {
                    exchange.roundTrip(seq);
                    record(System.nanoTime() - t0);
                } catch (Exception | AssertionError e) {
                    synchronized (this) {
                        errors++;
                        if (someErrors.size() < 5) {
                            someErrors.add("exchange " + i + ", request " + seq + ": " + e);
                        }
                    }
                    exchange.close();
                    exchanges.remove(i--);
                }
            }
            seq++;
            if (!pause.isZero()) {
                LockSupport.parkNanos(pause.toNanos());
            }
        }
    }

    private synchronized void record(long nanos) {
        latencies.add(nanos);
    }

    /** Round trips completed so far. */
    public synchronized int roundTrips() {
        return (int) latencies.count;
    }

    /** Stops, closes the connections and reports. */
    public Report stop() {
        running = false;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Exchange e : exchanges) {
            e.close();
        }
        exchanges.clear();
        synchronized (this) {
            return new Report(name, latencies.copy(), errors, List.copyOf(someErrors), thread.isAlive());
        }
    }

    @Override
    public void close() {
        if (thread.isAlive() || !exchanges.isEmpty()) {
            stop();
        }
    }

    /**
     * Round-trip times in fixed memory, however long a probe runs: 16 buckets per power of two of
     * nanoseconds, so a percentile is at most 1/16 above the true value; the maximum is exact.
     */
    static final class Histogram {
        private final long[] counts = new long[960];
        long count;
        long max;

        void add(long nanos) {
            long v = Math.max(0, nanos);
            int index;
            if (v < 16) {
                index = (int) v;
            } else {
                int e = 63 - Long.numberOfLeadingZeros(v);
                index = (e - 4) * 16 + (int) (v >>> (e - 4));
            }
            counts[index]++;
            count++;
            max = Math.max(max, v);
        }

        /** The upper bound of the bucket holding the {@code p}-th percentile. */
        long percentile(double p) {
            if (count == 0) {
                return 0;
            }
            long rank = Math.max(1, (long) Math.ceil(p / 100.0 * count));
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                if (seen >= rank) {
                    if (i < 16) {
                        return i;
                    }
                    int shift = i / 16 - 1;
                    long m = i % 16 + 16;
                    return Math.min(max, ((m + 1) << shift) - 1);
                }
            }
            return max;
        }

        Histogram copy() {
            Histogram h = new Histogram();
            System.arraycopy(counts, 0, h.counts, 0, counts.length);
            h.count = count;
            h.max = max;
            return h;
        }
    }

    /** What a probe saw. */
    public static final class Report {
        private final String name;
        private final Histogram latencies;
        private final int errors;
        private final List<String> someErrors;
        private final boolean stuck;

        Report(String name, Histogram latencies, int errors, List<String> someErrors, boolean stuck) {
            this.name = name;
            this.latencies = latencies;
            this.errors = errors;
            this.someErrors = someErrors;
            this.stuck = stuck;
        }

        public long roundTrips() {
            return latencies.count;
        }

        public int errors() {
            return errors;
        }

        /** The {@code p}-th percentile (0..100) of the round-trip times, at most 1/16 too high. */
        public Duration percentile(double p) {
            return Duration.ofNanos(latencies.percentile(p));
        }

        public Duration max() {
            return Duration.ofNanos(latencies.max);
        }

        /**
         * No errors, at least one round trip and a 99th percentile under {@code maxP99}: the bound
         * is generous on purpose; the figures are printed for the record.
         */
        public Report assertHealthy(Duration maxP99) {
            if (errors > 0 || stuck || latencies.count == 0 || percentile(99).compareTo(maxP99) >= 0) {
                throw new AssertionError("well-behaved clients suffered (p99 must stay under " + maxP99.toMillis()
                        + " ms): " + this);
            }
            return this;
        }

        @Override
        public String toString() {
            return String.format("probe %s: %d round trips, %d errors, latency p50 %.2f ms, p99 %.2f ms, max %.2f ms%s%s",
                    name, latencies.count, errors, millis(percentile(50)), millis(percentile(99)), millis(max()),
                    stuck ? ", STUCK in a round trip" : "", someErrors.isEmpty() ? "" : ", errors: " + someErrors);
        }

        private static double millis(Duration d) {
            return d.toNanos() / 1e6;
        }
    }

    // ---- exchanges -----------------------------------------------------------------------------

    /** Echo of raw bytes: 64 printable bytes that depend on the request number. */
    public static Exchange raw(int port) throws IOException {
        return echo(port, seq -> printable(seq, 0, 64, 0));
    }

    /** Echo through a length-field protocol with a 4-byte big-endian length of the body. */
    public static Exchange lengthField(int port) throws IOException {
        return echo(port, seq -> printable(seq, 4, 64, 0));
    }

    /** Echo through a line protocol ending lines with {@code \n}. */
    public static Exchange line(int port) throws IOException {
        return echo(port, seq -> printable(seq, 0, 63, 1));
    }

    /** A request that the server must send back unchanged: {@code requests} makes request {@code seq}. */
    public static Exchange echo(int port, IntFunction<byte[]> requests) throws IOException {
        return new Echo(TestClient.connect(port), requests);
    }

    /** Echo of raw bytes over TLS, with the JDK's client of {@code context} (the handshake on first use). */
    public static Exchange tls(int port, SSLContext context) throws IOException {
        return new Echo(new TestClient(context.getSocketFactory().createSocket("127.0.0.1", port)),
                seq -> printable(seq, 0, 64, 0));
    }

    /**
     * {@code body} printable bytes (never a line feed) that depend on {@code seq}, after a 4-byte
     * big-endian length when {@code header} is 4, followed by {@code lineFeeds} line feeds.
     */
    private static byte[] printable(int seq, int header, int body, int lineFeeds) {
        byte[] b = new byte[header + body + lineFeeds];
        if (header == 4) {
            b[3] = (byte) body;
        }
        for (int i = 0; i < body; i++) {
            b[header + i] = (byte) ('0' + (seq * 31 + i) % 64);
        }
        for (int i = 0; i < lineFeeds; i++) {
            b[header + body + i] = '\n';
        }
        return b;
    }

    /** {@code count} exchanges made by {@code factory} on {@code port}. */
    public static List<Exchange> many(int count, int port, ExchangeFactory factory) throws IOException {
        List<Exchange> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(factory.open(port));
        }
        return list;
    }

    /** Opens one exchange on a port. */
    public interface ExchangeFactory {
        Exchange open(int port) throws IOException;
    }

    /** A {@link TestClient} (10 s read timeout) whose server echoes every request. */
    private static final class Echo implements Exchange {
        private final TestClient client;
        private final IntFunction<byte[]> requests;

        Echo(TestClient client, IntFunction<byte[]> requests) {
            this.requests = requests;
            this.client = client;
        }

        @Override
        public void roundTrip(int seq) throws IOException {
            byte[] request = requests.apply(seq);
            byte[] reply = client.write(request).readExactly(request.length);
            if (!Arrays.equals(request, reply)) {
                throw new AssertionError("reply to request " + seq + " differs from it");
            }
        }

        @Override
        public void close() {
            try {
                client.close();
            } catch (IOException ignored) {
                // Nothing to do.
            }
        }
    }

    /** Echo of text messages through the JDK's WebSocket client. */
    public static Exchange webSocket(int port, String path) throws IOException {
        HttpClient client = http;
        if (client == null) {
            synchronized (EchoProbe.class) {
                if (http == null) {
                    http = HttpClient.newHttpClient();
                }
                client = http;
            }
        }
        return webSocket(client, URI.create("ws://127.0.0.1:" + port + path));
    }

    /** Echo of text messages through {@code client}, the JDK's WebSocket client, to a {@code ws://} or {@code wss://} uri. */
    public static Exchange webSocket(HttpClient client, URI uri) throws IOException {
        return new Ws(client, uri);
    }

    private static final class Ws implements Exchange, WebSocket.Listener {
        private final BlockingQueue<Object> replies = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        private final WebSocket socket;

        Ws(HttpClient client, URI uri) throws IOException {
            try {
                socket = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                        .buildAsync(uri, this)
                        .get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IOException("WebSocket upgrade failed", e);
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                replies.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            replies.add(new EOFException("closed by the server with " + statusCode + " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            replies.add(error);
        }

        @Override
        public void roundTrip(int seq) throws Exception {
            String text = "probe " + seq + " " + "x".repeat(seq % 100);
            socket.sendText(text, true).get(10, TimeUnit.SECONDS);
            Object reply = replies.poll(10, TimeUnit.SECONDS);
            if (reply == null) {
                throw new IOException("no reply to request " + seq + " within 10 s");
            }
            if (reply instanceof Throwable) {
                throw new IOException("WebSocket failed", (Throwable) reply);
            }
            if (!text.equals(reply)) {
                throw new AssertionError("reply to request " + seq + " differs: " + reply);
            }
        }

        @Override
        public void close() {
            socket.abort();
        }
    }
}
