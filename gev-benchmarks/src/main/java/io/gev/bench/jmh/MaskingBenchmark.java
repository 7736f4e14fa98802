package io.gev.bench.jmh;

import io.gev.bench.ws.Masking;
import io.gev.buffer.RingBuffer;
import io.gev.protocol.Frame;
import io.gev.websocket.WebSocketMessage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.ByteBuffer;
import java.util.Random;

/**
 * WebSocket (un)masking of {@code size} payload bytes: the load generator's word-wise loop and
 * the RFC's byte loop, array to array, and gev's server-side unmasking, which only runs inside its
 * frame decoder.
 */
@State(Scope.Thread)
public class MaskingBenchmark extends MicroBenchmark {

    @Param({"6", "512", "4096"})
    int size;

    private byte[] payload;
    private byte[] masked;
    private OpenWebSocket ws;
    private RingBuffer in;
    private byte[] frameBytes;
    private final Frame<WebSocketMessage> frame = new Frame<>();

    @Setup
    public void setUp() {
        payload = new byte[size];
        new Random(1).nextBytes(payload);
        masked = new byte[size];
        ws = new OpenWebSocket();
        in = RingBuffer.allocateDirect(64 * 1024);
        frameBytes = OpenWebSocket.clientBinaryFrame(payload);
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

    /**
     * gev unmasking a client's binary frame as the server does: the frame is copied into a direct
     * ring (the read), its header parsed and its payload unmasked in place. gev's unmasking is
     * private to its decoder, so the copy and the header, a few nanoseconds, are included.
     */
    @Benchmark
    public ByteBuffer gevUnmaskDecode() {
        in.write(frameBytes);
        frame.clear();
        if (!ws.protocol.unpack(ws.connection, in, frame)) {
            throw new IllegalStateException("no frame decoded");
        }
        return frame.message().payload();
    }
}
