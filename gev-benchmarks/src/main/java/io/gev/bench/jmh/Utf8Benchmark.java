package io.gev.bench.jmh;

import io.gev.buffer.RingBuffer;
import io.gev.protocol.Frame;
import io.gev.websocket.WebSocketMessage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 validation of WebSocket text frames: gev's validator against {@link Utf8Reference} and the
 * JDK's decoder. gev's {@code Utf8Validator} is package-private and runs inside its frame decoder,
 * so it is measured there: a masked text frame decoded (unmasked, then validated) against the same
 * bytes in a binary frame (unmasked only); the difference is the validation.
 */
@State(Scope.Thread)
public class Utf8Benchmark extends MicroBenchmark {

    @Param({"6", "512", "4096"})
    int size;

    /** ascii: English text; mixed: one three-byte character in four. */
    @Param({"ascii", "mixed"})
    String text;

    private byte[] utf8;
    private CharsetDecoder decoder;
    private java.nio.CharBuffer chars;
    private OpenWebSocket ws;
    private RingBuffer in;
    private byte[] textFrame;
    private byte[] binaryFrame;
    private final Frame<WebSocketMessage> frame = new Frame<>();

    @Setup
    public void setUp() {
        StringBuilder sb = new StringBuilder();
        while (sb.toString().getBytes(StandardCharsets.UTF_8).length < size) {
            sb.append(text.equals("ascii") ? "abc " : "abc\u4e2d");
        }
        // Cut to at most size bytes on a character boundary, so the input stays valid.
        while (sb.toString().getBytes(StandardCharsets.UTF_8).length > size) {
            sb.setLength(sb.length() - 1);
        }
        utf8 = sb.toString().getBytes(StandardCharsets.UTF_8);
        decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        chars = java.nio.CharBuffer.allocate(size);
        ws = new OpenWebSocket();
        in = RingBuffer.allocateDirect(64 * 1024);
        textFrame = OpenWebSocket.clientTextFrame(utf8);
        binaryFrame = OpenWebSocket.clientBinaryFrame(utf8);
    }

    /** The reference validator: validation alone, no characters produced. */
    @Benchmark
    public boolean utf8Validate() {
        return Utf8Reference.isValid(utf8, 0, utf8.length);
    }

    /** The JDK's strict decoder into a reused buffer: what validating by decoding costs. */
    @Benchmark
    public boolean utf8JdkDecoder() {
        decoder.reset();
        chars.clear();
        return !decoder.decode(ByteBuffer.wrap(utf8), chars, true).isError();
    }

    /** The easy way, which allocates a String per frame. */
    @Benchmark
    public boolean utf8JdkDecodeToString() throws CharacterCodingException {
        return decoder.decode(ByteBuffer.wrap(utf8)).length() >= 0;
    }

    /** gev's decoder on a masked text frame of the text: unmasking plus gev's validator. */
    @Benchmark
    public ByteBuffer utf8GevTextFrame() {
        return decode(textFrame);
    }

    /** The same bytes as a binary frame, which gev does not validate: the baseline of the above. */
    @Benchmark
    public ByteBuffer utf8GevBinaryFrame() {
        return decode(binaryFrame);
    }

    private ByteBuffer decode(byte[] wire) {
        in.write(wire);
        frame.clear();
        if (!ws.protocol.unpack(ws.connection, in, frame)) {
            throw new IllegalStateException("no frame decoded");
        }
        return frame.message().payload();
    }
}
