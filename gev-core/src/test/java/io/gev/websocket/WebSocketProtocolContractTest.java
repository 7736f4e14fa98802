package io.gev.websocket;

import io.gev.CloseReason;
import io.gev.Connection;
import io.gev.Handler;
import io.gev.Server;
import io.gev.buffer.Buffers;
import io.gev.embedded.EmbeddedConnection;
import io.gev.embedded.EmbeddedServer;
import io.gev.embedded.Segmentation;
import io.gev.protocol.Protocol;
import io.gev.testing.ProtocolContract;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WebSocket through the protocol contract (the contract's {@code BadInput} shadows this package's
 * {@link io.gev.websocket.BadInput}, whose cases it reuses): each connection opens with an upgrade request, sends
 * what a client sends (masked frames, messages fragmented with pings between the fragments, some
 * compressed with permessage-deflate) and ends with a close handshake; the echo comes back as
 * server frames, unmasked, with a pong for every ping in order.
 */
class WebSocketProtocolContractTest extends ProtocolContract<WebSocketProtocolContractTest.Config, WebSocketMessage> {

    /** Server options and what the client offers. */
    record Config(String name, WebSocketOptions options, boolean offerDeflate) {

        /** Whether permessage-deflate is in use on the connection. */
        boolean deflate() {
            return offerDeflate && options.compression();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * A message as a client sends it: its payload, whether compressed, in how many fragments, the
     * pings before each fragment ({@code null}: none), and the seed of its masks and cuts.
     */
    record Message(boolean text, byte[] payload, boolean compressed, int fragments, byte[][] pings, long seed) {
        @Override
        public String toString() {
            return "Message[" + (text ? "text" : "binary") + ", " + payload.length + " bytes"
                    + (compressed ? ", compressed" : "") + ", " + fragments + " fragments, "
                    + Arrays.stream(pings).filter(p -> p != null).count() + " pings]";
        }
    }

    private static final WebSocketOptions COMPRESSING = WebSocketOptions.builder().compression(true).build();
    private static final Config PLAIN = new Config("no compression", WebSocketOptions.defaults(), false);
    private static final Config DEFLATE = new Config("permessage-deflate", COMPRESSING, true);
    private static final Config DEFLATE_WITHOUT_CONTEXT = new Config(
            "permessage-deflate without context takeover, every message compressed",
            COMPRESSING.toBuilder().compressionMinSize(0).serverNoContextTakeover(true)
                    .clientNoContextTakeover(true).build(), true);
    private static final Config NOT_OFFERED = new Config("compression the client does not offer", COMPRESSING, false);

    private static final WebSocketOptions SMALL = WebSocketOptions.builder().maxFrameSize(1000).maxMessageSize(2000)
            .build();
    private static final Config BAD_PLAIN = new Config("bad input", io.gev.websocket.BadInput.options(), false);
    private static final Config BAD_DEFLATE =
            new Config("bad input, permessage-deflate", io.gev.websocket.BadInput.options(), true);

    private static final int GOODBYE_MASK = 0x1F2E3D4C;

    @Override
    protected Protocol<WebSocketMessage> build(Config config) {
        // the protocol WebSocketServer.builder sets
        return new WebSocketProtocol(config.options(), Endpoints.single(new WebSocketHandler() {
        }, config.options()));
    }

    @Override
    protected String describe(Config config) {
        return config.name();
    }

    @Override
    protected Server.Builder server(Config config, Handler<WebSocketMessage> handler) {
        return WebSocketServer.builder(new WebSocketHandler() {
            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                return handler.onMessage(session.connection(), null, message);
            }
        }, config.options());
    }

    @Override
    protected List<Config> variants() {
        return List.of(PLAIN, DEFLATE, DEFLATE_WITHOUT_CONTEXT, NOT_OFFERED);
    }

    @Override
    protected List<Config> fuzzVariants() {
        return List.of(new Config("small limits", SMALL, false),
                new Config("small limits, permessage-deflate",
                        SMALL.toBuilder().compression(true).compressionMinSize(0).build(), true));
    }

    @Override
    protected int maxMessage(Config config) {
        // A compressed fragment may be a little larger than its part of the payload.
        return Math.min(config.options().maxMessageSize(), config.options().maxFrameSize() - 64);
    }

