package io.gev.bench.jmh;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

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
}
