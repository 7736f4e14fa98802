package io.gev.reliability;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Hostile clients for one port: each connects, sends what {@code request} makes for it (all at
 * once, or one byte per {@code dribble} like a slowloris), keeps the first bytes the server
 * answers and notes when the server closed the connection. One thread, one selector.
 */
final class Crowd implements AutoCloseable {

    private static final int KEPT = 64;

    private final List<Member> members = new ArrayList<>();
    private final Selector selector;

    private static final class Member {
        final SocketChannel channel;
        final byte[] request;
        final long connectedNanos;
        int sent;
        final ByteBuffer head = ByteBuffer.allocate(KEPT);
        long received;
        long closedNanos = -1;

        Member(SocketChannel channel, byte[] request) {
            this.channel = channel;
            this.request = request;
            this.connectedNanos = System.nanoTime();
        }
    }

    private Crowd(int port, int count, IntFunction<byte[]> request, boolean dribble) throws IOException {
        selector = Selector.open();
        for (int i = 0; i < count; i++) {
            SocketChannel c = SocketChannel.open();
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c.connect(new InetSocketAddress("127.0.0.1", port));
            Member m = new Member(c, request.apply(i));
            c.configureBlocking(false);
            c.register(selector, SelectionKey.OP_READ, m);
            members.add(m);
            if (!dribble) {
                write(m, m.request.length);
            }
        }
    }

    /** {@code count} clients that each send their whole request at once. */
    static Crowd rush(int port, int count, IntFunction<byte[]> request) throws IOException {
        return new Crowd(port, count, request, false);
    }

    /** {@code count} clients that will send their request one byte per {@link #await} period. */
    static Crowd slowloris(int port, int count, IntFunction<byte[]> request) throws IOException {
        return new Crowd(port, count, request, true);
    }

    /** Writes up to {@code n} more bytes of the request, as far as the socket takes them. */
    private static void write(Member m, int n) {
        if (m.closedNanos >= 0 || m.sent >= m.request.length) {
            return;
        }
        try {
            m.sent += m.channel.write(ByteBuffer.wrap(m.request, m.sent, Math.min(n, m.request.length - m.sent)));
        } catch (IOException e) {
            // The server closed it already: the read side notes when.
        }
    }

    /**
     * Reads what the server sends until every connection is closed or {@code timeout} passes; with
     * a {@code dribble} period, sends each open connection one more byte of its request every
     * period (a deliberately slow client). Returns the connections still open.
     */
    int await(Duration timeout, Duration dribble) throws IOException {
        long now = System.nanoTime();
        long deadline = now + timeout.toNanos();
        long nextDribble = dribble == null ? Long.MAX_VALUE : now;
        ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
        while (open() > 0 && (now = System.nanoTime()) < deadline) {
            if (now >= nextDribble) {
                for (Member m : members) {
                    write(m, 1);
                }
                nextDribble = now + dribble.toNanos();
            }
            long wait = Math.max(1, Math.min(deadline, nextDribble) - now);
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)));
            for (SelectionKey key : selector.selectedKeys()) {
                read((Member) key.attachment(), key, sink);
            }
            selector.selectedKeys().clear();
        }
        return open();
    }

    private static void read(Member m, SelectionKey key, ByteBuffer sink) {
        int n;
        try {
            do {
                sink.clear();
                n = m.channel.read(sink);
                if (n > 0) {
                    m.received += n;
                    sink.flip();
                    while (m.head.hasRemaining() && sink.hasRemaining()) {
                        m.head.put(sink.get());
                    }
                }
            } while (n > 0);
        } catch (IOException e) {
            n = -1; // reset
        }
        if (n < 0) {
            m.closedNanos = System.nanoTime();
            key.cancel();
        }
    }

    int open() {
        int n = 0;
        for (Member m : members) {
            if (m.closedNanos < 0) {
                n++;
            }
        }
        return n;
    }

    int size() {
        return members.size();
    }

    /** How many got an answer starting with {@code prefix}. */
    int answeredWith(String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.ISO_8859_1);
        int n = 0;
        for (Member m : members) {
            if (m.head.position() >= p.length && Arrays.equals(m.head.array(), 0, p.length, p, 0, p.length)) {
                n++;
            }
        }
        return n;
    }

    /** Whether every client got back exactly what it sent (an echo server). */
    boolean allEchoed() {
        for (Member m : members) {
            int k = Math.min(KEPT, m.request.length);
            if (m.received != m.request.length || !Arrays.equals(m.head.array(), 0, k, m.request, 0, k)) {
                return false;
            }
        }
        return true;
    }

    /** The shortest and longest time from connect to the server's close, in ms, of those closed. */
    long[] closeMillis() {
        long min = Long.MAX_VALUE;
        long max = 0;
        for (Member m : members) {
            if (m.closedNanos >= 0) {
                long ms = TimeUnit.NANOSECONDS.toMillis(m.closedNanos - m.connectedNanos);
                min = Math.min(min, ms);
                max = Math.max(max, ms);
            }
        }
        return new long[] {min == Long.MAX_VALUE ? -1 : min, max};
    }

    /** One answer, for failure messages. */
    String sample() {
        for (Member m : members) {
            if (m.head.position() > 0) {
                return new String(m.head.array(), 0, m.head.position(), StandardCharsets.ISO_8859_1).replace("\r\n", " | ");
            }
        }
        return "(no answer)";
    }

    @Override
    public void close() throws IOException {
        for (Member m : members) {
            m.channel.close();
        }
        selector.close();
    }
}
