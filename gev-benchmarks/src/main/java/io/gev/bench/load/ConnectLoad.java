package io.gev.bench.load;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Locale;
import java.util.Map;

/**
 * Mode {@code connect}. Churn (default): C connections at a time each connect, send 8 bytes, verify
 * their echo and close with a reset (SO_LINGER 0, so no TIME_WAIT piles up), then start over; an
 * operation is one such cycle. Idle ({@code --idle}): open C connections the same way but keep them
 * open and ask the server's control port for its heap and direct memory before and after.
 * Churn can alternate between two servers like the other modes ({@link LoadRun#measure}).
 *
 * <p>Mode {@code handshake} is churn over TLS: each cycle makes a TLS handshake (see
 * {@link TlsClient}) before the 8 bytes, and sends {@code close_notify} before the reset. The
 * handshakes are full, or with {@code --resume} offer the session of the server's last one; each
 * is counted as resumed or not by what the server sent (see {@link TlsClient#resumed()}).
 */
final class ConnectLoad extends LoadRun {

    private static final int CONNECTING = 0;
    private static final int AWAIT_ECHO = 1;
    private static final int HELD = 2;
    private static final int DONE = 3;
    private static final int TLS_HANDSHAKE = 4;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final int MAX_ERRORS = 1000;

    private final Server[] servers;
    private final ByteBuffer token = ByteBuffer.allocate(8);
    private final ByteBuffer echo = ByteBuffer.allocate(16);
    /** Where TLS connections decrypt to; the handshake must put nothing there. */
    private final ByteBuffer plain = ByteBuffer.allocate(1 << 15);
    /** The client context of mode handshake; null without TLS. */
    private final SSLContext tlsContext;
    /**
     * With {@code --resume}, a context per slot, as C clients that each reconnect would have:
     * the JDK (17) keeps one session per host and port in a context and uses its TLS 1.3 ticket
     * once, so C handshakes at a time sharing a context would mostly find it used up.
     */
    private final SSLContext[] slotContexts;
    private long cycles;
    private int held;
    private int settled;

    /** A server under load: where it listens, its meter, whether it churns now, attempts under way. */
    private static final class Server {
        final SocketAddress address;
        final Meter meter;
        boolean churning;
        int underWay;
        /** The TLS session its first handshake settled, e.g. {@code TLSv1.3 TLS_AES_128_GCM_SHA256}. */
        String session;

        Server(SocketAddress address, Meter meter) {
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
        TlsClient tls;
        boolean resumed;
        boolean writeArmed;

        /** Which of the C attempts in flight this is; its successor takes the same. */
        final int slot;

        Attempt(Server server, int slot) {
            this.server = server;
            this.slot = slot;
        }
    }

    ConnectLoad(LoadOptions options) throws IOException {
        super(options);
        this.tlsContext = options.tls ? TlsClient.trustingContext() : null;
        this.slotContexts = new SSLContext[options.resume ? options.connections : 0];
        for (int i = 0; i < slotContexts.length; i++) {
            slotContexts[i] = TlsClient.trustingContext();
        }
        this.servers = new Server[meters.length];
        for (int i = 0; i < servers.length; i++) {
            servers[i] = new Server(addresses[i], meters[i]);
        }
    }

    /** Runs the load; one report per server. */
    Report[] run() throws IOException {
        if (options.idle) {
            return withErrors(idle());
        }
        Report[] reports = measure(0);
        if (tlsContext != null) {
            checkSessions(reports);
        }
        return withErrors(reports);
    }

    /**
     * Prints each server's session and how many handshakes of the window resumed one. An error: a
     * run with {@code --resume} where a server resumed none, one without where any resumed, or
     * servers that settled different sessions.
     */
    private void checkSessions(Report[] reports) {
        for (int i = 0; i < servers.length; i++) {
            Server s = servers[i];
            Meter m = s.meter;
            System.out.printf(Locale.ROOT, "TLS %s: %s, %d of %d handshakes resumed (%.1f %%)%n", m.label,
                    s.session != null ? s.session : "no handshake completed", m.resumed, m.handshakes,
                    reports[i].resumedPercent);
            if (options.resume && m.handshakes > 0 && m.resumed == 0) {
                error("no session resumed with " + m.label + " in " + m.handshakes + " handshakes");
            } else if (!options.resume && m.resumed > 0) {
                error(m.resumed + " of " + m.handshakes + " handshakes with " + m.label
                        + " resumed a session though none was offered");
            }
            if (s.session != null && servers[0].session != null && !s.session.equals(servers[0].session)) {
                error("the servers settled different TLS sessions: " + servers[0].meter.label + " "
                        + servers[0].session + ", " + m.label + " " + s.session);
            }
        }
    }

    @Override
    void startLoad(int server, long now) {
        Server s = servers[server];
        s.churning = true;
        for (int i = 0; i < options.connections; i++) {
            start(s, i);
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
                start(servers[0], opened - 1);
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

    private void start(Server server, int slot) {
        Attempt a = new Attempt(server, slot);
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
                if ((key.isConnectable() || key.isWritable()) && a.channel.finishConnect()) { // see LoadRun.connect
                    connected(a);
                }
                return;
            }
            if (a.tls != null) {
                onTlsKey(a, key.readyOps());
                return;
            }
            echo.clear();
            int n = a.channel.read(echo);
            if (n < 0) {
                fail(a, a.phase == HELD ? "the server closed an idle connection" : "the server closed before echoing");
                return;
            }
            echo.flip();
            if (a.phase == HELD) {
                fail(a, "unexpected bytes: " + n + " more than the 8 sent");
                return;
            }
            received(a, echo);
        } catch (IOException e) {
            fail(a, "I/O error: " + e);
        }
    }

