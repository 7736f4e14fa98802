package io.gev.bench.jmh;

import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import io.gev.Connection;
import io.gev.Handler;
import io.gev.Server;
import io.gev.buffer.RingBuffer;
import io.gev.embedded.EmbeddedConnection;
import io.gev.embedded.EmbeddedServer;
import io.gev.protocol.Frame;
import io.gev.protocol.LengthFieldProtocol;
import io.gev.protocol.LineProtocol;
import io.gev.protocol.Protocol;
import io.gev.protocol.RawProtocol;
import io.gev.protocol.protobuf.ProtobufProtocol;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * The built-in frame decoders on the echo path without sockets: one frame's bytes arrive in a
 * ring, the protocol unpacks it on a real gev connection (of an {@link EmbeddedServer}), the reply
 * is packed into an outbound ring, which is then drained. {@link #echoThroughConnection} runs the
 * whole data path instead: the frame is read from the connection's in-memory socket into the
 * loop's buffer, decoded, handed to an echoing handler, packed and written back. {@code size} is the payload the handler gets; the wire adds each protocol's
 * framing: a 4-byte big-endian length ({@code lengthField}), a {@code \n} ({@code line}), the
 * length, name length and type name of a {@code google.protobuf.BytesValue} ({@code protobuf},
 * whose payload is the serialized message), a masked binary frame from a client
 * ({@code websocket}, unmasked in place, answered with an unmasked frame). The reply is the
 * decoded message itself, as an echoing handler returns it: the payload view, the parsed
 * protobuf message, the WebSocket message.
 */
@State(Scope.Thread)
public class ProtocolBenchmark extends MicroBenchmark {

    @Param({"raw", "lengthField", "line", "protobuf", "websocket"})
    String protocol;

    @Param({"6", "512", "4096"})
    int size;

    /** Of each protocol's message type; the benchmark only hands the messages on. */
    private Protocol<Object> codec;
    private Connection connection;
    private EmbeddedConnection embedded;
    private final Frame<Object> frame = new Frame<>();
    private RingBuffer in;
    private RingBuffer out;
    private byte[] wire;

    @Setup
    public void setUp() {
        byte[] payload = new byte[size];
        new Random(1).nextBytes(payload);
        switch (protocol) {
            case "raw":
                codec = anyMessage(RawProtocol.INSTANCE);
                wire = payload;
                break;
            case "lengthField":
                codec = anyMessage(LengthFieldProtocol.builder().build());
                wire = ByteBuffer.allocate(4 + size).putInt(size).put(payload).array();
                break;
            case "line":
                codec = anyMessage(LineProtocol.builder().build());
                for (int i = 0; i < size; i++) {
                    if (payload[i] == '\n') {
                        payload[i] = ' ';
                    }
                }
                wire = ByteBuffer.allocate(size + 1).put(payload).put((byte) '\n').array();
                break;
            case "protobuf":
                codec = anyMessage(ProtobufProtocol.builder().register(BytesValue.getDefaultInstance()).build());
                wire = protobufFrame(payload);
                break;
            case "websocket":
                OpenWebSocket ws = new OpenWebSocket();
                codec = anyMessage(ws.protocol);
                embedded = ws.embedded;
                wire = OpenWebSocket.clientBinaryFrame(payload);
                break;
            default:
                throw new IllegalArgumentException("unknown protocol " + protocol);
        }
        if (embedded == null) {
            Handler<Object> echo = (c, ctx, message) -> message;
            embedded = EmbeddedServer.start(Server.builder(codec, echo)).connect();
        }
        connection = embedded.connection();
        in = RingBuffer.allocateDirect(64 * 1024);
        out = RingBuffer.allocateDirect(64 * 1024);
    }

    @SuppressWarnings("unchecked")
    private static Protocol<Object> anyMessage(Protocol<?> protocol) {
        return (Protocol<Object>) protocol;
    }

    /** A frame of the largest BytesValue whose serialized form fits {@code payload.length} bytes. */
    private static byte[] protobufFrame(byte[] payload) {
        BytesValue message = null;
        for (int n = payload.length; message == null || message.getSerializedSize() > payload.length; n--) {
            message = BytesValue.newBuilder().setValue(ByteString.copyFrom(payload, 0, n)).build();
        }
        byte[] name = BytesValue.getDescriptor().getFullName().getBytes(StandardCharsets.UTF_8);
        byte[] body = message.toByteArray();
        return ByteBuffer.allocate(6 + name.length + body.length)
                .putInt(2 + name.length + body.length).putShort((short) name.length).put(name).put(body)
                .array();
    }

    /** Decode one frame and pack the reply; returns the bytes the reply took on the wire. */
    @Benchmark
    public int unpackAndPackEcho() {
        decodeOne();
        codec.pack(connection, frame.message(), out);
        int n = out.length();
        out.retrieveAll();
        return n;
    }

    /**
     * One frame through the real connection: read, decode, the handler's echo, pack and write;
     * returns the bytes written.
     */
    @Benchmark
    public int echoThroughConnection() {
        embedded.receive(wire);
        int n = embedded.sentLength();
        embedded.discardSent();
        return n;
    }

    /** Decode only, the message left unread. */
    @Benchmark
    public Object unpack() {
        decodeOne();
        return frame.message();
    }

    /** Throws unless the wire bytes made exactly one frame, so a broken setup cannot look fast. */
    private void decodeOne() {
        in.write(wire);
        frame.clear();
        if (!codec.unpack(connection, in, frame)) {
            throw new IllegalStateException("no frame decoded");
        }
        if (in.length() != 0) {
            throw new IllegalStateException(in.length() + " bytes left after one frame");
        }
    }
}
