package io.gev.testing;

import io.gev.Connection;
import io.gev.buffer.RingBuffer;
import io.gev.protocol.Frame;
import io.gev.protocol.Protocol;

import java.nio.ByteBuffer;

/**
 * Feeds bytes to a {@link Protocol} the way a gev connection does, without a socket: each read
 * lands in a per-loop buffer of {@code readBufferSize} bytes, frames are decoded straight from it
 * while the connection holds no leftover bytes, and only an incomplete tail moves into the
 * connection's own ring, which later reads are appended to. Every decoded frame goes to the sink
 * while its payload view is valid. A {@link io.gev.protocol.ProtocolException} propagates, as it
 * would close the connection.
 */
public final class ProtocolDriver {

    /** Receives each frame during the "onMessage" call; the payload is valid only then. */
    public interface Sink {
        void frame(Connection connection, Object context, ByteBuffer payload);
    }

    private final Protocol protocol;
    private final Sink sink;
    private final TestConnection connection = new TestConnection();
    private final RingBuffer scratch;
    /** The connection ring, kept across uses like the loop's buffer pool keeps it. */
    private final RingBuffer pooled = RingBuffer.allocateDirect(4096);
    private final Frame frame = new Frame();
    private RingBuffer in;
    private long frames;
    private int maxBuffered;
    private int maxPayload;

    public ProtocolDriver(Protocol protocol, int readBufferSize, Sink sink) {
        this.protocol = protocol;
        this.sink = sink;
        this.scratch = RingBuffer.allocateDirect(readBufferSize);
    }

    public TestConnection connection() {
        return connection;
    }

    /** Delivers {@code bytes} as socket reads of at most the read buffer's size each. */
    public void read(byte[] bytes) {
        read(bytes, 0, bytes.length);
    }

    public void read(byte[] bytes, int off, int len) {
        while (len > 0) {
            int n = Math.min(len, scratch.capacity());
            scratch.reset();
            scratch.write(bytes, off, n);
            decodeRead();
            off += n;
            len -= n;
        }
    }

    private void decodeRead() {
        if (in == null) {
            decode(scratch);
            if (!scratch.isEmpty()) {
                in = pooled;
                in.write(scratch);
            }
        } else {
            in.write(scratch);
            decode(in);
            if (in.isEmpty()) {
                in.reset();
                in = null;
            }
        }
        maxBuffered = Math.max(maxBuffered, buffered());
    }

    private void decode(RingBuffer src) {
        while (true) {
            frame.clear();
            if (!protocol.unpack(connection, src, frame)) {
                return;
            }
            frames++;
            ByteBuffer payload = frame.payload();
            if (payload != null) {
                maxPayload = Math.max(maxPayload, payload.remaining());
            }
            sink.frame(connection, frame.context(), payload);
        }
    }

    /** Bytes the connection holds for an incomplete frame. */
    public int buffered() {
        return in == null ? 0 : in.length();
    }

    /** The capacity of the connection's ring: what it costs in memory. */
    public int bufferCapacity() {
        return pooled.capacity();
    }

    /** The most bytes ever held for an incomplete frame after a read was decoded. */
    public int maxBuffered() {
        return maxBuffered;
    }

    /** The largest payload handed to the sink. */
    public int maxPayload() {
        return maxPayload;
    }

    public long frames() {
        return frames;
    }
}