    /** TCP is up: send the token, or over TLS start the handshake, which sends it when done. */
    private void connected(Attempt a) throws IOException {
        a.token = 0x9E3779B97F4A7C15L * (++cycles);
        a.key.interestOps(SelectionKey.OP_READ);
        if (tlsContext != null) {
            a.tls = options.resume ? new TlsClient(slotContexts[a.slot], (InetSocketAddress) a.server.address) : new TlsClient(tlsContext);
            a.phase = TLS_HANDSHAKE;
            handshake(a);
            return;
        }
        a.phase = AWAIT_ECHO;
        token.clear();
        token.putLong(a.token).flip();
        if (a.channel.write(token) != 8) {
            fail(a, "could not write 8 bytes at once on a new connection");
        }
    }

    /** Takes {@code bytes} (read mode) of the echo; the cycle is complete once all 8 match. */
    private void received(Attempt a, ByteBuffer bytes) throws IOException {
        if (a.received.remaining() < bytes.remaining()) {
            fail(a, "unexpected bytes: " + (bytes.remaining() - a.received.remaining()) + " more than the 8 sent");
            return;
        }
        a.received.put(bytes);
        if (a.received.hasRemaining()) {
            return;
        }
        long got = a.received.getLong(0);
        if (got != a.token) {
            fail(a, String.format("echo %016x differs from the %016x sent", got, a.token));
            return;
        }
        Server s = a.server;
        s.meter.completed(now - a.started);
        if (a.tls != null) {
            s.meter.handshake(a.resumed);
        }
        if (!options.idle) {
            a.phase = DONE;
            s.underWay--;
            if (a.tls != null) {
                a.tls.closeQuietly(a.channel); // close_notify, as a client should, before the reset
            }
            a.channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            closeQuietly(a.key);
            if (s.churning) {
                start(s, a.slot);
            }
        } else {
            a.phase = HELD;
            held++;
            settled++;
        }
    }

    private void onTlsKey(Attempt a, int ready) throws IOException {
        if ((ready & SelectionKey.OP_WRITE) != 0) {
            if (a.phase == TLS_HANDSHAKE) {
                handshake(a);
            } else {
                flushTls(a);
            }
        }
        if ((ready & SelectionKey.OP_READ) == 0) {
            return;
        }
        while (a.phase != DONE) {
            int n = a.tls.readFrom(a.channel);
            if (a.phase == TLS_HANDSHAKE) {
                handshake(a);
            } else {
                decrypt(a);
            }
            if (a.phase == DONE) {
                return;
            }
            if (n < 0) {
                fail(a, a.phase == TLS_HANDSHAKE ? "the server closed the connection during the TLS handshake"
                        : "the server closed before echoing");
                return;
            }
            if (!a.tls.inputFilled()) {
                return;
            }
        }
    }

    /** Advances the handshake; once done, notes whether it resumed and sends the token. */
    private void handshake(Attempt a) throws IOException {
        while (true) {
            boolean done = a.tls.handshake(plain.clear());
            boolean written = a.tls.writeTo(a.channel);
            armWrite(a, !written);
            if (done) {
                break;
            }
            if (!written || !a.tls.handshakeWantsWrite()) {
                return; // Wait for the socket or for the server.
            }
        }
        a.resumed = a.tls.resumed();
        if (a.server.session == null) {
            a.server.session = a.tls.describe();
        }
        a.phase = AWAIT_ECHO;
        token.clear();
        token.putLong(a.token).flip();
        a.tls.wrap(token);
        if (token.hasRemaining()) {
            fail(a, "no room to encrypt 8 bytes after the handshake");
            return;
        }
        flushTls(a);
        // Records that came with the end of the handshake (a TLS 1.3 ticket) wait in the engine's input.
        decrypt(a);
    }

    /** Writes what the engine has encrypted, with a post-handshake reply it owes; arms OP_WRITE if stuck. */
    private void flushTls(Attempt a) throws IOException {
        if (a.tls.wantsWrap()) {
            a.tls.wrap(EMPTY);
        }
        armWrite(a, !a.tls.writeTo(a.channel));
    }

    /** Decrypts the records at hand: tickets the engine keeps, then the echo. */
    private void decrypt(Attempt a) throws IOException {
        do {
            int n = a.tls.unwrap(plain.clear());
            if (n < 0) {
                fail(a, "the server closed the TLS session before echoing");
                return;
            }
            if (n > 0) {
                received(a, plain.flip());
                if (a.phase != AWAIT_ECHO) {
                    return;
                }
            }
        } while (a.tls.moreToUnwrap());
        if (a.tls.wantsWrap()) {
            flushTls(a);
        }
    }

    private static void armWrite(Attempt a, boolean more) {
        if (more != a.writeArmed) {
            a.writeArmed = more;
            a.key.interestOps(more ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
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
            start(a.server, a.slot); // keep C attempts going, but never spin on a server that is down
        }
    }
}
