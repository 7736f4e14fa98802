package io.gev.bench.jmh;

import io.gev.buffer.RingBuffer;
import io.gev.protocol.Frame;
import io.gev.protocol.Protocol;
import io.gev.protocol.RawProtocol;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.Random;

/**
 * The built-in frame decoders on the echo path without sockets: bytes arrive in the loop's
 * buffer, the protocol unpacks a frame, the reply is packed into the outbound ring, which is then
 * drained. Only {@link RawProtocol} is on this branch; the length-field, line and WebSocket
 * decoders join this class (one {@code @Param} value each) once their branches land.
 */
@State(Scope.Thread)
public class ProtocolBenchmark extends MicroBenchmark {

    @Param({"raw"})
    String protocol;

    @Param({"6", "512", "4096"})
    int size;

    private Protocol codec;
    private final StubConnection connection = new StubConnection();
    private final Frame frame = new Frame();
    private RingBuffer in;
    private RingBuffer out;
    private byte[] wire;

    @Setup
    public void setUp() {
        codec = RawProtocol.INSTANCE;
        wire = new byte[size];
        new Random(1).nextBytes(wire);
        in = RingBuffer.allocateDirect(64 * 1024);
        out = RingBuffer.allocateDirect(64 * 1024);
        codec.onConnect(connection);
    }

    /** Decode one frame and pack its payload as the reply. */
    @Benchmark
    public int unpackAndPackEcho() {
        in.write(wire);
        frame.clear();
        if (!codec.unpack(connection, in, frame)) {
            throw new IllegalStateException("no frame decoded");
        }
        codec.pack(connection, frame.payload(), out);
        int n = out.length();
        out.retrieveAll();
        return n;
    }

    /** Decode only, the payload left unread. */
    @Benchmark
    public Object unpack() {
        in.write(wire);
        frame.clear();
        codec.unpack(connection, in, frame);
        in.retrieveAll();
        return frame.payload();
    }
}
