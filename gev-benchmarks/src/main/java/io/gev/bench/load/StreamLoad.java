package io.gev.bench.load;

import io.gev.bench.ws.Handshake;
import io.gev.bench.ws.Masking;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * Modes {@code echo}, {@code pipeline} and {@code ws}: every connection keeps K messages of M bytes
 * in flight (sending the next one as soon as one echo is complete) and verifies every byte that
 * comes back.
 *
 * <p>Message {@code i} of connection {@code j} is the M bytes of a random pattern starting at
 * {@code (31 j + 7 i) mod 4096}: consecutive messages and different connections differ, so a server
 * that drops, duplicates, reorders, corrupts or mixes up bytes is caught, and nothing is generated
 * per message. In {@code ws} mode each message is a masked binary frame (a fresh masking key per
 * frame) and the expected echo an unmasked binary frame of the same payload.
 *
 * <p>With a second server ({@code --port-b}) each server gets its own C connections and the load
 * goes to one server at a time, in slices (see {@link LoadRun#measure}): the active server's
 * connections send for a slice, then stop sending and drain their echoes while the other server
 * takes over. Each server's figures cover its own slices only (its CPU time is its process's, and
 * it is idle in between), so both are measured under the same spells of the machine.
 *
 * <p>With {@code --tls} every connection first makes a TLS handshake (see {@link TlsClient}),
 * before the load starts, and then sends and verifies the same messages through it: the bytes
 * checked are the decrypted ones, exactly as a plain echo's. The session each server settled
 * (protocol and cipher suite) is printed, and two servers that settled different ones are an
 * error: their figures would not compare like with like.
 */
final class StreamLoad extends LoadRun {

    static final int SPAN = 4096;
    private static final int CONNECTING = 0;
    private static final int HANDSHAKE = 1;
    private static final int READY = 2;
    private static final int DEAD = 3;
    private static final int TLS_HANDSHAKE = 4;

    private final boolean ws;
    private final int size;
    private final int inFlight;
    private final byte[] pattern;
    private final byte[] clientHeader;
    private final byte[] serverHeader;
    /** Bytes of one expected echo: the server's frame header (ws) and the payload. */
    private final int echoLength;
    private final byte[] masked;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
    private final byte[] readBytes = new byte[64 * 1024];
    /** Where TLS connections decrypt to: the same bytes {@link #consume} verifies. */
    private final ByteBuffer plainIn = ByteBuffer.wrap(readBytes);
    /** The client context of {@code --tls}; null without. */
    private final SSLContext tlsContext;
    private final Target[] targets;
    private int ready;
    private int dead;

    /** One server under load and its connections. */
    private final class Target {
        final SocketAddress address;
        final Meter meter;
        final Conn[] conns;
        boolean sending;
        /** The TLS session its connections settled, e.g. {@code TLSv1.3 TLS_AES_128_GCM_SHA256}. */
        String tlsSession;

        Target(int server) {
            this.address = addresses[server];
            this.meter = meters[server];
            int firstIndex = server * options.connections;
            this.conns = new Conn[options.connections];
            for (int i = 0; i < conns.length; i++) {
                conns[i] = new Conn(this, firstIndex + i);
            }
        }

        /** Starts the load: K messages on every ready connection. */
        void kick(long time) throws IOException {
            sending = true;
            for (Conn c : conns) {
                if (c.phase == READY) {
                    for (int i = 0; i < inFlight; i++) {
                        queueMessage(c, time);
                    }
                    flush(c);
                }
            }
        }

        boolean drained() {
            for (Conn c : conns) {
                if (c.phase == READY && c.received < c.sent) {
                    return false;
                }
            }
            return true;
        }
    }

    private final class Conn {
        final Target target;
        final int index;
        SelectionKey key;
        SocketChannel channel;
        int phase = CONNECTING;
        ByteBuffer out;
        boolean writeArmed;
        long sent;
        long received;
        long receivedAtWindowStart;
        int receivedOfEcho;
        final long[] sendTimes;
        int maskState;
        String wsKey;
        byte[] head;
        int headLength;
        TlsClient tls;

        Conn(Target target, int index) {
            this.target = target;
            this.index = index;
            this.sendTimes = new long[inFlight];
            this.maskState = 0x9E3779B9 * (index + 1) | 1;
        }
    }

    StreamLoad(LoadOptions options) throws IOException {
        super(options);
        this.ws = options.mode == LoadOptions.Mode.WS;
        this.size = options.messageSize;
        this.inFlight = options.inFlight;
        this.pattern = new byte[size + SPAN];
        new Random(options.seed).nextBytes(pattern);
        this.clientHeader = ws ? Handshake.clientBinaryHeader(size) : new byte[0];
        this.serverHeader = ws ? Handshake.serverBinaryHeader(size) : new byte[0];
        this.echoLength = serverHeader.length + size;
        this.masked = ws ? new byte[size] : null;
        this.tlsContext = options.tls ? TlsClient.trustingContext() : null;
        this.targets = new Target[meters.length];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = new Target(i);
        }
    }

    static int offset(int conn, long message) {
        return (int) ((31L * conn + 7L * message) & (SPAN - 1));
    }

    /** Runs the load; one report per server. */
    Report[] run() throws IOException {
        connectAll();
        if (tlsContext != null) {
            checkTlsSessions();
        }
        Report[] reports = measure(size);
        for (Target t : targets) {
            for (Conn c : t.conns) {
                // A server that drops bytes leaves an echo incomplete for good.
                if (c.phase == READY && c.received == c.receivedAtWindowStart) {
                    fail(c, "connection " + c.index + " stalled for the whole window: message " + c.received
                            + " echoed " + c.receivedOfEcho + " of " + echoLength + " bytes");
                }
            }
        }
        return withErrors(reports);
    }

    @Override
    void startLoad(int server, long now) throws IOException {
        targets[server].kick(now);
    }

    @Override
    void stopLoad(int server) {
        targets[server].sending = false;
    }

    @Override
    boolean drained(int server) {
        return targets[server].drained();
    }

    @Override
    void windowOpened() {
        for (Target t : targets) {
            for (Conn c : t.conns) {
                c.receivedAtWindowStart = c.received;
            }
        }
    }

    /** Opens every connection (and does every WebSocket handshake), a batch at a time. */
    private void connectAll() throws IOException {
        long connectDeadline = System.nanoTime() + (long) (options.connectTimeoutSeconds * 1e9);
        int total = targets.length * options.connections;
        int opened = 0;
        now = System.nanoTime();
        while (ready + dead < total && now < connectDeadline) {
            while (opened < total && opened - ready - dead < CONNECT_BATCH) {
                Conn c = targets[opened / options.connections].conns[opened % options.connections];
                opened++;
                try {
                    c.key = connect(c.target.address, c);
                    c.channel = (SocketChannel) c.key.channel();
                } catch (IOException e) {
                    fail(c, "connect failed: " + e);
                }
            }
            poll(100);
        }
        if (ready + dead < total) {
            error((total - ready - dead) + " connections not ready after " + options.connectTimeoutSeconds + " s");
        }
    }

    /** Prints the session of each server; servers that settled different ones are an error. */
    private void checkTlsSessions() {
        for (Target t : targets) {
            System.out.println("TLS " + t.meter.label + ": "
                    + (t.tlsSession != null ? t.tlsSession : "no handshake completed"));
        }
        Target first = targets[0];
        for (Target t : targets) {
            if (first.tlsSession != null && t.tlsSession != null && !t.tlsSession.equals(first.tlsSession)) {
                error("the servers settled different TLS sessions: " + first.meter.label + " " + first.tlsSession
                        + ", " + t.meter.label + " " + t.tlsSession);
            }
        }
    }

    @Override
    void onKey(SelectionKey key) {
        Conn c = (Conn) key.attachment();
        if (!key.isValid() || c.phase == DEAD) {
            return;
        }
        try {
            int ops = key.readyOps();
            if ((ops & SelectionKey.OP_CONNECT) != 0 || c.out == null) { // see LoadRun.connect
                if (c.channel.finishConnect()) {
                    connected(c);
                }
                return;
            }
            if ((ops & SelectionKey.OP_WRITE) != 0) {
                if (c.phase == TLS_HANDSHAKE) {
                    tlsHandshake(c);
                } else {
                    flush(c);
                }
            }
            if ((ops & SelectionKey.OP_READ) != 0) {
                read(c);
            }
        } catch (IOException e) {
            fail(c, "I/O error: " + e);
        }
    }

    private void connected(Conn c) throws IOException {
        int capacity = Math.max(inFlight * (clientHeader.length + 4 + size), 512);
        // The engine works on heap arrays; the socket gets what it encrypted.
        c.out = tlsContext != null ? ByteBuffer.allocate(capacity) : ByteBuffer.allocateDirect(capacity);
        c.key.interestOps(SelectionKey.OP_READ);
        if (tlsContext != null) {
            c.tls = new TlsClient(tlsContext);
            c.phase = TLS_HANDSHAKE;
            tlsHandshake(c);
        } else {
            transportReady(c);
        }
    }

    /** The byte stream is open (TCP connected, TLS handshake done): start the WebSocket handshake or the load. */
    private void transportReady(Conn c) throws IOException {
        if (ws) {
            c.phase = HANDSHAKE;
            c.wsKey = Handshake.newKey(options.seed + c.index);
            c.head = new byte[4096];
            c.out.put(Handshake.request(options.host, options.port, options.path, c.wsKey));
            flush(c);
        } else {
            c.phase = READY;
            ready++;
        }
    }

    private void queueMessage(Conn c, long time) {
        long i = c.sent++;
        c.sendTimes[(int) (i % inFlight)] = time;
        int off = offset(c.index, i);
        ByteBuffer out = c.out;
        if (ws) {
            int s = c.maskState;
            s ^= s << 13;
            s ^= s >>> 17;
            s ^= s << 5;
            c.maskState = s;
            out.put(clientHeader).putInt(s);
            Masking.mask(pattern, off, masked, 0, size, s);
            out.put(masked, 0, size);
        } else {
            out.put(pattern, off, size);
        }
    }

    private void flush(Conn c) throws IOException {
        if (c.tls != null) {
            armWrite(c, !flushTls(c));
            return;
        }
        ByteBuffer out = c.out;
        out.flip();
        if (out.hasRemaining()) {
            c.channel.write(out);
        }
        boolean more = out.hasRemaining();
        out.compact();
        armWrite(c, more);
    }

    private void armWrite(Conn c, boolean more) {
        if (more != c.writeArmed) {
            c.writeArmed = more;
            c.key.interestOps(more ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }
    }

    /** Encrypts and writes the queued plaintext; returns whether all of it went to the socket. */
    private boolean flushTls(Conn c) throws IOException {
        ByteBuffer out = c.out;
        while (true) {
            out.flip();
            c.tls.wrap(out);
            out.compact();
            if (!c.tls.writeTo(c.channel)) {
                return false;
            }
            if (!c.tls.outputFull() && !c.tls.wantsWrap()) {
                return true;
            }
        }
    }

    /** Advances the TLS handshake; once it is done, the connection goes on as a plain one would. */
    private void tlsHandshake(Conn c) throws IOException {
        while (true) {
            boolean done = c.tls.handshake(plainIn.clear());
            boolean written = c.tls.writeTo(c.channel);
            armWrite(c, !written);
            if (done) {
                break;
            }
            if (!written || !c.tls.handshakeWantsWrite()) {
                return; // Wait for the socket or for the server.
            }
        }
        String session = c.tls.describe();
        Target t = c.target;
        if (t.tlsSession == null) {
            t.tlsSession = session;
        } else if (!t.tlsSession.equals(session)) {
            fail(c, "connection " + c.index + " settled " + session + ", others " + t.tlsSession);
            return;
        }
        transportReady(c);
        // Records that came with the end of the handshake wait in the engine's input.
        decrypt(c);
    }

    private void read(Conn c) throws IOException {
        if (c.tls != null) {
            readTls(c);
            return;
        }
        while (true) {
            readBuffer.clear();
            int n = c.channel.read(readBuffer);
            if (n <= 0) {
                if (n < 0) {
                    fail(c, "the server closed the connection after " + c.received + " complete echoes");
                }
                return;
            }
            readBuffer.flip();
            readBuffer.get(readBytes, 0, n);
            received(c, n);
            if (c.phase == DEAD || n < readBytes.length) {
                return;
            }
        }
    }

    private void readTls(Conn c) throws IOException {
        while (true) {
            int n = c.tls.readFrom(c.channel);
            if (c.phase == TLS_HANDSHAKE) {
                tlsHandshake(c);
            } else {
                decrypt(c);
            }
            if (c.phase == DEAD) {
                return;
            }
            if (n < 0) {
                fail(c, c.phase == TLS_HANDSHAKE ? "the server closed the connection during the TLS handshake"
                        : "the server closed the connection after " + c.received + " complete echoes");
                return;
            }
            if (c.phase == TLS_HANDSHAKE || !c.tls.inputFilled()) {
                return;
            }
        }
    }

    /** Decrypts the records at hand and handles their bytes as a plain connection's. */
    private void decrypt(Conn c) throws IOException {
        do {
            int n = c.tls.unwrap(plainIn.clear());
            if (n < 0) {
                fail(c, "the server closed the TLS session after " + c.received + " complete echoes");
                return;
            }
            if (n > 0) {
                received(c, n);
                if (c.phase == DEAD) {
                    return;
                }
            }
        } while (c.tls.moreToUnwrap());
        if (c.tls.wantsWrap()) {
            flush(c);
        }
    }

    /** Handles bytes {@code [0, n)} of the read buffer: WebSocket handshake, echoes, what to send next. */
    private void received(Conn c, int n) throws IOException {
        int consumed = c.phase == HANDSHAKE ? handshake(c, n) : 0;
        if (c.phase == READY && consumed < n) {
            consume(c, consumed, n);
        }
        if (c.phase != DEAD && c.out.position() > 0) {
            flush(c);
        }
    }

    /** Collects the response head; returns how many of the {@code n} bytes it used. */
    private int handshake(Conn c, int n) {
        int used = 0;
        while (used < n) {
            if (c.headLength == c.head.length) {
                fail(c, "handshake response longer than " + c.head.length + " bytes");
                return n;
            }
            c.head[c.headLength++] = readBytes[used++];
            int h = c.headLength;
            if (h >= 4 && c.head[h - 4] == '\r' && c.head[h - 3] == '\n' && c.head[h - 2] == '\r' && c.head[h - 1] == '\n') {
                String problem = Handshake.check(new String(c.head, 0, h - 4, StandardCharsets.ISO_8859_1), c.wsKey);
                if (problem != null) {
                    fail(c, "WebSocket handshake: " + problem);
                    return n;
                }
                c.head = null;
                c.phase = READY;
                ready++;
                return used;
            }
        }
        return used;
    }

    /** Verifies bytes {@code [from, to)} of the read buffer against the echoes in flight. */
    private void consume(Conn c, int from, int to) {
        int p = from;
        while (p < to) {
            if (c.received >= c.sent) {
                fail(c, "connection " + c.index + ": " + (to - p) + " bytes received beyond the "
                        + c.sent + " messages sent");
                return;
            }
            int take = Math.min(to - p, echoLength - c.receivedOfEcho);
            int pos = c.receivedOfEcho;
            int end = pos + take;
            int h = serverHeader.length;
            if (pos < h) {
                int e = Math.min(end, h);
                int mismatch = Arrays.mismatch(readBytes, p, p + e - pos, serverHeader, pos, e);
                if (mismatch >= 0) {
                    fail(c, mismatchText(c, pos + mismatch, serverHeader[pos + mismatch], readBytes[p + mismatch]));
                    return;
                }
                p += e - pos;
                pos = e;
            }
            if (pos < end) {
                int off = offset(c.index, c.received) + pos - h;
                int mismatch = Arrays.mismatch(readBytes, p, p + end - pos, pattern, off, off + end - pos);
                if (mismatch >= 0) {
                    fail(c, mismatchText(c, pos + mismatch, pattern[off + mismatch], readBytes[p + mismatch]));
                    return;
                }
                p += end - pos;
            }
            c.receivedOfEcho = end;
            if (end == echoLength) {
                c.receivedOfEcho = 0;
                long t0 = c.sendTimes[(int) (c.received % inFlight)];
                c.received++;
                c.target.meter.completed(now - t0);
                if (c.target.sending) {
                    queueMessage(c, now);
                }
            }
        }
    }

    private String mismatchText(Conn c, int offsetInEcho, byte expected, byte actual) {
        return "connection " + c.index + " message " + c.received + " (" + echoLength + " bytes expected back"
                + (ws ? " as a frame" : "") + "): byte at offset " + offsetInEcho + " expected 0x"
                + hex(expected) + " but was 0x" + hex(actual);
    }

    private void fail(Conn c, String description) {
        if (c.phase == DEAD) {
            return;
        }
        if (c.phase == READY) {
            ready--;
        }
        c.phase = DEAD;
        dead++;
        error(description);
        closeQuietly(c.key);
    }

    @Override
    public void close() throws IOException {
        // End TLS sessions as a client should (close_notify), so the servers see an orderly close.
        for (Target t : targets) {
            for (Conn c : t.conns) {
                if (c.tls != null && c.phase != DEAD && c.phase != TLS_HANDSHAKE) {
                    c.tls.closeQuietly(c.channel);
                }
            }
        }
        super.close();
    }

    static String hex(byte b) {
        return String.format("%02x", b & 0xFF);
    }
}
