package io.gev.bench.client;

import io.gev.bench.server.ControlPort;

import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * Starts one benchmark client: C connections to an echo server on 127.0.0.1, each bouncing back
 * what it reads, so one M-byte message is in flight per connection (ping-pong). It prints
 * {@code READY impl=... control=P pid=N} once connected and waits: its control port answers
 * {@code go} (each connection sends one message, bouncing starts), {@code pause} (bouncing stops;
 * answers once the messages in flight are back, at most a second) and {@code count}, each with
 * {@code messages=N errors=E}; and {@code mem} and {@code alloc} as a server's does.
 *
 * <pre>
 * java -cp gev-benchmarks.jar io.gev.bench.client.BenchClient gev|netty PORT CONNECTIONS SIZE [loops]
 * </pre>
 */
public final class BenchClient {

    /** A client the runner can start. */
    public interface Peer extends AutoCloseable {
        /** Opens {@code connections} connections to 127.0.0.1:{@code port} on {@code loops} loop threads. */
        void connect(int port, int connections, int loops) throws Exception;

        /** Sends {@code message} once on every connection, from the calling thread. */
        void sendAll(byte[] message);

        @Override
        void close();
    }

    /** What the clients share: the bytes that came back and whether to bounce them. */
    public static final class Counter {
        private final LongAdder bytes = new LongAdder();
        private final LongAdder errors = new LongAdder();
        private volatile boolean bouncing;

        /** Counts {@code n} bytes read; returns whether to send them back. */
        public boolean read(int n) {
            bytes.add(n);
            return bouncing;
        }

        public void error() {
            errors.increment();
        }

        public long bytes() {
            return bytes.sum();
        }

        public long errors() {
            return errors.sum();
        }

        void bouncing(boolean on) {
            bouncing = on;
        }
    }

    private final Peer peer;
    private final Counter counter;
    private final byte[] message;
    /** Bytes sent by go, and so the bytes that must be back before pause answers. */
    private long expectedBytes;

    BenchClient(Peer peer, Counter counter, int size) {
        this.peer = peer;
        this.counter = counter;
        this.message = new byte[size];
        new java.util.Random(size).nextBytes(message);
    }

    /** Creates the client {@code impl} ({@code gev} or {@code netty}) counting into {@code counter}. */
    public static Peer create(String impl, Counter counter) {
        switch (impl.toLowerCase(Locale.ROOT)) {
            case "gev":
                return new GevEchoClient(counter);
            case "netty":
                return new NettyEchoClient(counter);
            default:
                throw new IllegalArgumentException("unknown client " + impl + ": gev or netty");
        }
    }

    /** Answers a control command; runs on the control port's thread, one command at a time. */
    synchronized String command(String command) {
        switch (command) {
            case "go":
                counter.bouncing(true);
                peer.sendAll(message);
                break;
            case "pause":
                counter.bouncing(false);
                drain();
                break;
            case "count":
                break;
            default:
                return "error=1";
        }
        return "messages=" + counter.bytes() / message.length + " errors=" + counter.errors();
    }

    /** Waits until each connection's message in flight is back, at most a second. */
    private void drain() {
        expectedBytes = (counter.bytes() / message.length + (counter.bytes() % message.length == 0 ? 0 : 1))
                * message.length;
        long deadline = System.nanoTime() + 1_000_000_000L;
        long last = -1;
        while (System.nanoTime() < deadline) {
            long now = counter.bytes();
            if (now == last && now % message.length == 0 && now >= expectedBytes) {
                return;
            }
            last = now;
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: BenchClient gev|netty PORT CONNECTIONS SIZE [loops]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);
        int connections = Integer.parseInt(args[2]);
        int size = Integer.parseInt(args[3]);
        int loops = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        Counter counter = new Counter();
        Peer peer = create(args[0], counter);
        BenchClient client = new BenchClient(peer, counter, size);
        peer.connect(port, connections, loops);
        Runtime.getRuntime().addShutdownHook(new Thread(peer::close));
        ControlPort control = new ControlPort(client::command);
        System.out.println("READY impl=" + args[0] + " control=" + control.port()
                + " pid=" + ProcessHandle.current().pid() + " loops=" + loops);
        System.out.flush();
        Thread.currentThread().join();
    }
}
