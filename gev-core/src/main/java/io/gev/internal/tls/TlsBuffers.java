package io.gev.internal.tls;

import io.gev.internal.transport.SocketIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The TLS layer's buffers of one loop: buffers lent to connections while they hold ciphertext (or
 * plaintext that did not fit the caller's buffer), so that an idle TLS connection holds none, and
 * the scratch the layer needs for one call. Loop thread only.
 *
 * <p>The JDK's engine works on heap buffers: its AES-GCM processes arrays in place but copies
 * direct buffers through temporary arrays, several kilobytes of garbage per record. The socket
 * needs direct memory, so records pass through one direct {@link #transfer} buffer on their way
 * in and out, a copy the JDK would make anyway. OpenSSL's engine is the other way round: it reads
 * and writes direct memory in place and copies heap buffers through temporary direct ones, so
 * with it every buffer here is direct and the socket reads and writes them without a copy.
 */
public final class TlsBuffers {

    /** Buffers kept for reuse; beyond that, released ones are left to the garbage collector. */
    private static final int MAX_POOLED = 64;

    /** Room for four records: what one socket read or write moves. */
    final int capacity;
    /** Unwraps write here what does not fit the caller's buffer; always empty between calls. */
    final ByteBuffer stage;
    /** The caller's buffer and {@link #stage}, for unwrapping into both. */
    final ByteBuffer[] unwrapTargets = new ByteBuffer[2];

    private final boolean direct;
    /** The socket's side of heap buffers; {@code null} when every buffer is direct. */
    private final ByteBuffer transfer;
    private final ByteBuffer[] single = new ByteBuffer[1];
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();

    public TlsBuffers(TlsContext tls) {
        this.direct = tls.directBuffers();
        this.capacity = 4 * tls.packetBufferSize;
        // A whole record's plaintext must fit here with one byte of the caller's buffer: OpenSSL's
        // engine counts a record's encrypted length against the room, which exceeds its plaintext.
        this.stage = allocate(Math.max(tls.applicationBufferSize, tls.packetBufferSize));
        this.transfer = direct ? null : ByteBuffer.allocateDirect(capacity);
    }

    /** A buffer of the kind the engine works best on. */
    ByteBuffer allocate(int size) {
        return direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
    }

    /** An empty buffer in write mode. */
    ByteBuffer borrow() {
        ByteBuffer buffer = free.pollLast();
        return buffer != null ? buffer : allocate(capacity);
    }

    void release(ByteBuffer buffer) {
        if (buffer.capacity() == capacity && free.size() < MAX_POOLED) {
            buffer.clear();
            free.addLast(buffer);
        }
    }

    /**
     * Reads from {@code socket} into {@code dst} (one of these buffers, in write mode).
     *
     * @return bytes read, 0 when none were available, -1 at end of stream
     */
    int read(SocketIo socket, ByteBuffer dst) throws IOException {
        if (this.direct) {
            return socket.read(dst);
        }
        ByteBuffer direct = transfer;
        direct.clear().limit(Math.min(dst.remaining(), direct.capacity()));
        int n = socket.read(direct);
        if (n > 0) {
            direct.flip();
            dst.put(direct);
        }
        return n;
    }

    /**
     * Writes the bytes of {@code src} (one of these buffers, in read mode) to {@code socket} with
     * one call; leaves its position unchanged.
     *
     * @return bytes written, possibly 0
     */
    long write(SocketIo socket, ByteBuffer src) throws IOException {
        ByteBuffer out = src;
        int position = src.position();
        if (!direct) {
            out = transfer;
            out.clear();
            out.put(src.array(), src.arrayOffset() + position, Math.min(src.remaining(), out.capacity()));
            out.flip();
        }
        single[0] = out;
        try {
            return socket.write(single, 1);
        } finally {
            single[0] = null;
            src.position(position);
        }
    }
}
