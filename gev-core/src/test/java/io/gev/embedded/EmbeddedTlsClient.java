package io.gev.embedded;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/**
 * The client side of a TLS connection to an {@link EmbeddedServer} built with
 * {@link io.gev.Server.Builder#tls TLS options}: a client {@link SSLEngine} over the raw bytes of
 * an {@link EmbeddedConnection}, so that the server's real TLS layer, connection and protocol run
 * under records the test cuts as it likes.
 *
 * <p>{@link #connect} opens a connection and completes the handshake ({@link #open} and
 * {@link #handshake} do it in two steps), including the steps the server runs on its TLS threads
 * (their results come back to the loop as tasks, which this client waits for);
 * {@link #send} wraps plaintext into records and delivers the ciphertext in the segments a
 * {@link Segmentation} cuts; {@link #received()} unwraps what the server wrote.
 *
 * <p>Threading: the thread that started the server, like every call of the embedded server. The
 * client owns its engine and buffers; the connection stays the server's (close it through
 * {@link #connection()} or the server).
 */
public final class EmbeddedTlsClient {

    /** How long one handshake step may take on the server's TLS threads. */
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(10);
    /** More steps than any handshake takes: a handshake that needs them is stuck. */
    private static final int MAX_HANDSHAKE_STEPS = 1000;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final EmbeddedServer server;
    private final EmbeddedConnection connection;
    private final SSLEngine engine;
    /** Ciphertext the server sent and this client has not unwrapped yet, in read mode. */
    private ByteBuffer netIn = ByteBuffer.allocate(0);
    private ByteBuffer netOut;
    private ByteBuffer appIn;
    private final ByteArrayOutputStream plaintext = new ByteArrayOutputStream();
    private boolean inboundDone;
    private boolean handshaken;

    private EmbeddedTlsClient(EmbeddedServer server, EmbeddedConnection connection, SSLEngine engine) {
        this.server = server;
        this.connection = connection;
        this.engine = engine;
        SSLSession session = engine.getSession();
        this.netOut = ByteBuffer.allocate(session.getPacketBufferSize());
        this.appIn = ByteBuffer.allocate(session.getApplicationBufferSize());
    }

    /**
     * Opens a connection to {@code server} and completes a TLS handshake with a client engine of
     * {@code context}, each flight delivered in one segment.
     *
     * @throws IllegalStateException when the server closed the connection or stopped answering
     * @throws SSLException when the handshake failed on this side
     */
    public static EmbeddedTlsClient connect(EmbeddedServer server, SSLContext context) throws SSLException {
        return connect(server, context, Segmentation.whole());
    }

    /** As {@link #connect(EmbeddedServer, SSLContext)}, the client's flights cut by {@code segmentation}. */
    public static EmbeddedTlsClient connect(EmbeddedServer server, SSLContext context, Segmentation segmentation)
            throws SSLException {
        EmbeddedTlsClient client = open(server, context);
        client.handshake(segmentation, new byte[0]);
        return client;
    }

    /**
     * Opens a connection to {@code server} with a client engine of {@code context}, without sending
     * anything yet: the test may look at the connection before it runs the {@link #handshake}.
     */
    public static EmbeddedTlsClient open(EmbeddedServer server, SSLContext context) {
        return open(server, context, null);
    }

    /**
     * As {@link #open(EmbeddedServer, SSLContext)}, offering only {@code protocol}
     * ({@code "TLSv1.2"}, say), or what {@code context} enables when {@code null}.
     */
    public static EmbeddedTlsClient open(EmbeddedServer server, SSLContext context, String protocol) {
        Objects.requireNonNull(server, "server");
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(true);
        if (protocol != null) {
            engine.setEnabledProtocols(new String[] {protocol});
        }
        return new EmbeddedTlsClient(server, server.connect(), engine);
    }

    /** The server's side of the connection. */
    public EmbeddedConnection connection() {
        return connection;
    }

    /** The client engine's session: protocol, cipher suite, the server's certificates. */
    public SSLSession session() {
        return engine.getSession();
    }

