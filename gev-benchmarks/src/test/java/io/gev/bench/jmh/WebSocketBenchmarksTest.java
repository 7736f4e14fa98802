package io.gev.bench.jmh;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmarks that go through gev's WebSocket decoder get back the bytes they put in. */
class WebSocketBenchmarksTest {

    private static byte[] bytes(ByteBuffer view) {
        byte[] b = new byte[view.remaining()];
        view.get(view.position(), b);
        return b;
    }

    @ParameterizedTest
    @ValueSource(ints = {6, 512, 4096})
    void gevUnmaskDecodeYieldsThePayload(int size) {
        MaskingBenchmark benchmark = new MaskingBenchmark();
        benchmark.size = size;
        benchmark.setUp();
        byte[] payload = new byte[size];
        new Random(1).nextBytes(payload);
        assertArrayEquals(payload, bytes(benchmark.gevUnmaskDecode()));
        assertArrayEquals(payload, bytes(benchmark.gevUnmaskDecode()));
    }

    @ParameterizedTest
    @CsvSource({"6, ascii", "6, mixed", "512, ascii", "512, mixed", "4096, ascii", "4096, mixed"})
    void textAndBinaryFramesYieldTheText(int size, String text) {
        Utf8Benchmark benchmark = new Utf8Benchmark();
        benchmark.size = size;
        benchmark.text = text;
        benchmark.setUp();
        byte[] fromText = bytes(benchmark.utf8GevTextFrame());
        byte[] fromBinary = bytes(benchmark.utf8GevBinaryFrame());
        assertArrayEquals(fromText, fromBinary);
        // The input is cut to size on a character boundary.
        assertTrue(fromText.length >= size - 2 && fromText.length <= size, fromText.length + " bytes");
        String repeated = (text.equals("ascii") ? "abc " : "abc\u4e2d").repeat(size);
        assertTrue(repeated.startsWith(new String(fromText, StandardCharsets.UTF_8)));
    }
}
