package io.gev.bench.jmh;

import io.gev.buffer.RingBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.ByteBuffer;
import java.util.Random;

/** The ring's operations on gev's paths: copy in and out, wrap-around, views, delimiter search. */
@State(Scope.Thread)
public class RingBufferBenchmark extends MicroBenchmark {

    @Param({"6", "512", "4096"})
    int size;

    private RingBuffer ring;
    private RingBuffer wrapping;
    private byte[] message;
    private byte[] sink;
    private final ByteBuffer[] segments = new ByteBuffer[RingBuffer.MAX_SEGMENTS];
    private RingBuffer lines;

    @Setup
    public void setUp() {
        message = new byte[size];
        new Random(1).nextBytes(message);
        sink = new byte[size];
        ring = RingBuffer.allocateDirect(8192);
        // Capacity not a multiple of the size: writes keep wrapping around the end.
        wrapping = RingBuffer.allocateDirect(size * 3 + 7);
        wrapping.write(message, 0, Math.max(1, size / 2));
        lines = RingBuffer.allocateDirect(8192);
        byte[] text = new byte[size];
        java.util.Arrays.fill(text, (byte) 'a');
        text[size - 1] = '\n';
        lines.write(text);
    }

    /** One message in, one out: the copy a connection's buffer makes of a partial frame. */
    @Benchmark
    public int writeThenRead() {
        ring.write(message);
        return ring.read(sink, 0, size);
    }

    /** The same across the ring's end, half the time in two pieces. */
    @Benchmark
    public int writeThenReadWrapping() {
        wrapping.write(message);
        return wrapping.read(sink, 0, size);
    }

    /** What the write path hands to writev: the readable bytes as one or two views. */
    @Benchmark
    public void peekSegmentsThenRetrieve(Blackhole bh) {
        wrapping.write(message);
        int n = wrapping.peekSegments(size, segments);
        bh.consume(segments[0]);
        bh.consume(n);
        wrapping.retrieve(size);
    }

    /** What a protocol hands to the handler: a contiguous view of a frame (copied when it wraps). */
    @Benchmark
    public ByteBuffer peekViewThenRetrieve() {
        wrapping.write(message);
        ByteBuffer view = wrapping.peekView(size);
        wrapping.retrieve(size);
        return view;
    }

    /** A line protocol's search for its delimiter at the end of {@code size} bytes. */
    @Benchmark
    public int indexOfNewline() {
        return lines.indexOf((byte) '\n');
    }
}