    @Override
    protected int limit(Config config) {
        WebSocketOptions o = config.options();
        // Single frames up to the stream threshold wait whole (with a 14-byte header at most); the
        // decoder streams longer ones and fragments; a payload never exceeds the message limit.
        return Math.max(o.maxMessageSize(), Math.min(o.maxFrameSize(), FrameDecoder.STREAM_THRESHOLD) + 14);
    }

    @Override
    protected Object message(Config config, Random rnd, int size) {
        boolean text = rnd.nextBoolean();
        byte[] payload = text ? utf8(rnd, size) : rnd.nextBoolean() ? randomBytes(rnd, size) : repetitive(rnd, size);
        boolean compressed = config.deflate() && rnd.nextBoolean();
        int fragments = rnd.nextInt(3) == 0 ? 2 + rnd.nextInt(4) : 1;
        byte[][] pings = new byte[fragments][];
        for (int i = 0; i < fragments; i++) {
            if (rnd.nextInt(3) == 0) {
                pings[i] = randomBytes(rnd, rnd.nextInt(126));
            }
        }
        return new Message(text, payload, compressed, fragments, pings, rnd.nextLong());
    }

    @Override
    protected Received received(Config config, Object message) {
        Message m = (Message) message;
        return new Received(m.text() ? WebSocketMessage.Type.TEXT : WebSocketMessage.Type.BINARY, m.payload());
    }

    @Override
    protected Received capture(Connection connection, Object context, WebSocketMessage message) {
        return new Received(message.type(), Buffers.copy(message.payload()));
    }

    @Override
    protected int size(WebSocketMessage message) {
        return message.size();
    }

    /**
     * The message itself, echoed with its type, or what the handler API takes for the same frame:
     * text as a String, binary as a ByteBuffer or byte[] (each packs on a path of its own).
     */
    @Override
    protected Object echo(Config config, Connection connection, Object context, WebSocketMessage message) {
        return switch (message.size() % 3) {
            case 0 -> message;
            case 1 -> message.isText() ? message.text() : message.payload();
            default -> message.isText() ? message : message.bytes();
        };
    }

    @Override
    protected boolean allocationFree() {
        // Pings make pongs, compression works in zlib's buffers; WebSocketAllocationTest measures
        // the plain echo path on a real loop.
        return false;
    }

    @Override
    protected boolean garbageMayCloseCleanly(Config config) {
        return true; // a close frame may turn up in random bytes, and is answered as any other
    }

    @Override
    protected List<BadInput<Config>> badInputs() {
        List<BadInput<Config>> cases = new ArrayList<>();
        for (Arguments a : io.gev.websocket.BadInput.frames()) {
            Object[] args = a.get();
            boolean deflate = (Boolean) args[1];
            cases.add(new BadInput<>((String) args[0], deflate ? BAD_DEFLATE : BAD_PLAIN, (byte[]) args[2],
                    "WebSocket closed with " + args[3] + ": "));
        }
        return cases;
    }

    // ---- the client's side -------------------------------------------------------------------

    /** An upgrade request longer than the smallest read buffer, so that its head spans reads. */
    @Override
    protected byte[] opening(Config config) {
        // No Origin: a client that is no browser, allowed by every config over plain TCP and TLS alike.
        String agent = "User-Agent: gev-contract " + "(a header as long as browsers send) ".repeat(8);
        String[] headers = config.offerDeflate()
                ? new String[] {agent, "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"}
                : new String[] {agent};
        return WsTestClient.request("/ws", headers).getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    protected int answerLength(Config config, byte[] received) {
        String text = new String(received, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return -1;
        }
        String[] lines = text.substring(0, end).split("\r\n");
        assertEquals("HTTP/1.1 101 Switching Protocols", lines[0], text);
        String accept = null;
        String extensions = null;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            String name = lines[i].substring(0, colon).toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            if (name.equals("sec-websocket-accept")) {
                accept = value;
            } else if (name.equals("sec-websocket-extensions")) {
                extensions = value;
            }
        }
        assertEquals(WsTestClient.ACCEPT, accept, text);
        if (config.deflate()) {
            String expected = "permessage-deflate"
                    + (config.options().serverNoContextTakeover() ? "; server_no_context_takeover" : "")
                    + (config.options().clientNoContextTakeover() ? "; client_no_context_takeover" : "");
            assertEquals(expected, extensions, text);
        } else {
            assertNull(extensions, text);
        }
        return end + 4;
    }