    /** Sends {@code plaintext} in records of up to 16 KiB, the ciphertext cut by {@code segmentation}. */
    public void send(byte[] plaintext, Segmentation segmentation) throws SSLException {
        send(plaintext, Segmentation.whole(), segmentation);
    }

    /**
     * Sends {@code plaintext} in records of the sizes {@code records} cuts (the engine splits
     * records larger than the protocol allows), the ciphertext cut by {@code segmentation}, each
     * segment one read event; delivery stops once the connection closed.
     */
    public void send(byte[] plaintext, Segmentation records, Segmentation segmentation) throws SSLException {
        Objects.requireNonNull(records, "records");
        Objects.requireNonNull(segmentation, "segmentation");
        ByteArrayOutputStream ciphertext = new ByteArrayOutputStream(plaintext.length + plaintext.length / 8 + 64);
        int off = 0;
        while (off < plaintext.length) {
            int size = Math.max(1, Math.min(plaintext.length - off, records.next(plaintext.length - off)));
            ByteBuffer src = ByteBuffer.wrap(plaintext, off, size);
            while (src.hasRemaining()) {
                wrap(src, ciphertext);
            }
            off += size;
        }
        deliver(ciphertext.toByteArray(), segmentation);
    }

    /** Sends close_notify: the server reads the end of the stream after what came before. */
    public void closeOutbound() throws SSLException {
        engine.closeOutbound();
        ByteArrayOutputStream ciphertext = new ByteArrayOutputStream();
        while (!engine.isOutboundDone()) {
            if (wrap(EMPTY, ciphertext).bytesProduced() == 0) {
                break;
            }
        }
        deliver(ciphertext.toByteArray(), Segmentation.whole());
    }

    /** The plaintext the server sent since the last call, unwrapped from the records it wrote. */
    public byte[] received() throws SSLException {
        pull();
        unwrapAll();
        byte[] bytes = plaintext.toByteArray();
        plaintext.reset();
        return bytes;
    }

    /** The server's close_notify arrived (in what {@link #received()} unwrapped). */
    public boolean inboundDone() {
        return inboundDone;
    }

    // ---- handshake --------------------------------------------------------------------------

    /**
     * Completes the TLS handshake of a client made by {@link #open}, the client's flights cut by
     * {@code segmentation}, with {@code firstPlaintext} in records right behind its last flight, in
     * the same delivery: a client that sends its request without waiting for the server to read
     * its Finished, as TLS 1.3 allows (under TLS 1.2 it follows the handshake).
     *
     * @throws IllegalStateException when the server closed the connection or stopped answering
     * @throws SSLException when the handshake failed on this side
     */
    public void handshake(Segmentation segmentation, byte[] firstPlaintext) throws SSLException {
        Objects.requireNonNull(segmentation, "segmentation");
        Objects.requireNonNull(firstPlaintext, "firstPlaintext");
        if (handshaken) {
            throw new IllegalStateException("the handshake is done already");
        }
        handshaken = true;
        ByteBuffer first = firstPlaintext.length > 0 ? ByteBuffer.wrap(firstPlaintext) : null;
        engine.beginHandshake();
        for (int step = 0; step < MAX_HANDSHAKE_STEPS; step++) {
            switch (engine.getHandshakeStatus()) {
                case NEED_TASK -> runTasks();
                case NEED_WRAP -> {
                    ByteArrayOutputStream flight = new ByteArrayOutputStream();
                    while (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                        wrap(EMPTY, flight);
                    }
                    HandshakeStatus after = engine.getHandshakeStatus();
                    boolean last = after == HandshakeStatus.NOT_HANDSHAKING || after == HandshakeStatus.FINISHED;
                    if (first != null && last) {
                        // The client's last flight (TLS 1.3): its first records may ride along.
                        while (first.hasRemaining()) {
                            wrap(first, flight);
                        }
                        first = null;
                    }
                    deliver(flight.toByteArray(), segmentation);
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    if (!unwrapOne()) {
                        awaitServer("the server's handshake records");
                    }
                }
                default -> {
                    // The client is done; the server may still be working on the client's last flight.
                    while (connection.connection().tls() == null) {
                        awaitServer("the server to complete the handshake");
                    }
                    if (first != null) {
                        // TLS 1.2: the client's last flight waited for the server's Finished.
                        send(firstPlaintext, segmentation);
                    }
                    pull();
                    unwrapAll(); // a TLS 1.3 session ticket, say
                    return;
                }
            }
        }
        throw new IllegalStateException("the TLS handshake did not end within " + MAX_HANDSHAKE_STEPS + " steps");
    }

