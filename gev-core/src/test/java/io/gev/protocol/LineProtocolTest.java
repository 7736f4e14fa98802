package io.gev.protocol;

import io.gev.Connection;
import io.gev.Server;
import io.gev.buffer.Buffers;
import io.gev.embedded.EmbeddedConnection;
import io.gev.embedded.EmbeddedServer;
import io.gev.embedded.Segmentation;
import io.gev.loop.Transport;
import io.gev.testing.ProtocolContract;
import io.gev.testing.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LineProtocolTest extends ProtocolContract<LineProtocolTest.Config, ByteBuffer> {

    /** A configuration: what the test needs to frame bytes on its own. */
    record Config(String delimiter, boolean strip, int max) {

        LineProtocol build() {
            return LineProtocol.builder().delimiter(delimiter).stripDelimiter(strip).maxLineLength(max).build();
        }

        byte[] delimiterBytes() {
            return delimiter.getBytes(StandardCharsets.UTF_8);
        }

        /** Whether {@code b} may appear in a line: no delimiter byte does, so no line contains it. */
        boolean allowed(int b) {
            return delimiter.indexOf(b) < 0;
        }
    }

    private static final Config LF = new Config("\n", true, LineProtocol.DEFAULT_MAX_LINE_LENGTH);
    private static final Config CRLF_1K = new Config("\r\n", true, 1024);

    @Override
    protected Protocol<ByteBuffer> build(Config config) {
        return config.build();
    }

    @Override
    protected List<Config> variants() {
        return List.of(LF,
                // Lines longer than the 64 KiB read buffer.
                new Config("\r\n", true, 256 * 1024),
                new Config("\r\n", false, 1000),
                // NUL-terminated, as STOMP frames are.
                new Config("\0", true, 300));
    }

    @Override
    protected List<Config> fuzzVariants() {
        return List.of(new Config("\n", true, 1000), new Config("\r\n", false, 500),
                // A delimiter that overlaps itself.
                new Config("--", true, 300));
    }

    @Override
    protected int maxMessage(Config config) {
        return config.max();
    }

    @Override
    protected int limit(Config config) {
        return config.max() + config.delimiterBytes().length;
    }

    @Override
    protected Object message(Config config, Random rnd, int size) {
        byte[] line = new byte[size];
        for (int i = 0; i < size; i++) {
            int b;
            do {
                b = rnd.nextInt(256);
            } while (!config.allowed(b));
            line[i] = (byte) b;
        }
        switch (rnd.nextInt(3)) {
            case 0:
                return line;
            case 1:
                return ByteBuffer.wrap(line);
            default:
                // Text: the same number of characters, all ASCII and none of the delimiter's.
                for (int i = 0; i < size; i++) {
                    line[i] = (byte) ('a' + (line[i] & 0xFF) % 26);
                }
                return new String(line, StandardCharsets.US_ASCII);
        }
    }

    @Override
    protected Received received(Config config, Object message) {
        byte[] line = message instanceof byte[] b ? b
                : message instanceof ByteBuffer b ? Buffers.copy(b)
                : message.toString().getBytes(StandardCharsets.UTF_8);
        if (config.strip()) {
            return new Received(null, line);
        }
        byte[] delimiter = config.delimiterBytes();
        byte[] withDelimiter = Arrays.copyOf(line, line.length + delimiter.length);
        System.arraycopy(delimiter, 0, withDelimiter, line.length, delimiter.length);
        return new Received(null, withDelimiter);
    }

    @Override
    protected Object echo(Config config, Connection connection, Object context, ByteBuffer line) {
        // Pack appends the delimiter: a line received with it goes back without. (The delimiters
        // here are ASCII; their length in chars is that in bytes, without encoding them per frame.)
        return config.strip() ? line : line.limit(line.limit() - config.delimiter().length());
    }

    @Override
    protected List<BadInput<Config>> badInputs() {
        byte[] longLine = new byte[1500 + 2];
        Arrays.fill(longLine, (byte) 'a');
        longLine[1500] = '\r';
        longLine[1501] = '\n';
        Config lf1k = new Config("\n", true, 1024);
        return List.of(
                new BadInput<>("line longer than the limit", lf1k, Arrays.copyOf(longLine, 1025),
                        "no \\n within 1025 bytes: line exceeds maxLineLength 1024"),
                new BadInput<>("line longer than the limit with its delimiter", CRLF_1K, longLine,
                        "no \\r\\n within 1026 bytes: line exceeds maxLineLength 1024"));
    }

    // ---- specific to lines -------------------------------------------------------------------

    @Test
    void acceptsALineOfExactlyMaxLineLengthAndNotOneByteMore() {
        for (Config config : List.of(new Config("\n", true, 10), CRLF_1K, new Config("\r\n", false, 7))) {
            LineProtocol protocol = config.build();
            byte[] delimiter = config.delimiterBytes();
            for (int length : new int[] {config.max() - 1, config.max()}) {
                byte[] line = new byte[length + delimiter.length];
                Arrays.fill(line, (byte) 'x');
                System.arraycopy(delimiter, 0, line, length, delimiter.length);
                // Byte by byte: the last content byte and a partial delimiter must not trip the limit.
                List<Received> got = decode(protocol, line, 256, Segmentation.byteByByte());
                assertEquals(1, got.size(), config.toString());
                assertEquals(config.strip() ? length : line.length, got.get(0).payload().length);
            }

            byte[] over = new byte[config.max() + 1 + delimiter.length];
            Arrays.fill(over, (byte) 'x');
            ProtocolException e = protocolError(protocol, over, Segmentation.whole(), "line exceeds maxLineLength");
            assertTrue(e.getMessage().endsWith("line exceeds maxLineLength " + config.max()), e.getMessage());
        }
    }

    /**
     * Streams over a tiny alphabet full of delimiter bytes, where partial and overlapping
     * delimiters abound, cut into random reads: the lines must be those a naive splitter finds by
     * searching the whole stream, so resuming a search where the last one stopped loses nothing.
     */
    @Test
    void resumedSearchesFindWhatANaiveSplitterFinds() {
        Random rnd = new Random(9);
        for (String delimiter : List.of("\n", "\r\n", "--", "aba")) {
            LineProtocol protocol = LineProtocol.builder().delimiter(delimiter).maxLineLength(1 << 20).build();
            byte[] d = delimiter.getBytes(StandardCharsets.US_ASCII);
            for (int attempt = 0; attempt < 300; attempt++) {
                byte[] stream = new byte[rnd.nextInt(200)];
                for (int i = 0; i < stream.length; i++) {
                    stream[i] = (byte) "ab-\r\n".charAt(rnd.nextInt(5));
                }
                List<Received> expected = new ArrayList<>();
                int start = 0;
                for (int at = 0; at + d.length <= stream.length; at++) {
                    if (Arrays.equals(stream, at, at + d.length, d, 0, d.length)) {
                        expected.add(new Received(null, Arrays.copyOfRange(stream, start, at)));
                        start = at + d.length;
                        at = start - 1;
                    }
                }
                // The unterminated tail stays buffered; feed it only up to the last delimiter.
                byte[] complete = Arrays.copyOf(stream, start);
                List<Received> got = decode(protocol, complete, 256, cuts(randomChunks(rnd, complete.length)));
                assertEquals(expected, got, delimiter.replace("\r", "\\r").replace("\n", "\\n") + ", try " + attempt
                        + ": " + new String(complete, StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void throwsOnceTheLimitIsPassedWithoutWaitingForTheDelimiter() {
        LineProtocol protocol = LineProtocol.builder().maxLineLength(100).build();
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(protocol, (c, ctx, p) -> null)
                .readBufferSize(256))) {
            EmbeddedConnection c = server.connect();
            // 100 bytes may still be a line of the limit; a 101st that is not the delimiter is not.
            c.receive(new byte[100]);
            assertTrue(c.isOpen());
            assertEquals(100, c.connection().readBufferLength());
            c.receive(new byte[1]);
            assertProtocolError(c, "no \\n within 101 bytes: line exceeds maxLineLength 100");
        }
    }

    @Test
    void findsADelimiterSplitAcrossReads() {
        LineProtocol protocol = CRLF_1K.build();
        byte[] bytes = "abc\r\n\r\ndef\r\n".getBytes(StandardCharsets.US_ASCII);
        List<Received> got = decode(protocol, bytes, 256, Segmentation.pattern(4, 1, 1, 5, 1));
        assertEquals(List.of(line("abc"), line(""), line("def")), got);
    }

    @Test
    void keepsTheDelimiterWhenAskedTo() {
        LineProtocol protocol = LineProtocol.builder().stripDelimiter(false).build();
        byte[] bytes = "a\nbc\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(List.of(line("a\n"), line("bc\n")), decode(protocol, bytes, 256, Segmentation.whole()));
    }

    @Test
    void packingAppendsTheDelimiter() {
        LineProtocol protocol = LineProtocol.builder().delimiter("\r\n").build();
        byte[] packed = encode(protocol, List.of("h\u00e9", new byte[] {'x'}, ByteBuffer.wrap(new byte[] {'y'})));
        assertArrayEquals(new byte[] {'h', (byte) 0xC3, (byte) 0xA9, '\r', '\n', 'x', '\r', '\n', 'y', '\r', '\n'},
                packed);
        assertInstanceOf(IllegalArgumentException.class, packingFailure(protocol, 42));
    }

    @Test
    void builderNamesTheBadArgument() {
        assertEquals("maxLineLength must be >= 1: 0", assertThrows(IllegalArgumentException.class,
                () -> LineProtocol.builder().maxLineLength(0)).getMessage());
        assertEquals("delimiter must not be empty", assertThrows(IllegalArgumentException.class,
                () -> LineProtocol.builder().delimiter("")).getMessage());
        assertThrows(NullPointerException.class, () -> LineProtocol.builder().delimiter((byte[]) null));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LineProtocol.builder()
                .maxLineLength(Integer.MAX_VALUE).delimiter("\r\n").build()).getMessage()
                .startsWith("maxLineLength + the delimiter's length must fit an int"));
        byte[] delimiter = {';'};
        LineProtocol protocol = LineProtocol.builder().delimiter(delimiter).build();
        delimiter[0] = '!';
        assertEquals(List.of(line("a")), decode(protocol, new byte[] {'a', ';'}, 256, Segmentation.whole()),
                "the builder copied the delimiter");
        assertEquals(LineProtocol.DEFAULT_MAX_LINE_LENGTH, protocol.maxLineLength());
    }

    /** A Redis-inline-like text protocol: the kind of server the line protocol is for. */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void servesATextProtocol(Transport transport) throws Exception {
        LineProtocol crlf = LineProtocol.builder().delimiter("\r\n").build();
        Server server = Server.builder(crlf, (connection, context, line) -> {
            String command = Buffers.utf8(line);
            if (command.equals("PING")) {
                return "+PONG";
            }
            if (command.startsWith("ECHO ")) {
                return "$" + command.substring(5);
            }
            return "-ERR unknown command '" + command + "'";
        }).address("127.0.0.1").port(0).transport(transport).daemonThreads(true).build();
        server.start();
        try (TestClient client = TestClient.connect(server)) {
            client.write("PING\r\nECHO h\u00e9llo\r\nEC");
            client.write("HO split\r\nFLY\r\n");
            BufferedReader reader = new BufferedReader(
                    new InputStreamReader(client.socket().getInputStream(), StandardCharsets.UTF_8));
            assertEquals("+PONG", reader.readLine());
            assertEquals("$h\u00e9llo", reader.readLine());
            assertEquals("$split", reader.readLine());
            assertEquals("-ERR unknown command 'FLY'", reader.readLine());
        } finally {
            server.stop(Duration.ZERO);
        }
    }

    private static Received line(String text) {
        return new Received(null, text.getBytes(StandardCharsets.UTF_8));
    }
}