    /**
     * The frames a client sends for {@code messages} on one connection: masked, the compressed ones
     * deflated by one deflater in turn (its context carried from message to message unless the
     * server asked otherwise), cut into fragments with the pings before each.
     */
    @Override
    protected byte[] encode(Config config, List<Object> messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try {
            for (Object o : messages) {
                Message m = (Message) o;
                Random rnd = new Random(m.seed());
                byte[] data = m.payload();
                if (m.compressed()) {
                    data = io.gev.websocket.BadInput.deflate(deflater, data);
                    if (config.options().clientNoContextTakeover()) {
                        deflater.reset();
                    }
                }
                int[] cuts = new int[m.fragments() + 1];
                for (int i = 1; i < m.fragments(); i++) {
                    cuts[i] = rnd.nextInt(data.length + 1);
                }
                cuts[m.fragments()] = data.length;
                Arrays.sort(cuts, 1, m.fragments());
                for (int i = 0; i < m.fragments(); i++) {
                    if (m.pings()[i] != null) {
                        out.writeBytes(WsTestClient.frame(true, 0, FrameDecoder.OP_PING, m.pings()[i], rnd.nextInt(),
                                true));
                    }
                    byte[] fragment = Arrays.copyOfRange(data, cuts[i], cuts[i + 1]);
                    int opcode = i > 0 ? FrameDecoder.OP_CONTINUATION
                            : m.text() ? FrameDecoder.OP_TEXT : FrameDecoder.OP_BINARY;
                    int rsv = i == 0 && m.compressed() ? 4 : 0;
                    boolean fin = i == m.fragments() - 1;
                    out.writeBytes(WsTestClient.frame(fin, rsv, opcode, fragment, rnd.nextInt(), true));
                }
            }
        } finally {
            deflater.end();
        }
        return out.toByteArray();
    }

    /**
     * What the echo server answers, computed from RFC 6455 and 7692: a pong for every ping, in
     * order, and each message in one unmasked frame, deflated (sync flush, tail cut) by the
     * server's own deflater when permessage-deflate is on and the message is long enough.
     */
    @Override
    protected byte[] expectedEcho(Config config, List<Object> messages, byte[] stream) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WebSocketOptions options = config.options();
        Deflater deflater = new Deflater(options.compressionLevel(), true);
        try {
            for (Object o : messages) {
                Message m = (Message) o;
                for (byte[] ping : m.pings()) {
                    if (ping != null) {
                        out.writeBytes(serverFrame(0x80 | FrameDecoder.OP_PONG, ping));
                    }
                }
                int opcode = m.text() ? FrameDecoder.OP_TEXT : FrameDecoder.OP_BINARY;
                if (config.deflate() && m.payload().length >= options.compressionMinSize()) {
                    byte[] deflated = io.gev.websocket.BadInput.deflate(deflater, m.payload());
                    out.writeBytes(serverFrame(0x80 | 0x40 | opcode, deflated));
                    if (options.serverNoContextTakeover()) {
                        deflater.reset();
                    }
                } else {
                    out.writeBytes(serverFrame(0x80 | opcode, m.payload()));
                }
            }
        } finally {
            deflater.end();
        }
        return out.toByteArray();
    }

    /** The close handshake: a close frame with 1000, which the server must echo. */
    @Override
    protected byte[] goodbye(Config config) {
        return frame(true, 0, FrameDecoder.OP_CLOSE, WsTestClient.closePayload(1000, ""));
    }

