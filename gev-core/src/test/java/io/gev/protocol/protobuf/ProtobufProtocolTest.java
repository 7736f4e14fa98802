package io.gev.protocol.protobuf;

import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import com.google.protobuf.Empty;
import com.google.protobuf.Int64Value;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import com.google.protobuf.StringValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.gev.Connection;
import io.gev.Server;
import io.gev.loop.Transport;
import io.gev.embedded.EmbeddedConnection;
import io.gev.embedded.EmbeddedServer;
import io.gev.embedded.Segmentation;
import io.gev.protocol.Protocol;
import io.gev.protocol.ProtocolException;
import io.gev.testing.ProtocolContract;
import io.gev.testing.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProtobufProtocolTest extends ProtocolContract<ProtobufProtocol, Message> {

    private static final String STRING_VALUE = "google.protobuf.StringValue";

    /** Well-known types: compiled messages that ship inside protobuf-java, no protoc needed. */
    private static ProtobufProtocol.Builder wellKnownTypes() {
        return ProtobufProtocol.builder().register(StringValue.getDefaultInstance())
                .register(BytesValue.getDefaultInstance()).register(Int64Value.getDefaultInstance())
                .register(Timestamp.getDefaultInstance()).register(Struct.getDefaultInstance())
                .register(Empty.getDefaultInstance());
    }

    private final ProtobufProtocol defaults = wellKnownTypes().build();
    private final List<ProtobufProtocol> variants = List.of(defaults,
            // The same types registered by name and parser.
            ProtobufProtocol.builder().register(STRING_VALUE, StringValue.parser())
                    .register("google.protobuf.BytesValue", BytesValue.parser())
                    .register("google.protobuf.Int64Value", Int64Value.parser())
                    .register("google.protobuf.Timestamp", Timestamp.parser())
                    .register("google.protobuf.Struct", Struct.parser())
                    .register("google.protobuf.Empty", Empty.parser())
                    .maxFrameLength(300 * 1024).build());
    private final List<ProtobufProtocol> fuzzVariants = List.of(wellKnownTypes().maxFrameLength(4096).build());

    @Override
    protected Protocol<Message> build(ProtobufProtocol protocol) {
        return protocol;
    }

    @Override
    protected List<ProtobufProtocol> variants() {
        return variants;
    }

    @Override
    protected List<ProtobufProtocol> fuzzVariants() {
        return fuzzVariants;
    }

    @Override
    protected int maxMessage(ProtobufProtocol protocol) {
        // Room for the header, the longest name and the message's own tags and lengths.
        return protocol.maxFrameLength() - 64;
    }

    @Override
    protected int limit(ProtobufProtocol protocol) {
        return protocol.maxFrameLength();
    }

    @Override
    protected Object message(ProtobufProtocol protocol, Random rnd, int size) {
        switch (rnd.nextInt(6)) {
            case 0:
                StringBuilder text = new StringBuilder(size);
                for (int i = 0; i < size; i++) {
                    text.append((char) (' ' + rnd.nextInt(95)));
                }
                return StringValue.of(text.toString());
            case 1:
                return BytesValue.of(ByteString.copyFrom(randomBytes(rnd, size)));
            case 2:
                return Int64Value.of(rnd.nextLong());
            case 3:
                return Timestamp.newBuilder().setSeconds(rnd.nextInt()).setNanos(rnd.nextInt(1_000_000_000)).build();
            case 4:
                Struct.Builder struct = Struct.newBuilder();
                for (int i = 0; i < size / 16; i++) {
                    struct.putFields("k" + i, Value.newBuilder().setNumberValue(rnd.nextDouble()).build());
                }
                return struct.build();
            default:
                return Empty.getDefaultInstance();
        }
    }

    @Override
    protected Received received(ProtobufProtocol protocol, Object message) {
        Message m = (Message) message;
        return new Received(m.getDescriptorForType().getFullName(), m.toByteArray(), m);
    }

    /** The handler gets the parsed message, no bytes: they are the message's own serialization. */
    @Override
    protected Received capture(Connection connection, Object context, Message message) {
        return new Received(context, message.toByteArray(), message);
    }

    @Override
    protected int size(Message message) {
        return message.getSerializedSize();
    }

    @Override
    protected boolean allocationFree() {
        // Parsing makes a Message per frame.
        return false;
    }

    @Override
    protected List<BadInput<ProtobufProtocol>> badInputs() {
        return List.of(
                new BadInput<>("declared length over the limit", defaults, new byte[] {-1, -1, -1, -1},
                        "frame length 4294967299 (length field 4294967295) exceeds maxFrameLength 1048576"),
                new BadInput<>("unknown type name", defaults, frame("com.example.Nope", new byte[3]),
                        "unknown message type 'com.example.Nope' (registered: google.protobuf.StringValue, "
                                + "google.protobuf.BytesValue, google.protobuf.Int64Value, google.protobuf.Timestamp, "
                                + "google.protobuf.Struct, ... 1 more)"),
                new BadInput<>("type name longer than any registered", defaults, new byte[] {0, 0, 0x20, 0, 0x10, 0},
                        "unknown message type: a name of 4096 bytes, longer than any registered"),
                new BadInput<>("bytes that do not parse", defaults, frame(STRING_VALUE, new byte[] {0x0a, 5, 'a'}),
                        "3 bytes of google.protobuf.StringValue do not parse: While parsing a protocol message, "
                                + "the input ended unexpectedly"),
                new BadInput<>("a string that is not UTF-8", defaults,
                        frame(STRING_VALUE, new byte[] {0x0a, 2, (byte) 0xff, (byte) 0xfe}),
                        "do not parse: Protocol message had invalid UTF-8."),
                new BadInput<>("type name longer than the frame", defaults, new byte[] {0, 0, 0, 10, 0, 100},
                        "type name length 100 exceeds the 8 bytes the frame has left"),
                new BadInput<>("length too short for a type name", defaults, new byte[] {0, 0, 0, 1},
                        "length field 1 leaves no room for the 2-byte type name length"));
    }

    // ---- specific to protobuf ----------------------------------------------------------------

    /** The reference framing, written from the original plugin's layout. */
    private static byte[] frame(String typeName, byte[] message) {
        byte[] name = typeName.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(6 + name.length + message.length).putInt(2 + name.length + message.length)
                .putShort((short) name.length).put(name).put(message).array();
    }

    @Test
    void packsTheOriginalPluginsLayout() {
        byte[] packed = encode(defaults, List.of(StringValue.of("hi")));
        assertArrayEquals(frame(STRING_VALUE, new byte[] {0x0a, 2, 'h', 'i'}), packed);
        assertArrayEquals(new byte[] {0, 0, 0, 33, 0, 27}, Arrays.copyOf(packed, 6));
        // Types nobody registered are packed under their full name too.
        com.google.protobuf.Duration duration = com.google.protobuf.Duration.newBuilder().setSeconds(3).build();
        assertArrayEquals(frame("google.protobuf.Duration", duration.toByteArray()),
                encode(defaults, List.of(duration)));
    }

    @Test
    void usesTypeNamesOfTheirOwnLikeTheOriginalExample() {
        // The original's example sends "msg1" and "msg2" as type names.
        ProtobufProtocol protocol = ProtobufProtocol.builder().register("msg1", StringValue.getDefaultInstance())
                .register("msg2", Int64Value.parser()).build();
        byte[] stream = concat(frame("msg1", StringValue.of("name").toByteArray()),
                frame("msg2", Int64Value.of(2).toByteArray()));
        List<Received> got = decode(protocol, stream, 256, Segmentation.whole());
        assertEquals(List.of(new Received("msg1", StringValue.of("name").toByteArray(), StringValue.of("name")),
                new Received("msg2", Int64Value.of(2).toByteArray(), Int64Value.of(2))), got);
        // A type registered with its prototype is sent under its name; one registered with a parser, under its own.
        assertArrayEquals(stream, concat(encode(protocol, List.of(StringValue.of("name"))),
                frame("msg2", Int64Value.of(2).toByteArray())));
        assertArrayEquals(frame("google.protobuf.Int64Value", Int64Value.of(2).toByteArray()),
                encode(protocol, List.of(Int64Value.of(2))));
    }

    @Test
    void contextIsTheRegisteredNameAndTheMessageOutlivesTheBuffers() {
        List<Object> contexts = new ArrayList<>();
        List<BytesValue> messages = new ArrayList<>();
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(defaults, (c, ctx, message) -> {
            contexts.add(ctx);
            messages.add(assertInstanceOf(BytesValue.class, message));
            return null;
        }).readBufferSize(256))) {
            EmbeddedConnection c = server.connect();
            c.receive(encode(defaults, List.of(BytesValue.of(ByteString.copyFrom(new byte[] {1, 2, 3})))));
            // The second read overwrites the loop's read buffer the first message was parsed from.
            c.receive(encode(defaults, List.of(BytesValue.of(ByteString.copyFrom(new byte[] {7, 7, 7})))));
        }
        assertSame(defaults.typeNames().stream().filter("google.protobuf.BytesValue"::equals).findFirst().get(),
                contexts.get(0));
        assertArrayEquals(new byte[] {1, 2, 3}, messages.get(0).getValue().toByteArray());
        assertArrayEquals(new byte[] {7, 7, 7}, messages.get(1).getValue().toByteArray());
    }

    @Test
    void eachMessageGoesToTheHandlerAndNothingStaysWithTheConnection() {
        List<String> seen = new ArrayList<>();
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(defaults, (c, ctx, message) -> {
            seen.add(assertInstanceOf(StringValue.class, message).getValue());
            return null;
        }))) {
            EmbeddedConnection c = server.connect();
            c.receive(encode(defaults, List.of(StringValue.of("x"), StringValue.of("y"))));
            assertEquals(List.of("x", "y"), seen);
            assertNull(c.connection().protocolState(), "the protocol keeps no per-connection state");
        }
    }

    /**
     * Over a real socket on both transports: the handler gets each frame's parsed message as its
     * argument, of the registered class, with the registered name as its context, and its reply
     * (another type) is packed under that type's name.
     */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void handlerReceivesTheParsedMessageOverARealSocket(Transport transport) throws Exception {
        List<String> names = new CopyOnWriteArrayList<>();
        Server server = Server.builder(defaults, (connection, typeName, message) -> {
            names.add((String) typeName);
            if (message instanceof StringValue text) {
                return StringValue.of(text.getValue().toUpperCase(Locale.ROOT));
            }
            if (message instanceof Int64Value number) {
                return Timestamp.newBuilder().setSeconds(number.getValue()).build();
            }
            return null;
        }).address("127.0.0.1").port(0).loops(1).transport(transport).daemonThreads(true).build();
        server.start();
        try (TestClient client = TestClient.connect(server)) {
            client.write(concat(frame(STRING_VALUE, StringValue.of("hello").toByteArray()),
                    frame("google.protobuf.Int64Value", Int64Value.of(42).toByteArray())));
            byte[] upper = frame(STRING_VALUE, StringValue.of("HELLO").toByteArray());
            byte[] time = frame("google.protobuf.Timestamp",
                    Timestamp.newBuilder().setSeconds(42).build().toByteArray());
            assertArrayEquals(concat(upper, time), client.readExactly(upper.length + time.length));
            assertEquals(List.of(STRING_VALUE, "google.protobuf.Int64Value"), names);
        } finally {
            server.stop(Duration.ZERO);
        }
    }

    @Test
    void acceptsAFrameOfExactlyMaxFrameLength() {
        ProtobufProtocol protocol = wellKnownTypes().maxFrameLength(300).build();
        // The frame: a 4-byte length, a 2-byte name length, the name, then the message's tag,
        // 2-byte length and bytes: 35 + 3 + n bytes.
        int overhead = 6 + "google.protobuf.BytesValue".length() + 3;
        for (int frameLength : new int[] {299, 300}) {
            BytesValue value = BytesValue.of(ByteString.copyFrom(new byte[frameLength - overhead]));
            byte[] packed = encode(protocol, List.of(value));
            assertEquals(frameLength, packed.length);
            assertEquals(List.of(new Received("google.protobuf.BytesValue", value.toByteArray(), value)),
                    decode(protocol, packed, 256, Segmentation.byteByByte()));
        }
        byte[] over = frame("google.protobuf.BytesValue",
                BytesValue.of(ByteString.copyFrom(new byte[301 - overhead])).toByteArray());
        assertEquals(301, over.length);
        assertEquals("frame length 301 (length field 297) exceeds maxFrameLength 300",
                protocolError(protocol, over, Segmentation.whole(), "exceeds maxFrameLength").getMessage());
    }

    @Test
    void rejectsAnUnknownNameAsSoonAsItArrives() {
        byte[] bad = frame("nope", new byte[100]);
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(defaults, (c, ctx, p) -> null)
                .readBufferSize(256))) {
            EmbeddedConnection c = server.connect();
            c.receive(bad, 0, 9);
            assertTrue(c.isOpen(), "the name is not complete yet");
            c.receive(bad, 9, 1);
            ProtocolException e = assertProtocolError(c, "unknown message type 'nope'");
            assertTrue(e.getMessage().startsWith("unknown message type 'nope'"), e.getMessage());
        }
    }

    @Test
    void quotesAnUnknownNameSafely() {
        byte[] name = new byte[150];
        Arrays.fill(name, (byte) 'a');
        name[0] = '\n';
        ProtobufProtocol protocol = ProtobufProtocol.builder().register("a".repeat(200), StringValue.parser()).build();
        ProtocolException e = protocolError(protocol, frame(new String(name, StandardCharsets.US_ASCII), new byte[0]),
                Segmentation.whole(), "unknown message type");
        assertTrue(e.getMessage().startsWith("unknown message type '\\x0a" + "a".repeat(99) + "...' (registered: "),
                e.getMessage());
    }

    @Test
    void packsOnlyMessages() {
        Throwable e = packingFailure(defaults, new byte[1]);
        assertEquals("Cannot pack a [B: this protocol packs com.google.protobuf.Message",
                assertInstanceOf(IllegalArgumentException.class, e).getMessage());
    }

    @Test
    void builderNamesTheBadArgument() {
        assertEquals("typeName is already registered: google.protobuf.StringValue",
                assertThrows(IllegalArgumentException.class, () -> ProtobufProtocol.builder()
                        .register(StringValue.getDefaultInstance()).register(STRING_VALUE, BytesValue.parser()))
                        .getMessage());
        assertEquals("typeName must not be empty", assertThrows(IllegalArgumentException.class,
                () -> ProtobufProtocol.builder().register("", StringValue.parser())).getMessage());
        assertEquals("typeName must fit 65535 bytes in UTF-8: 65536", assertThrows(IllegalArgumentException.class,
                () -> ProtobufProtocol.builder().register("x".repeat(65536), StringValue.parser())).getMessage());
        assertEquals("maxFrameLength must be >= 6: 5", assertThrows(IllegalArgumentException.class,
                () -> ProtobufProtocol.builder().maxFrameLength(5)).getMessage());
        assertEquals("prototype google.protobuf.StringValue is already registered as msg1",
                assertThrows(IllegalArgumentException.class, () -> ProtobufProtocol.builder()
                        .register("msg1", StringValue.getDefaultInstance()).register(StringValue.getDefaultInstance()))
                        .getMessage());
        assertThrows(NullPointerException.class,
                () -> ProtobufProtocol.builder().register("x", (Parser<StringValue>) null));
        assertThrows(NullPointerException.class, () -> ProtobufProtocol.builder().register(null));
        assertEquals(List.of(STRING_VALUE, "google.protobuf.BytesValue", "google.protobuf.Int64Value",
                "google.protobuf.Timestamp", "google.protobuf.Struct", "google.protobuf.Empty"),
                new ArrayList<>(defaults.typeNames()));
        assertEquals(ProtobufProtocol.DEFAULT_MAX_FRAME_LENGTH, defaults.maxFrameLength());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
