package io.gev.bench.jmh;

import io.gev.bench.ws.Masking;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.Random;

/**
 * WebSocket (un)masking: the load generator's word-wise loop against the RFC's byte loop, the
 * baseline gev's {@code io.gev.websocket} code has to beat; that code joins here once the
 * websocket branch lands.
 */
@State(Scope.Thread)
public class MaskingBenchmark extends MicroBenchmark {

    @Param({"6", "512", "4096"})
    int size;

    private byte[] payload;
    private byte[] masked;

    @Setup
    public void setUp() {
        payload = new byte[size];
        new Random(1).nextBytes(payload);
        masked = new byte[size];
    }

    @Benchmark
    public byte[] maskWordWise() {
        Masking.mask(payload, 0, masked, 0, size, 0x37FA213D);
        return masked;
    }

    @Benchmark
    public byte[] maskBytewise() {
        Masking.maskBytewise(payload, 0, masked, 0, size, 0x37FA213D);
        return masked;
    }
}
