package io.gev.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Map;

/**
 * Mode {@code connect}. Churn (default): C connections at a time each connect, send 8 bytes, verify
 * their echo and close with a reset (SO_LINGER 0, so no TIME_WAIT piles up), then start over; an
 * operation is one such cycle. Idle ({@code --idle}): open C connections the same way but keep them
 * open and ask the server's control port for its heap and direct memory before and after.
 * Churn can alternate between two servers like the other modes ({@link LoadRun#measure}).
 */
final class ConnectLoad extends LoadRun {

    private static final int CONNECTING = 0;
    private static final int AWAIT_ECHO = 1;
    private static final int HELD = 2;
    private static final int DONE = 3;
    private static final int MAX_ERRORS = 1000;

    private final Server[] servers;
    private final ByteBuffer token = ByteBuffer.allocate(8);
    private final ByteBuffer echo = ByteBuffer.allocate(16);
    private long cycles;
    private int held;
    private int settled;

    /** A server under load: where it listens, its meter, whether it churns now, attempts under way. */
    private static final class Server {
        final InetSocketAddress address;
        final Meter meter;
        boolean churning;
        int underWay;

        Server(InetSocketAddress address, Meter meter) {
            this.address = address;
            this.meter = meter;
        }
    }

    private static final class Attempt {
        final Server server;
        SelectionKey key;
        SocketChannel channel;
        long started;
        long token;
        final ByteBuffer received = ByteBuffer.allocate(8);
        int phase = CONNECTING;

        Attempt(Server server) {
            this.server = server;
        }
    }

    ConnectLoad(LoadOptions options) throws IOException {
        super(options);
        this.servers = new Server[meters.length];
        for (int i = 0; i < servers.length; i++) {
            servers[i] = new Server(addresses[i], meters[i]);
        }
    }

    /** Runs the load; one report per server. */
    Report[] run() throws IOException {
        return withErrors(options.idle ? new Report[] {idle()} : measure(0));
    }

    @Override
    void startLoad(int server, long now) {
        Server s = servers[server];
        s.churning = true;
        for (int i = 0; i < options.connections; i++) {
            start(s);
        }
    }

    @Override
    void stopLoad(int server) {
        servers[server].churning = false;
    }

    @Override
    boolean drained(int server) {
        return servers[server].underWay == 0;
    }

    private Report idle() throws IOException {
        int n = options.connections;
        Meter meter = servers[0].meter;
        Map<String, Long> before = memory();
        beginWindow(meter);
        meter.resume(System.nanoTime());
        long deadline = System.nanoTime() + (long) (options.connectTimeoutSeconds * 1e9);
        int opened = 0;
        now = System.nanoTime();
        while (settled < n && now < deadline) {
            while (opened < n && opened - settled < CONNECT_BATCH) {
                opened++;
                start(servers[0]);
            }
            poll(100);
        }
        Report r = endWindow(0, meter)[0];
        if (settled < n) {
            error((n - settled) + " of " + n + " connections not open after " + options.connectTimeoutSeconds + " s");
        }
        // Let the server finish whatever the last connects started, then weigh it.
        runUntil(System.nanoTime() + 1_000_000_000L);
        Map<String, Long> after = memory();
        if (before != null && after != null && held > 0) {
            r.heapPerConnection = (after.get("heap") - before.get("heap")) / (double) held;
            r.directPerConnection = (after.get("direct") - before.get("direct")) / (double) held;
        }
        return r;
    }

    private Map<String, Long> memory() {
        if (options.controlPort <= 0) {
            return null;
        }
        try {
            return ControlClient.ask(options.controlPort, "mem");
        } catch (IOException e) {
            error("control port: " + e);
            return null;
        }
    }

    private void start(Server server) {
        Attempt a = new Attempt(server);
        a.started = System.nanoTime();
        server.underWay++;
        try {
            a.key = connect(server.address, a);
            a.channel = (SocketChannel) a.key.channel();
        } catch (IOException e) {
            fail(a, "connect failed: " + e);
        }
    }

    @Override
    void onKey(SelectionKey key) {
        Attempt a = (Attempt) key.attachment();
        if (!key.isValid() || a.phase == DONE) {
            return;
        }
        try {
            if (a.phase == CONNECTING) {
                if (key.isConnectable() && a.channel.finishConnect()) {
                    a.phase = AWAIT_ECHO;
                    a.token = 0x9E3779B97F4A7C15L * (++cycles);
                    token.clear();
                    token.putLong(a.token).flip();
                    if (a.channel.write(token) != 8) {
                        fail(a, "could not write 8 bytes at once on a new connection");
                        return;
                    }
                    key.interestOps(SelectionKey.OP_READ);
                }
                return;
            }
            echo.clear();
            int n = a.channel.read(echo);
            if (n < 0) {
                fail(a, a.phase == HELD ? "the server closed an idle connection" : "the server closed before echoing");
                return;
            }
            echo.flip();
            if (a.phase == HELD || a.received.remaining() < echo.remaining()) {
                fail(a, "unexpected bytes: " + n + " more than the 8 sent");
                return;
            }
            a.received.put(echo);
            if (a.received.hasRemaining()) {
                return;
            }
            long got = a.received.getLong(0);
            if (got != a.token) {
                fail(a, String.format("echo %016x differs from the %016x sent", got, a.token));
                return;
            }
            a.server.meter.completed(now - a.started);
            if (!options.idle) {
                a.phase = DONE;
                a.server.underWay--;
                a.channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                closeQuietly(key);
                if (a.server.churning) {
                    start(a.server);
                }
            } else {
                a.phase = HELD;
                held++;
                settled++;
            }
        } catch (IOException e) {
            fail(a, "I/O error: " + e);
        }
    }

    private void fail(Attempt a, String description) {
        boolean wasHeld = a.phase == HELD;
        if (a.phase != DONE) {
            a.server.underWay--;
        }
        a.phase = DONE;
        error(description);
        closeQuietly(a.key);
        if (wasHeld) {
            held--;
        } else {
            settled++;
        }
        if (a.server.churning && errors < MAX_ERRORS) {
            start(a.server); // keep C attempts going, but never spin on a server that is down
        }
    }
}
