package io.gev.testing;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A client socket on 127.0.0.1 whose writes reach the server cut into TCP segments: its output
 * stream splits every write at points drawn from a seeded {@link Random} (see {@link Cuts}),
 * sends each piece with a system call of its own (TCP_NODELAY is on) and then parks the writing
 * thread for 0 to 2 ms (0 to 1 ms after a one-byte piece, of which there are many), so that most
 * pieces arrive as reads of their own. Only the client's thread pauses; the server runs as it
 * would.
 *
 * <p>A {@link #tls TLS socket layered over it} writes its records through the same output stream,
 * so the records, the ClientHello included, are cut the same way.
 */
public final class SegmentedSocket extends Socket {

    /** The largest segment {@link Cuts#random()} cuts. */
    public static final int MAX_SEGMENT = 3000;
    /** The longest pause after a segment of more than one byte. */
    public static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final Random random;
    private Cuts cuts;
    private OutputStream output;
    private long segments;

    private SegmentedSocket(long seed, Cuts cuts) {
        this.random = new Random(seed);
        this.cuts = Objects.requireNonNull(cuts, "cuts");
    }

    /**
     * Connects to {@code 127.0.0.1:port} with TCP_NODELAY and the read timeout of
     * {@link TestClient#TIMEOUT_MILLIS}; {@code seed} draws the cuts and the pauses.
     */
    public static SegmentedSocket connect(int port, long seed, Cuts cuts) throws IOException {
        SegmentedSocket socket = new SegmentedSocket(seed, cuts);
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(TestClient.TIMEOUT_MILLIS);
            socket.connect(new InetSocketAddress("127.0.0.1", port), TestClient.TIMEOUT_MILLIS);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    /** Cuts the writes that follow as {@code cuts} says. */
    public synchronized SegmentedSocket cuts(Cuts cuts) {
        this.cuts = Objects.requireNonNull(cuts, "cuts");
        return this;
    }

    /** The segments written so far. */
    public synchronized long segments() {
        return segments;
    }

    /**
     * A TLS client socket layered over this one (closing it closes this one) that has completed
     * its handshake with {@code localhost}, checking the server's certificate against that name.
     */
    public SSLSocket tls(SSLContext context) throws IOException {
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(this, "localhost", getPort(), true);
        try {
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(parameters);
            tls.setSoTimeout(TestClient.TIMEOUT_MILLIS);
            tls.startHandshake();
        } catch (IOException | RuntimeException e) {
            tls.close();
            throw e;
        }
        return tls;
    }

    @Override
    public synchronized OutputStream getOutputStream() throws IOException {
        if (output == null) {
            OutputStream socket = super.getOutputStream();
            output = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                    Objects.checkFromIndexSize(offset, length, bytes.length);
                    // One writer at a time, so that the cuts of a seed come out the same.
                    synchronized (SegmentedSocket.this) {
                        while (length > 0) {
                            int size = Math.max(1, Math.min(length, cuts.next(random, length)));
                            socket.write(bytes, offset, size);
                            segments++;
                            offset += size;
                            length -= size;
                            // Byte-by-byte runs send many segments: half the pause is enough for them.
                            LockSupport.parkNanos(random.nextInt((int) (size == 1 ? MAX_PAUSE_NANOS / 2 : MAX_PAUSE_NANOS) + 1));
                        }
                    }
                }
            };
        }
        return output;
    }

    @Override
    public String toString() {
        return "SegmentedSocket[" + cuts + ", " + super.toString() + "]";
    }

    /** Where a write is cut: the size of each next segment. */
    @FunctionalInterface
    public interface Cuts {

        /**
         * The size of the next segment, from 1 to {@code remaining} (larger sizes are cut to
         * {@code remaining}).
         */
        int next(Random random, int remaining);

        /**
         * Sizes from 1 to {@value #MAX_SEGMENT} bytes: four in ten of 1 to 8 bytes (cuts inside
         * headers and length fields), two of up to 200, four of up to 3,000 (cuts that span frames).
         */
        static Cuts random() {
            return new Cuts() {
                @Override
                public int next(Random random, int remaining) {
                    int kind = random.nextInt(10);
                    return 1 + random.nextInt(kind < 4 ? 8 : kind < 6 ? 200 : MAX_SEGMENT);
                }

                @Override
                public String toString() {
                    return "random cuts";
                }
            };
        }

        /** One byte per segment. */
        static Cuts byteByByte() {
            return fixed(1);
        }

        /** Segments of {@code size} bytes, the last one of a write shorter. */
        static Cuts fixed(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("size must be >= 1: " + size);
            }
            return new Cuts() {
                @Override
                public int next(Random random, int remaining) {
                    return size;
                }

                @Override
                public String toString() {
                    return size + "-byte segments";
                }
            };
        }

        /** Each write in one segment. */
        static Cuts whole() {
            return new Cuts() {
                @Override
                public int next(Random random, int remaining) {
                    return remaining;
                }

                @Override
                public String toString() {
                    return "whole writes";
                }
            };
        }
    }
}
