package io.gev.testing;

import io.gev.CloseReason;
import io.gev.Connection;
import io.gev.Server;
import io.gev.buffer.Buffers;
import io.gev.buffer.RingBuffer;
import io.gev.loop.Transport;
import io.gev.metrics.GevMetrics;
import io.gev.protocol.Protocol;
import io.gev.protocol.ProtocolException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static io.gev.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What every framing protocol must show, run by each protocol's test on its own variants:
 * frames delivered byte by byte, coalesced in one read, split at every offset and at random
 * offsets, larger than the per-loop read buffer; random garbage that only ever ends in a
 * {@link ProtocolException} with memory bounded by the protocol's limit; bad input rejected
 * without allocating for bogus lengths; and the same through a real server and socket on both
 * transports, where bad input closes only its connection, is logged with the peer and counted as
 * {@code reason=protocol-error}.
 *
 * <p>The contract runs on configurations of type {@code C}, from which the test {@link #build builds}
 * protocols and knows, independently of the protocol, how it frames messages.
 *
 * <p>Random cases come from seeded generators; a failure names its seed, and
 * {@code -Dgev.test.seed=N} runs only that seed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class ProtocolContract<C> {

    private static final Long REPLAY_SEED = Long.getLong("gev.test.seed");
    /** Random-split tries per seed; ten seeds make thousands of tries per variant. */
    private static final int TRIES_PER_SEED = 200;
    /** Garbage streams per seed. */
    private static final int FUZZ_ITERATIONS = 400;
    /** The largest message of the big-frame and end-to-end cases. */
    private static final int LARGE = 200 * 1024;
    /** The chunk style of the sockets: tiny and large writes mixed (all tiny would take long). */
    private static final int MIXED = 3;
    /** A read buffer size: as large as the stream, so that it arrives in one read. */
    private static final int ONE_READ = -1;

    private final Map<C, Protocol> protocols = new HashMap<>();

    /** What a handler got for one frame; the payload is a copy. */
    public record Received(Object context, byte[] payload, Object decoded) {

        public Received(Object context, byte[] payload) {
            this(context, payload, null);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Received r && Objects.equals(context, r.context)
                    && Arrays.equals(payload, r.payload) && Objects.equals(decoded, r.decoded);
        }

        @Override
        public int hashCode() {
            return Objects.hash(context, Arrays.hashCode(payload), decoded);
        }

        @Override
        public String toString() {
            return "Received[context=" + context + ", " + payload.length + " bytes "
                    + Arrays.toString(Arrays.copyOf(payload, Math.min(payload.length, 16)))
                    + (payload.length > 16 ? "..." : "") + (decoded == null ? "" : ", decoded=" + decoded) + "]";
        }
    }

    /** Bytes the protocol of {@code config} must reject with a message containing {@code reason}. */
    public record BadInput<C>(String name, C config, byte[] bytes, String reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    // ---- what each protocol's test supplies --------------------------------------------------

    /** The protocol of a configuration; called once per configuration. */
    protected abstract Protocol build(C config);

    /** Configurations to run the contract on. */
    protected abstract List<C> variants();

    /** Configurations with small limits, so that random garbage often looks like a frame. */
    protected abstract List<C> fuzzVariants();

    /** The largest message {@link #message} may be asked for. */
    protected abstract int maxMessage(C config);

    /**
     * The bound on a payload handed out and on the bytes held for an incomplete frame that the
     * protocol must keep, whatever it receives.
     */
    protected abstract int limit(C config);

    /** A random message of {@code size} payload bytes (about, for structured messages) to pack. */
    protected abstract Object message(C config, Random rnd, int size);

    /** What a handler gets for {@code message}, computed independently of the protocol. */
    protected abstract Received received(C config, Object message);

    /** Bytes the protocol must reject, each case with the configuration it applies to. */
    protected abstract List<BadInput<C>> badInputs();

    /** What the tests record for a frame; the payload copy and the context by default. */
    protected Received capture(Connection connection, Object context, ByteBuffer payload) {
        return new Received(context, Buffers.copy(payload));
    }

    /** The reply of the end-to-end echo server, which must pack to the frame received. */
    protected Object echo(C config, Connection connection, Object context, ByteBuffer payload) {
        return payload;
    }

    // ---- sources -----------------------------------------------------------------------------

    private static LongStream seeds() {
        return REPLAY_SEED != null ? LongStream.of(REPLAY_SEED) : LongStream.range(1, 11);
    }

    /** The protocol of {@code config}, built once. */
    protected final Protocol protocol(C config) {
        return protocols.computeIfAbsent(config, this::build);
    }

    private Named<C> named(C config) {
        return Named.of(protocol(config).toString(), config);
    }

    Stream<Named<C>> variantSource() {
        return variants().stream().map(this::named);
    }

    Stream<Arguments> variantsAndSeeds() {
        return variants().stream().flatMap(c -> seeds().mapToObj(seed -> Arguments.of(named(c), seed)));
    }

    Stream<Arguments> fuzzVariantsAndSeeds() {
        return fuzzVariants().stream().flatMap(c -> seeds().mapToObj(seed -> Arguments.of(named(c), seed)));
    }

    Stream<BadInput<C>> badInputSource() {
        return badInputs().stream();
    }

    Stream<Arguments> badInputsOnBothTransports() {
        return Stream.of(Transport.EPOLL, Transport.NIO)
                .flatMap(t -> badInputs().stream().map(b -> Arguments.of(t, b)));
    }

    // ---- decoding ----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("variantSource")
    void decodesFramesDeliveredByteByByte(C config) {
        assertDecodes(config, messages(config, new Random(1), 40, 300), 256, new int[] {1}, "byte by byte");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variantSource")
    void decodesManyFramesCoalescedInOneRead(C config) {
        assertDecodes(config, messages(config, new Random(2), 2000, 100), ONE_READ, new int[] {Integer.MAX_VALUE},
                "one read");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variantSource")
    void decodesFramesSplitAtEveryOffset(C config) {
        Protocol protocol = protocol(config);
        int[][] sequences = {{0}, {5}, {0, 1, 0}, {3, 40, 1, 0, 300}};
        Random rnd = new Random(3);
        for (int[] sizes : sequences) {
            List<Object> messages = new ArrayList<>();
            for (int size : sizes) {
                messages.add(message(config, rnd, Math.min(size, maxMessage(config))));
            }
            List<Received> expected = expected(config, messages);
            byte[] stream = encode(protocol, messages);
            for (int readBufferSize : new int[] {256, 64 * 1024}) {
                for (int at = 0; at <= stream.length; at++) {
                    List<Received> got = decode(protocol, stream, readBufferSize, new int[] {at, stream.length - at});
                    assertFrames(expected, got, "sizes " + Arrays.toString(sizes) + " split at " + at
                            + " of " + stream.length + ", read buffer " + readBufferSize);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("variantsAndSeeds")
    void decodesFramesSplitAtRandomOffsets(C config, long seed) {
        Protocol protocol = protocol(config);
        Random rnd = new Random(seed);
        for (int attempt = 0; attempt < TRIES_PER_SEED; attempt++) {
            List<Object> messages = messages(config, rnd, 1 + rnd.nextInt(12), rnd.nextInt(10) == 0 ? 20_000 : 300);
            List<Received> expected = expected(config, messages);
            byte[] stream = encode(protocol, messages);
            int readBufferSize = new int[] {256, 1024, 64 * 1024}[rnd.nextInt(3)];
            int[] chunks = randomChunks(rnd, stream.length);
            try {
                assertFrames(expected, decode(protocol, stream, readBufferSize, chunks), "");
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + " (replay with -Dgev.test.seed=" + seed + "), try " + attempt
                        + ", " + messages.size() + " messages in " + stream.length + " bytes, read buffer "
                        + readBufferSize + ", chunks " + Arrays.toString(chunks) + ": " + e, e);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variantSource")
    void decodesFramesLargerThanTheReadBuffer(C config) {
        Protocol protocol = protocol(config);
        Random rnd = new Random(4);
        int large = Math.min(LARGE, maxMessage(config));
        List<Object> messages = new ArrayList<>();
        for (int size : new int[] {large, 3, large - 1, 0, large / 2, large}) {
            messages.add(message(config, rnd, size));
        }
        // The read buffer is at least 256 bytes: pick one a third of the largest frame.
        int readBufferSize = Math.max(256, Math.min(64 * 1024, large / 3));
        assertDecodes(config, messages, readBufferSize, new int[] {readBufferSize * 2 + 17, 1, 5000},
                "frames of " + large + " bytes, read buffer " + readBufferSize);
    }

    // ---- garbage -----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("fuzzVariantsAndSeeds")
    void randomGarbageEndsOnlyInAProtocolErrorWithinTheLimit(C config, long seed) {
        Protocol protocol = protocol(config);
        Random rnd = new Random(seed);
        int limit = limit(config);
        int rejected = 0;
        for (int iteration = 0; iteration < FUZZ_ITERATIONS; iteration++) {
            byte[] garbage = garbage(config, rnd, iteration);
            int readBufferSize = rnd.nextBoolean() ? 256 : 4096;
            ProtocolDriver driver = new ProtocolDriver(protocol, readBufferSize, (c, ctx, p) -> { });
            int[] chunks = randomChunks(rnd, garbage.length);
            String where = "seed " + seed + " (replay with -Dgev.test.seed=" + seed + "), iteration " + iteration
                    + ", " + garbage.length + " bytes, read buffer " + readBufferSize;
            try {
                int off = 0;
                for (int chunk : chunks) {
                    driver.read(garbage, off, chunk);
                    off += chunk;
                    assertTrue(driver.buffered() <= limit, where + ": " + driver.buffered()
                            + " bytes held for an incomplete frame exceed the limit " + limit);
                }
            } catch (ProtocolException expected) {
                rejected++;
                assertNotNull(expected.getMessage(), where);
            } catch (AssertionError e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError(where + ": only a ProtocolException may escape, got " + t, t);
            }
            assertTrue(driver.maxPayload() <= limit, where + ": payload of " + driver.maxPayload()
                    + " bytes exceeds the limit " + limit);
            // The connection's ring holds at most the limit plus one read: memory follows the
            // protocol's limit, not the length of the garbage.
            assertTrue(driver.bufferCapacity() <= Math.max(4096, 4 * (limit + readBufferSize)),
                    where + ": the connection's ring grew to " + driver.bufferCapacity());
        }
        assertTrue(rejected > 0, "seed " + seed + ": no garbage was rejected");
    }

    /** Mostly valid streams with a few bytes changed, some pure noise, some cut or spliced. */
    private byte[] garbage(C config, Random rnd, int iteration) {
        int kind = iteration % 4;
        if (kind == 0) {
            byte[] noise = new byte[rnd.nextInt(3 * limit(config))];
            rnd.nextBytes(noise);
            return noise;
        }
        List<Object> messages = messages(config, rnd, 1 + rnd.nextInt(6), Math.min(300, maxMessage(config)));
        byte[] stream = encode(protocol(config), messages);
        if (kind == 1) {
            for (int flips = 1 + rnd.nextInt(4); flips > 0 && stream.length > 0; flips--) {
                stream[rnd.nextInt(stream.length)] = (byte) rnd.nextInt(256);
            }
            return stream;
        }
        byte[] noise = new byte[1 + rnd.nextInt(64)];
        rnd.nextBytes(noise);
        int at = rnd.nextInt(stream.length + 1);
        byte[] spliced = new byte[stream.length + noise.length];
        System.arraycopy(stream, 0, spliced, 0, at);
        System.arraycopy(noise, 0, spliced, at, noise.length);
        System.arraycopy(stream, at, spliced, at + noise.length, stream.length - at);
        return kind == 2 ? spliced : Arrays.copyOf(spliced, rnd.nextInt(spliced.length + 1));
    }

    // ---- bad input ---------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputSource")
    void badInputIsRejectedWithoutAllocatingForIt(BadInput<C> bad) {
        ProtocolDriver driver = new ProtocolDriver(protocol(bad.config()), 64 * 1024, (c, ctx, p) -> { });
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        ProtocolException e = assertThrows(ProtocolException.class, () -> driver.read(bad.bytes()));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(e.getMessage().contains(bad.reason()), "message: " + e.getMessage());
        // An exception with its stack trace and message costs a few KiB; a bogus length costs nothing.
        assertTrue(allocated < 64 * 1024, "rejecting " + bad + " allocated " + allocated + " bytes");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badInputsOnBothTransports")
    void badInputClosesOnlyItsConnectionWithALogLineAndAMetric(Transport transport, BadInput<C> bad) throws Exception {
        C config = bad.config();
        Protocol protocol = protocol(config);
        byte[] good = encode(protocol, List.of(message(config, new Random(5), 10)));
        Server server = startEchoServer(config, transport);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new GevMetrics(server).bindTo(registry);
        try (TestClient other = TestClient.connect(server); LogCapture log = LogCapture.start()) {
            other.write(good);
            assertArrayEquals(good, other.readExactly(good.length));
            try (TestClient offender = TestClient.connect(server)) {
                int peerPort = offender.socket().getLocalPort();
                offender.write(bad.bytes());
                assertTrue(offender.awaitClosed(), "the connection sending " + bad + " was not closed");
                String line = log.awaitLine("peer=/127.0.0.1:" + peerPort, "protocol error: ");
                assertTrue(line.contains(bad.reason()), "the log line names the reason: " + line);
            }
            other.write(good);
            assertArrayEquals(good, other.readExactly(good.length), "another connection is unaffected");
            await("1 protocol-error close", () -> server.stats().closedConnections(CloseReason.PROTOCOL_ERROR) == 1);
            FunctionCounter closed = registry.find("gev.connections.closed").tag("reason", "protocol-error")
                    .functionCounter();
            assertNotNull(closed, "no gev.connections.closed{reason=protocol-error}");
            assertEquals(1.0, closed.count());
            assertEquals(1, server.stats().activeConnections());
        } finally {
            server.stop(Duration.ZERO);
        }
    }

    // ---- end to end --------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void echoesFramesWrittenInRandomSplitsThroughARealServer(Transport transport) throws Exception {
        long seed = REPLAY_SEED != null ? REPLAY_SEED : 6;
        Random rnd = new Random(seed);
        for (C config : variants()) {
            Protocol protocol = protocol(config);
            int large = Math.min(LARGE, maxMessage(config));
            List<Object> messages = messages(config, rnd, 300, 2000);
            messages.add(rnd.nextInt(messages.size()), message(config, rnd, large));
            messages.add(rnd.nextInt(messages.size()), message(config, rnd, large - 1));
            byte[] stream = encode(protocol, messages);
            int[] chunks = randomChunks(rnd, stream.length, MIXED);
            Server server = startEchoServer(config, transport);
            try (TestClient client = TestClient.connect(server)) {
                CompletableFuture<Void> written =
                        CompletableFuture.runAsync(() -> writeInChunks(client, stream, chunks));
                byte[] echoed = client.readExactly(stream.length);
                written.get(10, TimeUnit.SECONDS);
                assertTrue(Arrays.equals(stream, echoed), protocol + ", seed " + seed + " (replay with -Dgev.test.seed="
                        + seed + "): the echo differs at byte " + Arrays.mismatch(stream, echoed));
                await(messages.size() + " frames decoded", () -> server.stats().messagesIn() == messages.size());
            } finally {
                server.stop(Duration.ZERO);
            }
        }
    }

    /** A server on a free port of 127.0.0.1 that replies with {@link #echo}. */
    private Server startEchoServer(C config, Transport transport) {
        Server server = Server.builder((c, ctx, p) -> echo(config, c, ctx, p)).address("127.0.0.1").port(0).loops(2)
                .transport(transport).daemonThreads(true).protocol(protocol(config)).build();
        server.start();
        return server;
    }

    private static void writeInChunks(TestClient client, byte[] stream, int[] chunks) {
        try {
            OutputStream out = client.socket().getOutputStream();
            int off = 0;
            for (int chunk : chunks) {
                out.write(stream, off, chunk);
                out.flush();
                off += chunk;
            }
        } catch (Exception e) {
            throw new IllegalStateException("writing failed", e);
        }
    }

    // ---- allocation --------------------------------------------------------------------------

    /** Whether decoding, and packing byte[] and ByteBuffer messages, allocate nothing per frame. */
    protected boolean allocationFree() {
        return true;
    }

    /** Decodes and packs messages many times; once warm, the test thread must allocate nothing. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variantSource")
    void decodingAndPackingAllocateNothingPerFrame(C config) {
        assumeTrue(allocationFree(), "this protocol allocates per frame by design");
        Protocol protocol = protocol(config);
        Random rnd = new Random(7);
        List<Object> messages = new ArrayList<>();
        while (messages.size() < 50) {
            Object m = message(config, rnd, rnd.nextInt(Math.min(3000, maxMessage(config)) + 1));
            // Text is encoded first, which allocates.
            if (!(m instanceof CharSequence)) {
                messages.add(m);
            }
        }
        int[] positions = messages.stream().mapToInt(m -> m instanceof ByteBuffer b ? b.position() : 0).toArray();
        byte[] stream = encode(protocol, messages);
        RingBuffer out = RingBuffer.allocateDirect(64 * 1024);
        long[] sum = new long[1];
        ProtocolDriver driver = new ProtocolDriver(protocol, 4096, (c, ctx, p) -> sum[0] += p.remaining());
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocated = 0;
        for (int round = 0; round < 400; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < stream.length; i += 1000) {
                driver.read(stream, i, Math.min(1000, stream.length - i));
            }
            out.reset();
            for (int i = 0; i < messages.size(); i++) {
                Object m = messages.get(i);
                if (m instanceof ByteBuffer b) {
                    b.position(positions[i]);
                }
                protocol.pack(driver.connection(), m, out);
            }
            long spent = threads.getCurrentThreadAllocatedBytes() - before;
            if (round >= 200) {
                allocated += spent;
            }
        }
        long frames = 200L * messages.size();
        assertTrue(sum[0] > 0);
        assertTrue(allocated < frames, protocol + " allocated " + allocated + " bytes over " + frames
                + " frames decoded and packed once warm");
    }

    // ---- helpers -----------------------------------------------------------------------------

    protected final List<Object> messages(C config, Random rnd, int count, int maxSize) {
        int max = Math.min(maxSize, maxMessage(config));
        List<Object> messages = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int size = rnd.nextInt(4) == 0 ? rnd.nextInt(max + 1) : rnd.nextInt(Math.min(max, 64) + 1);
            messages.add(message(config, rnd, size));
        }
        return messages;
    }

    private List<Received> expected(C config, List<Object> messages) {
        List<Received> expected = new ArrayList<>(messages.size());
        for (Object m : messages) {
            expected.add(received(config, m));
        }
        return expected;
    }

    /** Packs {@code messages} (consuming any ByteBuffer among them) into one stream. */
    protected static byte[] encode(Protocol protocol, List<Object> messages) {
        RingBuffer out = RingBuffer.allocate(0);
        TestConnection connection = new TestConnection();
        for (Object m : messages) {
            protocol.pack(connection, m, out);
        }
        return out.toByteArray();
    }

    /**
     * Encodes {@code messages}, reads them in chunks of the pattern's sizes with a read buffer of
     * {@code readBufferSize} bytes ({@link #ONE_READ}: as large as the stream) and checks the
     * frames decoded.
     */
    private void assertDecodes(C config, List<Object> messages, int readBufferSize, int[] chunkPattern,
                               String what) {
        Protocol protocol = protocol(config);
        List<Received> expected = expected(config, messages);
        byte[] stream = encode(protocol, messages);
        int size = readBufferSize == ONE_READ ? Math.max(256, stream.length) : readBufferSize;
        assertFrames(expected, decode(protocol, stream, size, repeat(chunkPattern, stream.length)), what);
    }

    /** Feeds {@code stream} to a fresh connection as reads of the given sizes. */
    protected final List<Received> decode(Protocol protocol, byte[] stream, int readBufferSize, int[] chunks) {
        List<Received> got = new ArrayList<>();
        ProtocolDriver driver =
                new ProtocolDriver(protocol, readBufferSize, (c, ctx, p) -> got.add(capture(c, ctx, p)));
        int off = 0;
        for (int chunk : chunks) {
            driver.read(stream, off, chunk);
            off += chunk;
        }
        assertEquals(stream.length, off, "the chunks cover the stream");
        assertEquals(0, driver.buffered(), "bytes left after the last frame");
        return got;
    }

    protected static void assertFrames(List<Received> expected, List<Received> got, String what) {
        int n = Math.min(expected.size(), got.size());
        for (int i = 0; i < n; i++) {
            assertEquals(expected.get(i), got.get(i), what + ": frame " + i + " of " + expected.size());
        }
        assertEquals(expected.size(), got.size(), what + ": number of frames");
    }

    /** Chunk sizes covering {@code length}: {@code pattern} repeated, the last one cut to fit. */
    private static int[] repeat(int[] pattern, int length) {
        List<Integer> chunks = new ArrayList<>();
        for (int off = 0, i = 0; off < length; i++) {
            int n = Math.max(1, Math.min(pattern[i % pattern.length], length - off));
            chunks.add(n);
            off += n;
        }
        return chunks.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Chunk sizes covering {@code length} in one of a few styles: tiny, small, large or mixed. */
    protected static int[] randomChunks(Random rnd, int length) {
        return randomChunks(rnd, length, rnd.nextInt(4));
    }

    /** Chunk sizes covering {@code length}: tiny (0), small (1), large (2) or mixed. */
    private static int[] randomChunks(Random rnd, int length, int style) {
        List<Integer> chunks = new ArrayList<>();
        for (int off = 0; off < length; ) {
            int bound;
            switch (style) {
                case 0:
                    bound = 3;
                    break;
                case 1:
                    bound = 64;
                    break;
                case 2:
                    bound = 100_000;
                    break;
                default:
                    bound = rnd.nextBoolean() ? 8 : 1 << rnd.nextInt(18);
            }
            int n = Math.min(1 + rnd.nextInt(bound), length - off);
            chunks.add(n);
            off += n;
        }
        return chunks.stream().mapToInt(Integer::intValue).toArray();
    }

    protected static byte[] randomBytes(Random rnd, int size) {
        byte[] bytes = new byte[size];
        rnd.nextBytes(bytes);
        return bytes;
    }
}