    @Override
    protected void checkGoodbyeAnswer(Config config, byte[] answer) {
        assertArrayEquals(new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xE8}, answer,
                "the server's close frame: unmasked, code 1000, nothing after it");
    }

    // ---- specific to WebSocket ---------------------------------------------------------------

    Stream<Config> compressions() {
        return Stream.of(PLAIN, DEFLATE, DEFLATE_WITHOUT_CONTEXT);
    }

    /**
     * Fragmented messages with pings before and between their fragments, then the close
     * handshake, all byte by byte: the pongs come in the order of the pings, each message once,
     * and the server's close frame last, unmasked, with 1000.
     */
    @ParameterizedTest
    @MethodSource("compressions")
    void fragmentedMessagesWithPingsBetweenFragmentsByteByByte(Config config) {
        byte[] text = "h\u00e9llo, w\u00f6rld \u2014 \u6f22\u5b57 \ud83d\ude00".repeat(9)
                .getBytes(StandardCharsets.UTF_8);
        List<Object> messages = List.of(
                new Message(true, text, config.deflate(), 3, new byte[][] {null, {'a'}, {'b', 'b'}}, 1),
                new Message(false, repetitive(new Random(2), 300), config.deflate(), 2, new byte[][] {{'p'}, {}}, 2),
                new Message(false, new byte[0], false, 1, new byte[][] {null}, 3),
                new Message(true, new byte[0], config.deflate(), 4, new byte[][] {null, null, {'z'}, null}, 4));
        byte[] request = concat(encode(config, messages), goodbye(config));
        byte[] expected = concat(expectedEcho(config, messages, null), new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xE8});
        Recorder recorder = new Recorder();
        try (EmbeddedServer server = EmbeddedServer.start(WebSocketServer.builder(recorder, config.options())
                .readBufferSize(256))) {
            EmbeddedConnection c = upgrade(server, config, Segmentation.byteByByte());
            c.receive(request, Segmentation.byteByByte());
            assertArrayEquals(expected, c.takeSent());
            assertEquals(CloseReason.LOCAL, c.closeReason());
            assertEquals(1000, recorder.closed.poll().code);
            assertEquals(0, server.buffersLent());
        }
    }

    /** Payloads at each boundary of the length encoding and of the decoder's streaming, cut around their headers. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 125, 126, 127, 65535, FrameDecoder.STREAM_THRESHOLD - 1, FrameDecoder.STREAM_THRESHOLD,
            FrameDecoder.STREAM_THRESHOLD + 1, 200_000})
    void echoesPayloadsAtEveryLengthBoundaryCutAroundTheirHeaders(int size) {
        Random rnd = new Random(size);
        try (EmbeddedServer small = EmbeddedServer.start(WebSocketServer.builder(new Recorder()).readBufferSize(256));
             EmbeddedServer large = EmbeddedServer.start(WebSocketServer.builder(new Recorder()))) {
            for (boolean text : new boolean[] {true, false}) {
                List<Object> messages = List.of(new Message(text, text ? utf8(rnd, size) : randomBytes(rnd, size),
                        false, 1, new byte[][] {null}, rnd.nextLong()));
                byte[] frame = encode(PLAIN, messages);
                byte[] echo = expectedEcho(PLAIN, messages, frame);
                int header = frame.length - size;
                for (EmbeddedServer server : List.of(small, large)) {
                    for (Segmentation cuts : List.of(Segmentation.whole(), Segmentation.at(1, 2, header - 1, header,
                            header + 1, frame.length - 1), Segmentation.mixed(rnd))) {
                        EmbeddedConnection c = upgrade(server, PLAIN, Segmentation.whole());
                        c.receive(frame, cuts);
                        assertArrayEquals(echo, c.takeSent(), size + " bytes, " + (text ? "text" : "binary"));
                        assertEquals(0, c.connection().readBufferLength());
                        c.connection().close();
                    }
                }
            }
            assertEquals(0, small.buffersLent() + large.buffersLent());
        }
    }

    /**
     * maxFrameSize, maxMessageSize and the control frame limit hold at their value, a byte below
     * and a byte above: above, the server closes with 1009 (1002 for a control frame), sending its
     * close frame first.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void sizeLimitsAcceptTheirValueAndRefuseOneMore(boolean compressed) {
        WebSocketOptions options = SMALL.toBuilder().compression(true).compressionMinSize(0).build();
        Config config = new Config("small limits", options, true);
        Random rnd = new Random(compressed ? 1 : 2);
        try (EmbeddedServer server = EmbeddedServer.start(WebSocketServer.builder(new Recorder(), options)
                .readBufferSize(256))) {
            for (int delta : new int[] {-1, 0, 1}) {
                // One frame of maxFrameSize; compressed, one message inflating to maxMessageSize.
                int size = (compressed ? options.maxMessageSize() : options.maxFrameSize()) + delta;
                byte[] payload = compressed ? repetitive(rnd, size) : randomBytes(rnd, size);
                List<Object> messages = List.of(new Message(false, payload, compressed, 1, new byte[][] {null}, 7));
                assertLimit(server, config, encode(config, messages), delta <= 0 ? expectedEcho(config, messages, null)
                        : null, CloseStatus.MESSAGE_TOO_BIG);
                // A message of maxMessageSize in fragments of maxFrameSize.
                if (!compressed) {
                    int total = options.maxMessageSize() + delta;
                    byte[] data = randomBytes(rnd, total);
                    byte[] fragments = concat(frame(false, 0, FrameDecoder.OP_BINARY, Arrays.copyOf(data, 1000)),
                            frame(true, 0, FrameDecoder.OP_CONTINUATION, Arrays.copyOfRange(data, 1000, total)));
                    List<Object> whole = List.of(new Message(false, data, false, 1, new byte[][] {null}, 8));
                    assertLimit(server, config, fragments, delta <= 0 ? expectedEcho(config, whole, null) : null,
                            CloseStatus.MESSAGE_TOO_BIG);
                }
                // A ping of 125 bytes.
                byte[] ping = randomBytes(rnd, 125 + delta);
                assertLimit(server, config, frame(true, 0, FrameDecoder.OP_PING, ping),
                        delta <= 0 ? serverFrame(0x80 | FrameDecoder.OP_PONG, ping) : null, CloseStatus.PROTOCOL_ERROR);
            }
            assertEquals(0, server.buffersLent());
        }
    }

    /** {@code request} on a new connection, byte by byte: echoed as {@code echo}, or refused with {@code code}. */
    private void assertLimit(EmbeddedServer server, Config config, byte[] request, byte[] echo, int code) {
        EmbeddedConnection c = upgrade(server, config, Segmentation.whole());
        c.receive(request, Segmentation.byteByByte());
        byte[] sent = c.takeSent();
        if (echo != null) {
            assertArrayEquals(echo, sent);
            assertTrue(c.isOpen());
            c.connection().close();
        } else {
            assertProtocolError(c, "WebSocket closed with " + code + ": ");
            assertEquals((byte) 0x88, sent[0], "a close frame");
            assertEquals(code, ((sent[2] & 0xFF) << 8) | (sent[3] & 0xFF), "its code");
            assertEquals(sent.length, 2 + sent[1], "nothing but the close frame");
        }
    }

    /**
     * Connections one after another on one server, each left in the middle of something (a
     * fragmented compressed message, a frame's header, its payload) and ended in a different way:
     * the next connection starts afresh, with the loop's buffer and pool they all share.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void connectionsInSequenceOnOneServerStartAfresh(long seed) {
        Random rnd = new Random(seed);
        Recorder recorder = new Recorder();
        try (EmbeddedServer server = EmbeddedServer.start(WebSocketServer.builder(recorder, COMPRESSING)
                .readBufferSize(256))) {
            for (int i = 0; i < 30; i++) {
                Config config = i % 3 == 0 ? PLAIN : i % 3 == 1 ? DEFLATE : NOT_OFFERED;
                String where = "seed " + seed + ", connection " + i + " (" + config + ")";
                EmbeddedConnection c = upgrade(server, config, Segmentation.mixed(rnd));
                List<Object> messages = messages(config, rnd, 1 + rnd.nextInt(6), 3000);
                byte[] stream = encode(config, messages);
                c.receive(stream, Segmentation.mixed(rnd));
                assertArrayEquals(expectedEcho(config, messages, stream), c.takeSent(), where);
                // Half of one more stream: of a message, a fragment, a header.
                List<Object> more = messages(config, rnd, 2, 3000);
                byte[] rest = encode(config, more);
                int half = 1 + rnd.nextInt(rest.length - 1);
                c.receive(rest, 0, half);
                c.takeSent();
                switch (i % 4) {
                    case 0 -> c.receiveEnd();
                    case 1 -> c.failReads(new java.io.IOException("Connection reset by peer"));
                    case 2 -> c.connection().close();
                    default -> {
                        // The handler closes the session in the middle of the client's message; the
                        // client ends what it was sending, then answers.
                        recorder.opened.poll().close();
                        c.receive(rest, half, rest.length - half);
                        c.receive(goodbye(config));
                    }
                }
                recorder.opened.clear();
                assertFalse(c.isOpen(), where);
                assertTrue(c.socketClosed(), where);
                assertEquals(0, server.buffersLent(), where + ": buffers still lent");
            }
        }
    }

    /** The server's close waits closeTimeout for the client's answer, not a nanosecond less. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theServersCloseWaitsForTheClientsAnswerUntilTheCloseTimeout(boolean answered) {
        Recorder recorder = new Recorder() {
            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                session.close(4000, "bye");
                return null;
            }
        };
        Duration timeout = COMPRESSING.closeTimeout();
        try (EmbeddedServer server = EmbeddedServer.start(WebSocketServer.builder(recorder, COMPRESSING))) {
            EmbeddedConnection c = upgrade(server, PLAIN, Segmentation.whole());
            c.receive(frame(true, 0, FrameDecoder.OP_TEXT, "bye".getBytes(StandardCharsets.UTF_8)));
            assertArrayEquals(serverFrame(0x80 | FrameDecoder.OP_CLOSE, WsTestClient.closePayload(4000, "bye")),
                    c.takeSent());
            assertTrue(c.isOpen(), "waiting for the client's close");
            if (answered) {
                c.receive(frame(true, 0, FrameDecoder.OP_TEXT, "late".getBytes(StandardCharsets.UTF_8)));
                c.receive(goodbye(PLAIN));
                assertEquals(0, c.sentLength(), "a late message is dropped, the answer not answered");
            } else {
                server.advanceTime(timeout.minusNanos(1));
                assertTrue(c.isOpen(), "closed before the close timeout");
                server.advanceTime(Duration.ofNanos(1));
            }
            assertFalse(c.isOpen());
            assertEquals(CloseReason.LOCAL, c.closeReason());
            Recorder.Closed closed = recorder.closed.poll();
            assertEquals(4000, closed.code);
            assertEquals("bye", closed.reason);
        }
    }

    /** Keep-alive pings go out every pingInterval; a pong missing for pingTimeout closes, not earlier. */
    @org.junit.jupiter.api.Test
    void keepAlivePingsCloseAClientThatStopsAnsweringAfterThePingTimeout() {
        Recorder recorder = new Recorder();
        WebSocketOptions options = WebSocketOptions.builder().pingInterval(Duration.ofSeconds(30))
                .pingTimeout(Duration.ofSeconds(10)).build();
        byte[] ping = serverFrame(0x80 | FrameDecoder.OP_PING, new byte[0]);
        try (EmbeddedServer server = EmbeddedServer.start(WebSocketServer.builder(recorder, options))) {
            EmbeddedConnection c = upgrade(server, PLAIN, Segmentation.whole());
            server.advanceTime(Duration.ofSeconds(30).minusNanos(1));
            assertEquals(0, c.sentLength(), "a ping before the interval");
            server.advanceTime(Duration.ofNanos(1));
            assertArrayEquals(ping, c.takeSent());
            c.receive(frame(true, 0, FrameDecoder.OP_PONG, new byte[0]));
            server.advanceTime(Duration.ofSeconds(10));
            assertTrue(c.isOpen(), "a client that answered was closed");
            server.advanceTime(Duration.ofSeconds(20));
            assertArrayEquals(ping, c.takeSent(), "the second ping");
            server.advanceTime(Duration.ofSeconds(10).minusNanos(1));
            assertTrue(c.isOpen(), "closed before the ping timeout");
            server.advanceTime(Duration.ofNanos(1));
            assertFalse(c.isOpen());
            Recorder.Closed closed = recorder.closed.poll();
            assertEquals(CloseStatus.ABNORMAL_CLOSURE, closed.code);
            assertEquals("no pong within 10000 ms", closed.reason);
        }
    }

    /** An upgrade request that does not complete within the handshake timeout is answered 408. */
    @org.junit.jupiter.api.Test
    void anIncompleteUpgradeIsAnswered408AfterTheHandshakeTimeout() {
        Duration timeout = WebSocketOptions.DEFAULT_HANDSHAKE_TIMEOUT;
        try (EmbeddedServer server = EmbeddedServer.start(WebSocketServer.builder(new Recorder()))) {
            EmbeddedConnection c = server.connect();
            byte[] request = opening(PLAIN);
            c.receive(request, 0, request.length - 2);
            server.advanceTime(timeout.minusNanos(1));
            assertTrue(c.isOpen());
            assertEquals(0, c.sentLength());
            server.advanceTime(Duration.ofNanos(1));
            String answer = new String(c.takeSent(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
            assertFalse(c.isOpen());
        }
    }

    /** An upgrade request of exactly maxHandshakeSize bytes is served; one of a byte more is answered 431. */
    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 1})
    void anUpgradeRequestOfMaxHandshakeSizeIsServedAndOneByteMoreIsNot(int delta) {
        WebSocketOptions options = WebSocketOptions.builder().maxHandshakeSize(1024).build();
        Config config = new Config("handshake limit", options, false);
        String request = new String(opening(config), StandardCharsets.ISO_8859_1);
        // A header padded so that the whole head, its empty line included, has the size wanted.
        String pad = "X-Pad: ";
        int padding = options.maxHandshakeSize() + delta - request.length() - pad.length() - 2;
        String padded = request.substring(0, request.length() - 2) + pad + "p".repeat(padding) + "\r\n\r\n";
        assertEquals(options.maxHandshakeSize() + delta, padded.length());
        try (EmbeddedServer server = EmbeddedServer.start(WebSocketServer.builder(new Recorder(), options)
                .readBufferSize(256))) {
            EmbeddedConnection c = server.connect();
            c.receive(padded.getBytes(StandardCharsets.ISO_8859_1), Segmentation.byteByByte());
            byte[] answer = c.takeSent();
            if (delta <= 0) {
                assertEquals(answer.length, answerLength(config, answer));
                assertTrue(c.isOpen());
            } else {
                String text = new String(answer, StandardCharsets.ISO_8859_1);
                assertTrue(text.startsWith("HTTP/1.1 431 "), text);
                assertProtocolError(c, "WebSocket upgrade refused with 431");
            }
        }
    }

    /** A new connection of {@code server} past its upgrade, the request cut by {@code cuts}. */
    private EmbeddedConnection upgrade(EmbeddedServer server, Config config, Segmentation cuts) {
        EmbeddedConnection c = server.connect();
        c.receive(opening(config), cuts);
        byte[] answer = c.takeSent();
        assertEquals(answer.length, answerLength(config, answer), "the answer to the upgrade");
        assertTrue(c.isOpen());
        return c;
    }

    private static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload) {
        return WsTestClient.frame(fin, rsv, opcode, payload, GOODBYE_MASK, true);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    // ---- helpers -----------------------------------------------------------------------------

    /** An unmasked frame as a server writes it. */
    static byte[] serverFrame(int b0, byte[] payload) {
        return WsTestClient.frame((b0 & 0x80) != 0, (b0 >> 4) & 7, b0 & 0x0F, payload, 0, false);
    }

    /** About {@code size} bytes of UTF-8 text with characters of every length, none cut. */
    static byte[] utf8(Random rnd, int size) {
        StringBuilder text = new StringBuilder();
        int bytes = 0;
        while (true) {
            int cp = switch (rnd.nextInt(8)) {
                case 0 -> 0x80 + rnd.nextInt(0x780); // two bytes
                case 1 -> 0x800 + rnd.nextInt(0xD000 - 0x800); // three, below the surrogates
                case 2 -> 0x10000 + rnd.nextInt(0x100000); // four
                default -> ' ' + rnd.nextInt(95);
            };
            int length = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + length > size) {
                break;
            }
            text.appendCodePoint(cp);
            bytes += length;
        }
        while (bytes++ < size) {
            text.append('a');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code size} bytes repeating a short random run: what deflate shrinks. */
    private static byte[] repetitive(Random rnd, int size) {
        byte[] run = randomBytes(rnd, 1 + rnd.nextInt(40));
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = run[i % run.length];
        }
        return bytes;
    }
}