    /** Takes what the server wrote; if nothing, waits for a task of its TLS threads. */
    private void awaitServer(String what) {
        if (pull() > 0) {
            return;
        }
        checkOpen(what);
        if (!server.awaitTask(STEP_TIMEOUT)) {
            throw new IllegalStateException("no progress within " + STEP_TIMEOUT + " waiting for " + what + " on "
                    + connection);
        }
        connection.runPendingTasks();
        pull();
        checkOpen(what);
    }

    private void checkOpen(String what) {
        if (!connection.isOpen()) {
            throw new IllegalStateException("the server closed the connection (" + connection.closeReason()
                    + ") while the client waited for " + what, connection.closeCause());
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    // ---- records ----------------------------------------------------------------------------

    private SSLEngineResult wrap(ByteBuffer src, ByteArrayOutputStream to) throws SSLException {
        netOut.clear();
        SSLEngineResult result = engine.wrap(src, netOut);
        if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
            throw new SSLException("a record larger than the session's packet buffer: " + result);
        }
        if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
            runTasks();
        }
        to.write(netOut.array(), 0, netOut.position());
        return result;
    }

    /** Moves what the server wrote behind the ciphertext not yet unwrapped; returns its length. */
    private int pull() {
        byte[] sent = connection.takeSent();
        if (sent.length > 0) {
            ByteBuffer joined = ByteBuffer.allocate(netIn.remaining() + sent.length);
            joined.put(netIn).put(sent).flip();
            netIn = joined;
        }
        return sent.length;
    }

    /** Unwraps one record if a whole one is there; {@code false} when more bytes are needed. */
    private boolean unwrapOne() throws SSLException {
        if (!netIn.hasRemaining()) {
            return false;
        }
        while (true) {
            SSLEngineResult result = engine.unwrap(netIn, appIn);
            switch (result.getStatus()) {
                case BUFFER_UNDERFLOW:
                    return false;
                case BUFFER_OVERFLOW:
                    appIn = ByteBuffer.allocate(appIn.capacity() * 2).put(appIn.flip());
                    continue;
                case CLOSED:
                    inboundDone = true;
                    break;
                default:
                    break;
            }
            if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                runTasks();
            }
            plaintext.write(appIn.array(), 0, appIn.position());
            appIn.clear();
            return true;
        }
    }

    /** Unwraps every whole record received, answering what a post-handshake message asks for. */
    private void unwrapAll() throws SSLException {
        while (!inboundDone && unwrapOne()) {
            if (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                ByteArrayOutputStream answer = new ByteArrayOutputStream();
                while (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                    wrap(EMPTY, answer);
                }
                deliver(answer.toByteArray(), Segmentation.whole());
            }
        }
    }

    /** Delivers every segment, as a peer's kernel does whether the server reads now or later. */
    private void deliver(byte[] bytes, Segmentation segmentation) {
        int off = 0;
        while (off < bytes.length && connection.isOpen()) {
            int size = Math.min(bytes.length - off, segmentation.next(bytes.length - off));
            if (size < 1) {
                throw new IllegalArgumentException(segmentation + " returned a segment of " + size + " bytes");
            }
            connection.receive(bytes, off, size);
            off += size;
        }
    }

    @Override
    public String toString() {
        return "EmbeddedTlsClient[" + engine.getSession().getProtocol() + ", " + connection + "]";
    }
}
