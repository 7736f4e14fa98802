package io.gev.testing;

import io.gev.CloseReason;
import io.gev.Connection;
import io.gev.Handler;
import io.gev.Server;
import io.gev.TlsOptions;
import io.gev.buffer.Buffers;
import io.gev.embedded.EmbeddedConnection;
import io.gev.embedded.EmbeddedServer;
import io.gev.embedded.EmbeddedServer.Polling;
import io.gev.embedded.EmbeddedTlsClient;
import io.gev.embedded.Segmentation;
import io.gev.embedded.WriteAcceptance;
import io.gev.loop.Transport;
import io.gev.metrics.GevMetrics;
import io.gev.protocol.Protocol;
import io.gev.protocol.ProtocolException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static io.gev.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every framing protocol must show, run by each protocol's test on its own variants, through
 * gev's real data path: an {@link EmbeddedServer} runs the real connection, the loop's read buffer
 * and buffer pool and the real write path, the protocol under test and a handler that records
 * the frames of each connection (and echoes them, in the echo cases). The cases: frames delivered
 * byte by byte, coalesced in one read, split at every offset and at random offsets, larger than
 * the loop's read buffer; random frame sequences cut at random while the socket takes random
 * amounts of each write, echoed byte for byte, over plain sockets, over TLS and on connections
 * interleaved on one loop; random garbage that only ever ends in a {@link ProtocolException} with
 * memory bounded by the protocol's limit; bad input rejected without allocating for bogus lengths;
 * no allocation per frame once warm; and the same through a real server and socket on both
 * transports, where bad input closes only its connection, is logged with the peer and counted as
 * {@code reason=protocol-error}.
 *
 * <p>The contract runs on configurations of type {@code C}, from which the test {@link #build builds}
 * protocols and knows, independently of the protocol, how it frames messages; {@code M} is what
 * those protocols decode, the handler's message type. For a protocol that decodes something other
 * than a {@link ByteBuffer}, the test says what a handler {@link #capture captured} and how large a
 * decoded message is ({@link #size}). A protocol whose
 * clients speak differently from its server (WebSocket: an HTTP upgrade first, masked frames)
 * overrides {@link #server}, {@link #encode(Object, List)}, {@link #expectedEcho},
 * {@link #opening}, {@link #answerLength}, {@link #goodbye} and {@link #checkGoodbyeAnswer}.
 *
 * <p>Every embedded server runs on the test's thread; each test makes its own, so that a seed
 * replays alone exactly as it ran among the others. The TLS cases use {@link TestCertificates}.
 *
 * <p>Random cases come from seeded generators; a failure names its seed, and
 * {@code -Dgev.test.seed=N} runs only that seed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class ProtocolContract<C, M> {

    private static final Long REPLAY_SEED = Long.getLong("gev.test.seed");
    /** Random-split tries per seed; ten seeds make thousands of tries per variant. */
    private static final int TRIES_PER_SEED = 200;
    /** Echoed streams per seed with random write acceptance and a goodbye. */
    private static final int ECHO_TRIES_PER_SEED = 40;
    /** TLS connections per seed: each costs a handshake of several milliseconds. */
    private static final int TLS_TRIES_PER_SEED = 2;
    /** Connections interleaved on one loop per seed. */
    private static final int INTERLEAVED_CONNECTIONS = 4;
    /** Garbage streams per seed. */
    private static final int FUZZ_ITERATIONS = 400;
    /** The largest message of the big-frame and end-to-end cases. */
    private static final int LARGE = 200 * 1024;
    /** The chunk style of the sockets: tiny and large writes mixed (all tiny would take long). */
    private static final int MIXED = 3;
    /** A read buffer size: as large as the stream, so that it arrives in one read. */
    private static final int ONE_READ = -1;
    /** The read buffer sizes of the random cases: the smallest gev allows, a small one, the default. */
    private static final int[] READ_BUFFER_SIZES = {256, 1024, 64 * 1024};

    private final Map<C, Protocol<M>> protocols = new HashMap<>();
    /** One embedded connection per protocol that packs what {@link #encode(Protocol, List)} is given. */
    private final Map<Protocol<?>, EmbeddedConnection> packers = new IdentityHashMap<>();
    private final List<EmbeddedServer> packerServers = new ArrayList<>();
    private SSLContext tlsClientContext;

    /**
     * What a handler got for one frame: the context, the bytes of the message (a copy) and, for a
     * protocol that decodes objects, the decoded message.
     */
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
    protected abstract Protocol<M> build(C config);

    /** Configurations to run the contract on. */
    protected abstract List<C> variants();

    /** Configurations with small limits, so that random garbage often looks like a frame. */
    protected abstract List<C> fuzzVariants();

    /** The largest message {@link #message} may be asked for. */
    protected abstract int maxMessage(C config);

    /**
     * The bound on the {@link #size} of a message handed out and on the bytes held for an
     * incomplete frame that the protocol must keep, whatever it receives.
     */
    protected abstract int limit(C config);

    /** A random message of {@code size} payload bytes (about, for structured messages) to send. */
    protected abstract Object message(C config, Random rnd, int size);

    /** What a handler gets for {@code message}, computed independently of the protocol. */
    protected abstract Received received(C config, Object message);

    /** Bytes the protocol must reject (after the {@link #opening}), each case with its configuration. */
    protected abstract List<BadInput<C>> badInputs();

    /**
     * What the tests record for a frame: by default the context and a copy of the message, which
     * must then be a {@link ByteBuffer}.
     */
    protected Received capture(Connection connection, Object context, M message) {
        return new Received(context, Buffers.copy(bytes(message)));
    }

    /**
     * The size of a decoded message, held against the {@link #limit}: by default the bytes
     * remaining in the message, which must then be a {@link ByteBuffer}.
     */
    protected int size(M message) {
        return bytes(message).remaining();
    }

    private static ByteBuffer bytes(Object message) {
        if (message instanceof ByteBuffer b) {
            return b;
        }
        throw new IllegalStateException("the test of a protocol decoding " + message.getClass().getName()
                + " overrides capture and size");
    }

    /**
     * The reply of the echo servers, which must pack to the bytes {@link #expectedEcho} says: the
     * message itself by default.
     */
    protected Object echo(C config, Connection connection, Object context, M message) {
        return message;
    }

    /** A server builder of {@code config} whose frames go to {@code handler}; sets nothing else. */
    protected Server.Builder server(C config, Handler<M> handler) {
        return Server.builder(protocol(config), handler);
    }

    /**
     * The bytes a client sends for {@code messages} on one connection (consuming any ByteBuffer
     * among them); by default what the protocol packs, through a real connection.
     */
    protected byte[] encode(C config, List<Object> messages) {
        return encode(protocol(config), messages);
    }

    /**
     * What the echo server answers to {@code messages}, sent as {@code stream} ({@link #encode}
     * made it, which may have consumed the messages' buffers): the stream itself by default.
     */
    protected byte[] expectedEcho(C config, List<Object> messages, byte[] stream) {
        return stream;
    }

    /** What a client sends first on every connection, before any message (an upgrade request): nothing by default. */
    protected byte[] opening(C config) {
        return new byte[0];
    }

    /**
     * Checks the server's answer to the {@link #opening} at the start of {@code received}.
     *
     * @return the length of the answer, or -1 while it is incomplete
     */
    protected int answerLength(C config, byte[] received) {
        return 0;
    }

    /**
     * What a client ends a connection with (a WebSocket close frame), after which the server
     * closes; {@code null} (the default) to half-close, after which it closes too, once its
     * replies are out.
     */
    protected byte[] goodbye(C config) {
        return null;
    }

    /** Checks what the server answered to the {@link #goodbye}: nothing, by default. */
    protected void checkGoodbyeAnswer(C config, byte[] answer) {
        assertEquals(0, answer.length, "the server answered the end of the stream");
    }

    /**
     * Whether random bytes may close a connection cleanly ({@link CloseReason#LOCAL}) rather than
     * with a protocol error: a protocol with a close handshake may find a valid goodbye in them.
     */
    protected boolean garbageMayCloseCleanly(C config) {
        return false;
    }

    // ---- sources -----------------------------------------------------------------------------

    private static LongStream seeds() {
        return REPLAY_SEED != null ? LongStream.of(REPLAY_SEED) : LongStream.range(1, 11);
    }

    /** The protocol of {@code config}, built once. */
    protected final Protocol<M> protocol(C config) {
        return protocols.computeIfAbsent(config, this::build);
    }

    /** How test names show {@code config}: its protocol by default. */
    protected String describe(C config) {
        return protocol(config).toString();
    }

    private Named<C> named(C config) {
        return Named.of(describe(config), config);
    }

    Stream<Named<C>> variantSource() {
        return variants().stream().map(this::named);
    }

    /** The variants, or none for a protocol that allocates per frame by design. */
    Stream<Named<C>> allocationFreeVariantSource() {
        return allocationFree() ? variantSource() : Stream.empty();
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

    @AfterAll
    void closePackers() {
        packers.clear();
        packerServers.forEach(EmbeddedServer::close);
        packerServers.clear();
    }

    // ---- decoding ----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("variantSource")
    void decodesFramesDeliveredByteByByte(C config) {
        assertDecodes(config, messages(config, new Random(1), 40, 300), 256, Segmentation.byteByByte(),
                "byte by byte");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variantSource")
    void decodesManyFramesCoalescedInOneRead(C config) {
        assertDecodes(config, messages(config, new Random(2), 2000, 100), ONE_READ, Segmentation.whole(), "one read");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variantSource")
    void decodesFramesSplitAtEveryOffset(C config) {
        int[][] sequences = {{0}, {5}, {0, 1, 0}, {3, 40, 1, 0, 300}};
        Random rnd = new Random(3);
        try (Rig rig = new Rig(config)) {
            for (int[] sizes : sequences) {
                List<Object> messages = new ArrayList<>();
                for (int size : sizes) {
                    messages.add(message(config, rnd, Math.min(size, maxMessage(config))));
                }
                List<Received> expected = expected(config, messages);
                byte[] stream = encode(config, messages);
                for (int readBufferSize : new int[] {256, 64 * 1024}) {
                    for (int at = 0; at <= stream.length; at++) {
                        List<Received> got = rig.decode(stream, readBufferSize, Polling.EDGE_TRIGGERED,
                                Segmentation.at(at));
                        assertFrames(expected, got, "sizes " + Arrays.toString(sizes) + " split at " + at
                                + " of " + stream.length + ", read buffer " + readBufferSize);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("variantsAndSeeds")
    void decodesFramesSplitAtRandomOffsets(C config, long seed) {
        Random rnd = new Random(seed);
        try (Rig rig = new Rig(config)) {
            for (int attempt = 0; attempt < TRIES_PER_SEED; attempt++) {
                List<Object> messages = messages(config, rnd, 1 + rnd.nextInt(12), rnd.nextInt(10) == 0 ? 20_000 : 300);
                List<Received> expected = expected(config, messages);
                byte[] stream = encode(config, messages);
                int readBufferSize = READ_BUFFER_SIZES[rnd.nextInt(READ_BUFFER_SIZES.length)];
                Polling polling = rnd.nextBoolean() ? Polling.EDGE_TRIGGERED : Polling.LEVEL_TRIGGERED;
                int[] chunks = randomChunks(rnd, stream.length);
                try {
                    assertFrames(expected, rig.decode(stream, readBufferSize, polling, cuts(chunks)), "");
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError("seed " + seed + " (replay with -Dgev.test.seed=" + seed + "), try "
                            + attempt + ", " + messages.size() + " messages in " + stream.length + " bytes, read "
                            + "buffer " + readBufferSize + ", " + polling + ", chunks " + Arrays.toString(chunks) + ": "
                            + e, e);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variantSource")
    void decodesFramesLargerThanTheReadBuffer(C config) {
        Random rnd = new Random(4);
        int large = Math.min(LARGE, maxMessage(config));
        List<Object> messages = new ArrayList<>();
        for (int size : new int[] {large, 3, large - 1, 0, large / 2, large}) {
            messages.add(message(config, rnd, size));
        }
        // The read buffer is at least 256 bytes: pick one a third of the largest frame.
        int readBufferSize = Math.max(256, Math.min(64 * 1024, large / 3));
        assertDecodes(config, messages, readBufferSize, Segmentation.pattern(readBufferSize * 2 + 17, 1, 5000),
                "frames of " + large + " bytes, read buffer " + readBufferSize);
    }

    // ---- echo --------------------------------------------------------------------------------

    /**
     * Random frame sequences, cut at random, while the socket takes random amounts of each write
     * (nothing, a byte, part, all): every frame reaches the handler once and in order, the echo
     * comes back byte for byte, and the connection ends cleanly on the client's {@link #goodbye}.
     */
    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("variantsAndSeeds")
    void echoesRandomFrameSequencesCutAtRandomWithRandomWriteAcceptance(C config, long seed) {
        assertEchoes(config, seed, ECHO_TRIES_PER_SEED, null);
    }

    /** The same with TLS under the protocol: the ciphertext is cut at random, records of random sizes. */
    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("variantsAndSeeds")
    void echoesRandomFrameSequencesOverTls(C config, long seed) {
        assertEchoes(config, seed, TLS_TRIES_PER_SEED, TlsOptions.Provider.JDK);
    }

    /**
     * The same on OpenSSL's engine, whose goodbye always comes once the replies are out: on the
     * peer's close_notify that engine closes both directions, TLS 1.2's rule, so replies still
     * queued then are dropped, where the JDK's engine keeps TLS 1.3's half-close (README, TLS).
     */
    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("variantsAndSeeds")
    void echoesRandomFrameSequencesOverOpenSslTls(C config, long seed) {
        assertEchoes(config, seed, TLS_TRIES_PER_SEED, TlsOptions.Provider.OPENSSL);
    }

    /** @param provider the TLS engine under the protocol, or {@code null} for plain TCP */
    private void assertEchoes(C config, long seed, int tries, TlsOptions.Provider provider) {
        Random rnd = new Random(seed);
        boolean tls = provider != null;
        try (Rig rig = new Rig(config).tlsProvider(provider)) {
            for (int attempt = 0; attempt < tries; attempt++) {
                int readBufferSize = READ_BUFFER_SIZES[rnd.nextInt(READ_BUFFER_SIZES.length)];
                Polling polling = rnd.nextBoolean() ? Polling.EDGE_TRIGGERED : Polling.LEVEL_TRIGGERED;
                List<Object> messages = messages(config, rnd, 1 + rnd.nextInt(12), rnd.nextInt(10) == 0 ? 20_000 : 300);
                List<Received> expected = expected(config, messages);
                byte[] stream = encode(config, messages);
                byte[] echo = expectedEcho(config, messages, stream);
                // Byte by byte with TLS costs a read event per byte of ciphertext: not for large streams.
                int style = rnd.nextInt(tls && stream.length > 4096 ? 4 : 5);
                int[] chunks = style == 4 ? ones(stream.length) : randomChunks(rnd, stream.length, style);
                long acceptance = rnd.nextLong();
                // A TLS client may send everything right behind its Finished, without waiting.
                boolean early = tls && rnd.nextInt(3) == 0;
                // The goodbye may come while replies still wait for the socket (but on OpenSSL's engine).
                boolean flushFirst = provider == TlsOptions.Provider.OPENSSL || rnd.nextBoolean();
                String where = "seed " + seed + " (replay with -Dgev.test.seed=" + seed + "), try " + attempt + ", "
                        + messages.size() + " messages in " + stream.length + " bytes, read buffer " + readBufferSize
                        + ", " + polling + (tls ? ", TLS" : "") + (early ? " with the data behind the Finished" : "")
                        + (flushFirst ? "" : ", goodbye with replies queued") + ", chunks " + Arrays.toString(chunks);
                Peer peer = null;
                try {
                    Random writes = new Random(acceptance);
                    ByteArrayOutputStream received = new ByteArrayOutputStream();
                    if (early) {
                        byte[] opening = opening(config);
                        byte[] all = Arrays.copyOf(opening, opening.length + stream.length);
                        System.arraycopy(stream, 0, all, opening.length, stream.length);
                        peer = rig.connect(readBufferSize, polling, true, true, rnd, all);
                        peer.connection().acceptWrites(WriteAcceptance.random(writes));
                        byte[] got = peer.received();
                        int answer = answerLength(config, got);
                        assertTrue(answer >= 0, "no whole answer to the opening in " + got.length + " bytes");
                        received.write(got, answer, got.length - answer);
                    } else {
                        peer = rig.open(readBufferSize, polling, tls, true, rnd);
                        EmbeddedConnection c = peer.connection();
                        c.acceptWrites(WriteAcceptance.random(writes));
                        peer.send(stream, observed(cuts(chunks), () -> {
                            assertTrue(c.connection().readBufferLength() <= limit(config), c.connection()
                                    .readBufferLength() + " bytes held for an incomplete frame exceed the limit "
                                    + limit(config));
                            if (writes.nextInt(4) == 0) {
                                c.writable(); // the peer read meanwhile
                            }
                        }));
                    }
                    EmbeddedConnection c = peer.connection();
                    assertTrue(c.isOpen(), "closed: " + c.closeReason() + ", " + c.closeCause());
                    assertFrames(expected, rig.frames(c), "frames");
                    assertEquals(messages.size(), rig.count(c), "frames handled");
                    assertEquals(0, c.connection().readBufferLength(), "bytes left after the last frame");
                    assertEquals(0, c.readRingCapacity(), "a connection without a partial frame holds no ring");
                    if (flushFirst) {
                        c.flush();
                        received.writeBytes(peer.received());
                        assertBytes(echo, received.toByteArray(), "echo");
                    }

                    byte[] bye = goodbye(config);
                    if (bye == null) {
                        peer.end();
                    } else {
                        peer.send(bye, cuts(randomChunks(rnd, bye.length)));
                    }
                    c.flush();
                    received.writeBytes(peer.received());
                    byte[] all = received.toByteArray();
                    if (bye == null && !flushFirst && peer instanceof TlsPeer p && p.closesBothWays()) {
                        // The server must answer a TLS 1.2 close_notify at once, dropping what it
                        // had not encrypted yet (RFC 5246, 7.2.1): part of the echo may be missing.
                        assertBytes(Arrays.copyOf(echo, Math.min(all.length, echo.length)), all, "echo");
                    } else {
                        assertBytes(echo, Arrays.copyOf(all, Math.min(all.length, echo.length)), "echo");
                        checkGoodbyeAnswer(config, Arrays.copyOfRange(all, Math.min(all.length, echo.length),
                                all.length));
                    }
                    assertFalse(c.isOpen(), "the connection outlived the goodbye");
                    assertTrue(c.closeReason() == CloseReason.PEER || c.closeReason() == CloseReason.LOCAL,
                            "closed with " + c.closeReason() + ", " + c.closeCause());
                    assertTrue(c.socketClosed(), "the socket outlived the connection");
                    assertEquals(0, rig.buffersLent(), "buffers still lent once the connection closed");
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError(where + (peer == null ? "" : ", " + peer) + ": " + e, e);
                }
            }
        }
    }

    /**
     * Connections whose segments take turns on one loop, so that each read lands in the loop's
     * buffer right after another connection's: no connection sees another's bytes or state.
     */
    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("variantsAndSeeds")
    void connectionsInterleavedOnOneLoopKeepTheirOwnState(C config, long seed) {
        Random rnd = new Random(seed);
        try (Rig rig = new Rig(config)) {
            int readBufferSize = READ_BUFFER_SIZES[rnd.nextInt(READ_BUFFER_SIZES.length)];
            Polling polling = rnd.nextBoolean() ? Polling.EDGE_TRIGGERED : Polling.LEVEL_TRIGGERED;
            int n = INTERLEAVED_CONNECTIONS;
            Peer[] peers = new Peer[n];
            byte[][] streams = new byte[n][];
            byte[][] echoes = new byte[n][];
            List<List<Received>> expected = new ArrayList<>();
            int[][] chunks = new int[n][];
            int[] next = new int[n];
            int[] offsets = new int[n];
            for (int i = 0; i < n; i++) {
                List<Object> messages = messages(config, rnd, 1 + rnd.nextInt(10), rnd.nextInt(4) == 0 ? 20_000 : 300);
                expected.add(expected(config, messages));
                streams[i] = encode(config, messages);
                echoes[i] = expectedEcho(config, messages, streams[i]);
                chunks[i] = randomChunks(rnd, streams[i].length, rnd.nextInt(3));
                peers[i] = rig.open(readBufferSize, polling, false, true, rnd);
                peers[i].connection().acceptWrites(WriteAcceptance.random(new Random(rnd.nextLong())));
            }
            String where = "seed " + seed + " (replay with -Dgev.test.seed=" + seed + "), read buffer "
                    + readBufferSize + ", " + polling;
            for (int left = n; left > 0; ) {
                int i = rnd.nextInt(n);
                if (next[i] == chunks[i].length) {
                    continue;
                }
                int size = chunks[i][next[i]++];
                peers[i].connection().receive(streams[i], offsets[i], size);
                offsets[i] += size;
                if (next[i] == chunks[i].length) {
                    left--;
                }
            }
            for (int i = 0; i < n; i++) {
                EmbeddedConnection c = peers[i].connection();
                c.flush();
                assertTrue(c.isOpen(), where + ", connection " + i + " closed: " + c.closeReason() + ", "
                        + c.closeCause());
                assertFrames(expected.get(i), rig.frames(c), where + ", connection " + i);
                assertBytes(echoes[i], peers[i].received(), where + ", echo of connection " + i);
            }
        }
    }

    // ---- garbage -----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("fuzzVariantsAndSeeds")
    void randomGarbageEndsOnlyInAProtocolErrorWithinTheLimit(C config, long seed) {
        Random rnd = new Random(seed);
        int limit = limit(config);
        int rejected = 0;
        try (Rig rig = new Rig(config)) {
            for (int iteration = 0; iteration < FUZZ_ITERATIONS; iteration++) {
                byte[] garbage = garbage(config, rnd, iteration);
                int readBufferSize = rnd.nextBoolean() ? 256 : 4096;
                int[] chunks = randomChunks(rnd, garbage.length);
                String where = "seed " + seed + " (replay with -Dgev.test.seed=" + seed + "), iteration " + iteration
                        + ", " + garbage.length + " bytes, read buffer " + readBufferSize;
                Peer peer = rig.open(readBufferSize, Polling.EDGE_TRIGGERED, false, false, rnd);
                EmbeddedConnection c = peer.connection();
                int[] ringCapacity = {0};
                Runnable check = () -> {
                    int held = c.connection().readBufferLength();
                    assertTrue(held <= limit, where + ": " + held
                            + " bytes held for an incomplete frame exceed the limit " + limit);
                    ringCapacity[0] = Math.max(ringCapacity[0], c.readRingCapacity());
                };
                peer.send(garbage, observed(cuts(chunks), check));
                if (!c.isOpen()) {
                    if (c.closeReason() == CloseReason.PROTOCOL_ERROR
                            && c.closeCause() instanceof ProtocolException e) {
                        rejected++;
                        assertNotNull(e.getMessage(), where);
                    } else if (!(c.closeReason() == CloseReason.LOCAL && garbageMayCloseCleanly(config))) {
                        throw new AssertionError(where + ": only a ProtocolException may close the connection, got "
                                + c.closeReason() + " with " + c.closeCause(), c.closeCause());
                    }
                }
                assertTrue(rig.maxPayload(c) <= limit, where + ": payload of " + rig.maxPayload(c)
                        + " bytes exceeds the limit " + limit);
                // The connection's ring holds at most the limit plus one read: memory follows the
                // protocol's limit, not the length of the garbage.
                assertTrue(ringCapacity[0] <= Math.max(4096, 4 * (limit + readBufferSize)),
                        where + ": the connection's ring grew to " + ringCapacity[0]);
                rig.forget(c);
                c.connection().close();
                assertEquals(0, rig.buffersLent(), where + ": buffers still lent once the connection closed");
            }
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
        byte[] stream = encode(config, messages);
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
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Rig rig = new Rig(bad.config())) {
            // Once before measuring, so that the measure sees what rejecting costs, not class loading.
            Peer warm = rig.open(64 * 1024, Polling.EDGE_TRIGGERED, false, false, null);
            warm.send(bad.bytes(), Segmentation.whole());
            assertProtocolError(warm.connection(), bad.reason());
            Peer peer = rig.open(64 * 1024, Polling.EDGE_TRIGGERED, false, false, null);
            long before = threads.getCurrentThreadAllocatedBytes();
            peer.send(bad.bytes(), Segmentation.whole());
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertProtocolError(peer.connection(), bad.reason());
            // An exception with its stack trace and message costs a few KiB; a bogus length costs nothing.
            assertTrue(allocated < 64 * 1024, "rejecting " + bad + " allocated " + allocated + " bytes");
            assertEquals(0, rig.buffersLent(), "buffers still lent once the connection closed");
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badInputsOnBothTransports")
    void badInputClosesOnlyItsConnectionWithALogLineAndAMetric(Transport transport, BadInput<C> bad) throws Exception {
        C config = bad.config();
        // The same message twice on one connection, whose second may differ from the first on the
        // wire (a compression context carried over): the bytes of both, then of the first alone.
        byte[] both = encode(config, List.of(goodMessage(config), goodMessage(config)));
        byte[] bothEchoed = expectedEcho(config, List.of(goodMessage(config), goodMessage(config)), both);
        byte[] good = encode(config, List.of(goodMessage(config)));
        byte[] goodEcho = expectedEcho(config, List.of(goodMessage(config)), good);
        assertArrayEquals(good, Arrays.copyOf(both, good.length), "the first message is sent alike alone");
        byte[] goodAgain = Arrays.copyOfRange(both, good.length, both.length);
        byte[] goodEchoAgain = Arrays.copyOfRange(bothEchoed, goodEcho.length, bothEchoed.length);
        Server server = startEchoServer(config, transport, new AtomicLong());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new GevMetrics(server).bindTo(registry);
        try (TestClient other = TestClient.connect(server); LogCapture log = LogCapture.start()) {
            open(config, other);
            other.write(good);
            assertArrayEquals(goodEcho, other.readExactly(goodEcho.length));
            try (TestClient offender = TestClient.connect(server)) {
                int peerPort = offender.socket().getLocalPort();
                open(config, offender);
                offender.write(bad.bytes());
                assertTrue(offender.awaitClosed(), "the connection sending " + bad + " was not closed");
                String line = log.awaitLine("peer=/127.0.0.1:" + peerPort, "protocol error: ");
                assertTrue(line.contains(bad.reason()), "the log line names the reason: " + line);
            }
            other.write(goodAgain);
            assertArrayEquals(goodEchoAgain, other.readExactly(goodEchoAgain.length),
                    "another connection is unaffected");
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

    /** A message made afresh on each call, always the same. */
    private Object goodMessage(C config) {
        return message(config, new Random(5), 10);
    }

    // ---- end to end --------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void echoesFramesWrittenInRandomSplitsThroughARealServer(Transport transport) throws Exception {
        long seed = REPLAY_SEED != null ? REPLAY_SEED : 6;
        Random rnd = new Random(seed);
        for (C config : variants()) {
            int large = Math.min(LARGE, maxMessage(config));
            List<Object> messages = messages(config, rnd, 300, 2000);
            messages.add(rnd.nextInt(messages.size()), message(config, rnd, large));
            messages.add(rnd.nextInt(messages.size()), message(config, rnd, large - 1));
            byte[] stream = encode(config, messages);
            byte[] echo = expectedEcho(config, messages, stream);
            int[] chunks = randomChunks(rnd, stream.length, MIXED);
            AtomicLong frames = new AtomicLong();
            Server server = startEchoServer(config, transport, frames);
            try (TestClient client = TestClient.connect(server)) {
                open(config, client);
                CompletableFuture<Void> written =
                        CompletableFuture.runAsync(() -> writeInChunks(client, stream, chunks));
                byte[] echoed = client.readExactly(echo.length);
                written.get(10, TimeUnit.SECONDS);
                assertTrue(Arrays.equals(echo, echoed), describe(config) + ", seed " + seed
                        + " (replay with -Dgev.test.seed=" + seed + "): the echo differs at byte "
                        + Arrays.mismatch(echo, echoed));
                await(messages.size() + " frames decoded", () -> frames.get() == messages.size());
            } finally {
                server.stop(Duration.ZERO);
            }
        }
    }

    /** A server on a free port of 127.0.0.1 that replies with {@link #echo} and counts frames. */
    private Server startEchoServer(C config, Transport transport, AtomicLong frames) {
        Server server = server(config, (c, ctx, p) -> {
            frames.incrementAndGet();
            return echo(config, c, ctx, p);
        }).address("127.0.0.1").port(0).loops(2).transport(transport).daemonThreads(true).build();
        server.start();
        return server;
    }

    /** Sends the {@link #opening} over a real socket and reads the server's whole answer. */
    private void open(C config, TestClient client) throws IOException {
        byte[] opening = opening(config);
        if (opening.length == 0) {
            return;
        }
        client.write(opening);
        InputStream in = client.socket().getInputStream();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        // Byte by byte, so that nothing after the answer is read.
        while (answerLength(config, answer.toByteArray()) < 0) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("the server closed before it answered the opening: " + answer);
            }
            answer.write(b);
        }
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

    /**
     * Streams frames through a real connection many times, each echoed, and sends every message
     * again; once warm, the thread running the loop must allocate nothing: not per frame, not per
     * segment, not per write.
     */
    // No invocation rather than a skipped one for protocols that allocate by design: a skip is
    // a warning in the build log, and this test does not apply to them at all.
    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("allocationFreeVariantSource")
    void decodingAndPackingAllocateNothingPerFrame(C config) {
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
        byte[] stream = encode(config, messages);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Rig rig = new Rig(config)) {
            Peer peer = rig.open(4096, Polling.EDGE_TRIGGERED, false, true, null);
            rig.recording(peer.connection()).capture = false;
            EmbeddedConnection c = peer.connection();
            Connection connection = c.connection();
            long allocated = 0;
            for (int round = 0; round < 400; round++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < stream.length; i += 1000) {
                    c.receive(stream, i, Math.min(1000, stream.length - i));
                }
                for (int i = 0; i < messages.size(); i++) {
                    Object m = messages.get(i);
                    if (m instanceof ByteBuffer b) {
                        b.position(positions[i]);
                    }
                    connection.send(m);
                }
                c.discardSent();
                long spent = threads.getCurrentThreadAllocatedBytes() - before;
                if (round >= 200) {
                    allocated += spent;
                }
            }
            long frames = 200L * messages.size();
            assertTrue(c.isOpen(), "closed: " + c.closeReason() + ", " + c.closeCause());
            assertEquals(400L * messages.size(), rig.count(c), "frames decoded");
            assertTrue(allocated < frames, describe(config) + " allocated " + allocated + " bytes over " + frames
                    + " frames decoded, echoed and packed once warm");
        }
    }

    // ---- the embedded servers ----------------------------------------------------------------

    /** What a handler saw on one connection. */
    private static final class Recording {
        final List<Received> frames = new ArrayList<>();
        final boolean echo;
        boolean capture = true;
        long count;
        int maxPayload;

        Recording(boolean echo) {
            this.echo = echo;
        }
    }

    /**
     * The client end of one embedded connection, plain or over TLS. Test thread only, like the
     * server.
     */
    private interface Peer {
        EmbeddedConnection connection();

        /** Delivers {@code bytes} (plaintext, under TLS) in the segments {@code cuts} makes. */
        void send(byte[] bytes, Segmentation cuts);

        /** What the server sent since the last call (plaintext, under TLS). */
        byte[] received();

        /** Half-closes: FIN, or TLS's close_notify. */
        void end();
    }

    private record PlainPeer(EmbeddedConnection connection) implements Peer {
        @Override
        public void send(byte[] bytes, Segmentation cuts) {
            connection.receive(bytes, cuts);
        }

        @Override
        public byte[] received() {
            return connection.takeSent();
        }

        @Override
        public void end() {
            connection.receiveEnd();
        }
    }

    private record TlsPeer(EmbeddedTlsClient client, Segmentation records) implements Peer {
        @Override
        public String toString() {
            return client.toString();
        }

        /** Whether a close_notify closes both directions: TLS 1.2 and older. */
        boolean closesBothWays() {
            return !client.session().getProtocol().equals("TLSv1.3");
        }

        @Override
        public EmbeddedConnection connection() {
            return client.connection();
        }

        @Override
        public void send(byte[] bytes, Segmentation cuts) {
            try {
                client.send(bytes, records, cuts);
            } catch (SSLException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public byte[] received() {
            try {
                return client.received();
            } catch (SSLException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void end() {
            try {
                client.closeOutbound();
            } catch (SSLException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * The embedded servers of one test, by read buffer size, polling and TLS, built from one
     * configuration (or one protocol), whose handler records the frames of each connection and
     * echoes them when asked. Connections of one server come one after another (or interleaved)
     * on its loop, sharing its read buffer and buffer pool as a real loop's connections do.
     */
    private final class Rig implements AutoCloseable {

        private final C config;
        private final Function<Handler<M>, Server.Builder> builder;
        private final Map<List<Object>, EmbeddedServer> servers = new HashMap<>();
        private final Map<Connection, Recording> recordings = new IdentityHashMap<>();
        private TlsOptions.Provider tlsProvider = TlsOptions.Provider.JDK;
        private final Handler<M> handler = (connection, context, message) -> {
            Recording r = recording(connection);
            r.count++;
            int size = message == null ? 0 : size(message);
            r.maxPayload = Math.max(r.maxPayload, size);
            if (r.capture) {
                r.frames.add(capture(connection, context, message));
            }
            return r.echo ? echo(config(), connection, context, message) : null;
        };

        Rig(C config) {
            this.config = config;
            this.builder = h -> ProtocolContract.this.server(config, h);
        }

        /** Servers of {@code protocol} alone: no opening, no echo. */
        Rig(Protocol<M> protocol) {
            this.config = null;
            this.builder = h -> Server.builder(protocol, h);
        }

        private C config() {
            if (config == null) {
                throw new IllegalStateException("a protocol without a configuration cannot echo");
            }
            return config;
        }

        /** The engine of the rig's TLS servers: the JDK's unless a test says otherwise. */
        Rig tlsProvider(TlsOptions.Provider provider) {
            if (provider != null) {
                this.tlsProvider = provider;
            }
            return this;
        }

        EmbeddedServer server(int readBufferSize, Polling polling, boolean tls) {
            return servers.computeIfAbsent(List.of(readBufferSize, polling, tls), key -> {
                Server.Builder b = builder.apply(handler).readBufferSize(readBufferSize);
                if (tls) {
                    // The JDK's engine unless a test asks for OpenSSL's: the goodbye cases rely on
                    // TLS 1.3 half-close, which OpenSSL's engine does not do.
                    b.tls(TestCertificates.get().serverOptions().provider(tlsProvider).build());
                }
                return EmbeddedServer.start(b, polling);
            });
        }

        /**
         * A new connection, its handshake cut and its TLS records sized by {@code rnd} if given,
         * {@code first} sent at once (under TLS, right behind the client's Finished).
         */
        Peer connect(int readBufferSize, Polling polling, boolean tls, boolean echo, Random rnd, byte[] first) {
            EmbeddedServer server = server(readBufferSize, polling, tls);
            Peer peer;
            Recording recording = new Recording(echo);
            if (tls) {
                try {
                    Segmentation records = rnd == null ? Segmentation.whole()
                            : Segmentation.random(new Random(rnd.nextLong()), 1 + rnd.nextInt(20_000));
                    Segmentation handshake = rnd == null ? Segmentation.whole()
                            : cuts(randomChunks(rnd, 2000, rnd.nextInt(3)));
                    // What rides behind the Finished is decoded within the handshake call.
                    // Both versions gev enables: their handshakes and record flows differ.
                    String version = rnd == null ? null : rnd.nextBoolean() ? "TLSv1.3" : "TLSv1.2";
                    EmbeddedTlsClient client = EmbeddedTlsClient.open(server, tlsClientContext(), version);
                    recordings.put(client.connection().connection(), recording);
                    client.handshake(handshake, first);
                    peer = new TlsPeer(client, records);
                } catch (SSLException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                peer = new PlainPeer(server.connect());
                recordings.put(peer.connection().connection(), recording);
                peer.send(first, Segmentation.whole());
            }
            EmbeddedConnection c = peer.connection();
            assertTrue(c.isOpen(), "the server closed a new connection: " + c.closeReason() + ", " + c.closeCause());
            return peer;
        }

        /** A new connection past its {@link #opening}, TLS records and the opening cut by {@code rnd} if given. */
        Peer open(int readBufferSize, Polling polling, boolean tls, boolean echo, Random rnd) {
            Peer peer = connect(readBufferSize, polling, tls, echo, rnd, new byte[0]);
            EmbeddedConnection c = peer.connection();
            if (config != null) {
                byte[] opening = opening(config);
                if (opening.length > 0) {
                    peer.send(opening, rnd == null ? Segmentation.whole() : cuts(randomChunks(rnd, opening.length)));
                    byte[] answer = peer.received();
                    assertEquals(answer.length, answerLength(config, answer), "the server's answer to the opening");
                }
            }
            assertTrue(c.isOpen(), "the server closed after the opening: " + c.closeReason() + ", " + c.closeCause());
            return peer;
        }

        /**
         * Feeds {@code stream} to a new connection, cut by {@code cuts}, and returns the frames
         * its handler got; the connection must be open, holding nothing, and is closed then.
         */
        List<Received> decode(byte[] stream, int readBufferSize, Polling polling, Segmentation cuts) {
            Peer peer = open(readBufferSize, polling, false, false, null);
            EmbeddedConnection c = peer.connection();
            assertEquals(0, c.receive(stream, cuts), "bytes the connection did not read");
            assertTrue(c.isOpen(), "closed: " + c.closeReason() + ", " + c.closeCause());
            assertEquals(0, c.connection().readBufferLength(), "bytes left after the last frame");
            assertEquals(0, c.readRingCapacity(), "a connection without a partial frame holds no ring");
            List<Received> frames = frames(c);
            assertEquals(frames.size(), count(c), "frames handled");
            forget(c);
            c.connection().close();
            assertEquals(0, buffersLent(), "buffers still lent once the connection closed");
            return frames;
        }

        Recording recording(Connection connection) {
            Recording r = recordings.get(connection);
            if (r == null) {
                throw new AssertionError("a frame on a connection the test does not know: " + connection);
            }
            return r;
        }

        Recording recording(EmbeddedConnection c) {
            return recording(c.connection());
        }

        List<Received> frames(EmbeddedConnection c) {
            return recording(c).frames;
        }

        long count(EmbeddedConnection c) {
            return recording(c).count;
        }

        int maxPayload(EmbeddedConnection c) {
            return recording(c).maxPayload;
        }

        void forget(EmbeddedConnection c) {
            recordings.remove(c.connection());
        }

        int buffersLent() {
            return servers.values().stream().mapToInt(EmbeddedServer::buffersLent).sum();
        }

        @Override
        public void close() {
            servers.values().forEach(EmbeddedServer::close);
        }
    }

    private SSLContext tlsClientContext() {
        if (tlsClientContext == null) {
            tlsClientContext = TestCertificates.get().clientContext();
        }
        return tlsClientContext;
    }

    // ---- helpers -----------------------------------------------------------------------------

    /** {@code count} random messages, most of at most 64 bytes, some up to {@code maxSize}. */
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

    /**
     * Packs {@code messages} (consuming any ByteBuffer among them) into one stream, through a real
     * connection of a server of {@code protocol}: the bytes its {@code send} writes.
     *
     * @throws RuntimeException what packing threw, which closed that connection
     */
    protected final byte[] encode(Protocol<?> protocol, List<Object> messages) {
        EmbeddedConnection packer = packers.get(protocol);
        if (packer == null) {
            EmbeddedServer server = EmbeddedServer.start(Server.builder(protocol, (c, ctx, p) -> null));
            packerServers.add(server);
            packer = server.connect();
            packers.put(protocol, packer);
        }
        for (Object m : messages) {
            packer.connection().send(m);
            if (!packer.isOpen()) {
                packers.remove(protocol);
                if (packer.closeCause() instanceof RuntimeException e) {
                    throw e;
                }
                throw new AssertionError("packing closed the connection: " + packer.closeReason(), packer.closeCause());
            }
        }
        return packer.takeSent();
    }

    /**
     * Encodes {@code messages}, feeds them to a new connection cut by {@code cuts} with a read
     * buffer of {@code readBufferSize} bytes ({@link #ONE_READ}: as large as the stream) and checks
     * the frames decoded.
     */
    private void assertDecodes(C config, List<Object> messages, int readBufferSize, Segmentation cuts, String what) {
        List<Received> expected = expected(config, messages);
        byte[] stream = encode(config, messages);
        int size = readBufferSize == ONE_READ ? Math.max(256, stream.length) : readBufferSize;
        try (Rig rig = new Rig(config)) {
            assertFrames(expected, rig.decode(stream, size, Polling.EDGE_TRIGGERED, cuts), what);
        }
    }

    /**
     * Feeds {@code stream} to a new connection of a server of {@code protocol}, cut by {@code cuts};
     * returns the frames its handler got. The connection must be open and hold nothing after.
     */
    protected final List<Received> decode(Protocol<M> protocol, byte[] stream, int readBufferSize, Segmentation cuts) {
        try (Rig rig = new Rig(protocol)) {
            return rig.decode(stream, readBufferSize, Polling.EDGE_TRIGGERED, cuts);
        }
    }

    /**
     * Feeds {@code bytes} to a new connection of a server of {@code protocol}, cut by {@code cuts},
     * which must close it with a protocol error naming {@code reason}; returns that error.
     */
    protected final ProtocolException protocolError(Protocol<?> protocol, byte[] bytes, Segmentation cuts,
            String reason) {
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(protocol, (c, ctx, p) -> null)
                .readBufferSize(256))) {
            EmbeddedConnection c = server.connect();
            c.receive(bytes, cuts);
            ProtocolException e = assertProtocolError(c, reason);
            assertEquals(0, server.buffersLent(), "buffers still lent once the connection closed");
            return e;
        }
    }

    /**
     * Sends {@code message} on a new connection of a server of {@code protocol}, whose pack must
     * refuse it: nothing is written, the connection closes ({@link CloseReason#HANDLER_ERROR}, as
     * a half-packed message leaves a stream nobody can trust); returns what pack threw.
     */
    protected static Throwable packingFailure(Protocol<?> protocol, Object message) {
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(protocol, (c, ctx, p) -> null))) {
            EmbeddedConnection c = server.connect();
            c.connection().send(message);
            assertEquals(0, c.sentLength(), "nothing is written for a message that cannot be packed");
            assertEquals(CloseReason.HANDLER_ERROR, c.closeReason(), "closed for " + c.closeCause());
            assertEquals(0, server.buffersLent(), "buffers still lent once the connection closed");
            return c.closeCause();
        }
    }

    /** The connection closed with {@link CloseReason#PROTOCOL_ERROR} for a ProtocolException naming {@code reason}. */
    protected static ProtocolException assertProtocolError(EmbeddedConnection c, String reason) {
        assertFalse(c.isOpen(), "the connection is still open");
        assertEquals(CloseReason.PROTOCOL_ERROR, c.closeReason(), "closed for " + c.closeCause());
        ProtocolException e = assertInstanceOf(ProtocolException.class, c.closeCause());
        assertTrue(e.getMessage().contains(reason), "message: " + e.getMessage());
        assertTrue(c.socketClosed(), "the socket outlived the connection");
        return e;
    }

    protected static void assertFrames(List<Received> expected, List<Received> got, String what) {
        int n = Math.min(expected.size(), got.size());
        for (int i = 0; i < n; i++) {
            assertEquals(expected.get(i), got.get(i), what + ": frame " + i + " of " + expected.size());
        }
        assertEquals(expected.size(), got.size(), what + ": number of frames");
    }

    private static void assertBytes(byte[] expected, byte[] got, String what) {
        int at = Arrays.mismatch(expected, got);
        if (at >= 0) {
            throw new AssertionError(what + ": " + got.length + " bytes instead of " + expected.length
                    + ", the first difference at byte " + at + ": "
                    + Arrays.toString(Arrays.copyOfRange(got, at, Math.min(got.length, at + 16))) + " instead of "
                    + Arrays.toString(Arrays.copyOfRange(expected, at, Math.min(expected.length, at + 16))));
        }
    }

    /**
     * {@code cuts}, running {@code check} on what each segment left: before cutting the next one,
     * and once more when the caller calls it after the last (the returned segmentation is not
     * reusable).
     */
    private static Segmentation observed(Segmentation cuts, Runnable check) {
        boolean[] first = {true};
        return remaining -> {
            if (!first[0]) {
                check.run();
            }
            first[0] = false;
            return cuts.next(remaining);
        };
    }

    /** A segmentation cutting exactly {@code chunks}: one segment per entry. */
    protected static Segmentation cuts(int[] chunks) {
        return chunks.length == 0 ? Segmentation.whole() : Segmentation.pattern(chunks);
    }

    /** {@code n} chunks of one byte. */
    protected static int[] ones(int n) {
        int[] chunks = new int[n];
        Arrays.fill(chunks, 1);
        return chunks;
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

    /** {@code size} random bytes. */
    protected static byte[] randomBytes(Random rnd, int size) {
        byte[] bytes = new byte[size];
        rnd.nextBytes(bytes);
        return bytes;
    }
}
