package io.gev.bench.jmh;

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
 * UTF-8 validation of WebSocket text frames: {@link Utf8Reference} against the JDK's decoder, the
 * baselines gev's {@code io.gev.websocket} validator has to beat; it joins here once the
 * websocket branch lands.
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
    }

    /** Validation alone, no characters produced. */
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
}
