package io.gev.bench.jmh;

import com.google.protobuf.Message;
import io.gev.websocket.WebSocketMessage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmh.annotations.Param;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every protocol and size {@link ProtocolBenchmark} runs decodes its wire bytes as one frame and
 * packs a reply of the size that protocol's framing gives, so a broken setup fails the build
 * instead of timing an error path.
 */
class ProtocolBenchmarkTest {

    static List<Arguments> params() throws NoSuchFieldException {
        List<Arguments> params = new ArrayList<>();
        for (String protocol : values("protocol")) {
            for (String size : values("size")) {
                params.add(Arguments.of(protocol, Integer.parseInt(size)));
            }
        }
        return params;
    }

    private static String[] values(String field) throws NoSuchFieldException {
        return ProtocolBenchmark.class.getDeclaredField(field).getAnnotation(Param.class).value();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("params")
    void decodesOneFrameAndPacksTheReply(String protocol, int size) {
        ProtocolBenchmark benchmark = new ProtocolBenchmark();
        benchmark.protocol = protocol;
        benchmark.size = size;
        benchmark.setUp();
        int reply = expectedReply(protocol, size);
        assertEquals(reply, benchmark.unpackAndPackEcho());
        // Again: what the first call left in the connection's state must not change the second.
        assertEquals(reply, benchmark.unpackAndPackEcho());
        assertEquals(size, payloadSize(benchmark.unpack()));
        assertEquals(reply, benchmark.echoThroughConnection(), "the whole path echoes one frame");
        assertEquals(reply, benchmark.echoThroughConnection());
    }

    /** The bytes of a decoded message: a payload view, a parsed protobuf message or a WebSocket message. */
    private static int payloadSize(Object message) {
        if (message instanceof ByteBuffer bytes) {
            return bytes.remaining();
        }
        if (message instanceof Message parsed) {
            return parsed.getSerializedSize();
        }
        return ((WebSocketMessage) message).size();
    }

    /** The reply's size on the wire, from each protocol's framing. */
    private static int expectedReply(String protocol, int size) {
        switch (protocol) {
            case "raw":
                return size;
            case "lengthField":
                return 4 + size;
            case "line":
                return size + 1;
            case "protobuf":
                return 4 + 2 + "google.protobuf.BytesValue".length() + size;
            case "websocket":
                return (size < 126 ? 2 : size < 65536 ? 4 : 10) + size;
            default:
                throw new AssertionError("no expected reply size for " + protocol);
        }
    }
}
