package io.gev.internal.tls;

import io.gev.CloseReason;
import io.gev.TlsInfo;
import io.gev.buffer.RingBuffer;
import io.gev.internal.transport.AbstractSocketIo;
import io.gev.internal.transport.ConnectionEvents;
import io.gev.internal.transport.EventSink;
import io.gev.internal.transport.SocketIo;
import io.gev.internal.watchdog.LoopProgress;
import io.netty.channel.IoRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * TLS between a connection and its socket, on an {@link SSLEngine} (the JDK's or OpenSSL's, as
 * {@link TlsContext} chose; the layer drives both the same way). Servers with TLS give
 * each connection one of these in front of its plain socket; plain servers never load it.
 *
 * <p>The connection sees plaintext only: {@link #read} reads ciphertext from the socket and unwraps
 * it into the caller's buffer; {@link #write} wraps the caller's plaintext and writes the records,
 * reporting how many plaintext bytes it took. The socket's events come here first, so the layer
 * drives the handshake without the connection (which is told once it is
 * {@link ConnectionEvents#established() established}) and writes its own ciphertext when the socket
 * turns writable; it asks for write interest itself while it holds ciphertext the socket has not
 * taken.
 *
 * <p>Buffers: ciphertext received and not yet unwrapped ({@code netIn}), ciphertext produced and
 * not yet written ({@code netOut}) and plaintext that did not fit the caller's buffer
 * ({@code appIn}) are borrowed from the loop's {@link TlsBuffers} while they hold bytes, so an idle
 * connection holds none.
 *
 * <p>Since the layer buffers bytes the socket no longer reports, a read that leaves decryptable
 * input behind (the caller's buffer filled up, or a {@code close_notify} arrived with data) has
 * the connection read again in a task of its loop ({@link ConnectionEvents#readAgainSoon}).
 *
 * <p>The socket under this layer is polled level-triggered ({@code ServerEngine.connectionIo}
 * decides so): the handshake, the delegated tasks and the linger rely on readiness being reported
 * again.
 */
public final class TlsSocketIo extends EventSink implements SocketIo {

    private static final Logger log = LoggerFactory.getLogger(TlsSocketIo.class);

    /** Longest time a closed connection's socket stays open to deliver what was encrypted already. */
    static final long CLOSE_LINGER_NANOS = TimeUnit.SECONDS.toNanos(3);

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private static final int HANDSHAKING = 0;
    private static final int OPEN = 1;
    /** The connection is closed; the socket stays until the ciphertext and close_notify are out. */
    private static final int LINGERING = 2;
    private static final int CLOSED = 3;

    private final AbstractSocketIo socket;
    private final TlsContext context;
    private final TlsLoop loop;
    private final Runnable tasksDoneTask = this::tasksDone;
    /** The server a client's connection goes to; {@code null} on a server. */
    private final String peerHost;
    private final int peerPort;
    private ConnectionEvents connection;
    private TlsBuffers buffers;
    private SSLEngine engine;
    private TlsSession session;
    private int phase = HANDSHAKING;

    /** Ciphertext not yet unwrapped, in read mode; null when none. */
    private ByteBuffer netIn;
    /** Ciphertext not yet written, in write mode; null when none. */
    private ByteBuffer netOut;
    /** Plaintext not yet delivered, in read mode; null when none. */
    private ByteBuffer appIn;

    private boolean appRead;
    private boolean appWrite;
    private boolean receivedAny;
    /** The last handshake wrap asked for another, whatever the engine's status says. */
    private boolean wrapAgain;
    private boolean tasksRunning;
    private volatile Throwable taskFailure;
    /** The peer's close_notify or end of stream was read; reads return -1 once plaintext is out. */
    private boolean inputEnded;
    /** The positions of the buffers of one write, which the engine advances and the caller owns. */
    private final int[] positions = new int[RingBuffer.MAX_SEGMENTS];
    /** shutdownOutput() waits for netOut to drain before sending FIN. */
    private boolean finAfterFlush;
    private ScheduledFuture<?> timer;
    /** When the handshake began, for the loop's handshake timer. */
    private long startNanos;
    /** The last {@link #fill} read less than it had room for: the socket had nothing more then. */
    private boolean lastFillShort;

    /**
     * The layer of a connection over {@code socket}: a server's when {@code peerHost} is
     * {@code null}; else a client's, which sends {@code peerHost} by SNI (unless it is an IP
     * literal) and checks the server's certificate against it.
     */
    public TlsSocketIo(AbstractSocketIo socket, TlsContext context, TlsLoop loop, String peerHost, int peerPort) {
        this.socket = socket;
        this.context = context;
        this.loop = loop;
        this.peerHost = peerHost;
        this.peerPort = peerPort;
    }

    @Override
    public void attach(ConnectionEvents connection, LoopProgress progress) {
        this.connection = connection;
        socket.attach(connection, progress);
        socket.redirectEvents(this);
    }

    @Override
    public void registered(IoRegistration registration) {
        socket.registered(registration);
        buffers = loop.tlsBuffers(context);
    }

    @Override
    public boolean start() {
        startNanos = System.nanoTime();
        try {
            engine = peerHost == null ? context.newEngine() : context.newClientEngine(peerHost, peerPort);
            engine.beginHandshake();
        } catch (SSLException | RuntimeException e) {
            fail("cannot start a TLS handshake: " + e, e);
            return false;
        }
        if (context.handshakeTimeoutNanos > 0) {
            timer = loop.executor().schedule(this::handshakeTimedOut, context.handshakeTimeoutNanos, TimeUnit.NANOSECONDS);
        }
        handshake(); // A server's ClientHello may be there already; a client writes its own.
        return false;
    }

    // ---- events -----------------------------------------------------------------------------

    @Override
    public void onIoEvent(boolean readable, boolean writable, boolean hangup) {
        try {
            if (phase == LINGERING) {
                linger();
                return;
            }
            if (phase == CLOSED) {
                return;
            }
            if (tasksRunning) {
                // Interest is off while the engine works elsewhere; only a dead socket gets here.
                if (hangup) {
                    closeOnIoError("handshake", new IOException("the peer hung up"));
                }
                return;
            }
            if (writable && netOut != null) {
                if (flushNetOut()) {
                    updateInterest();
                    if (finAfterFlush) {
                        finAfterFlush = false;
                        socket.shutdownOutput();
                    }
                } else {
                    writable = false;
                }
            }
            if (phase == HANDSHAKING) {
                handshake();
            } else {
                connection.onIoEvent(readable, writable, hangup);
            }
        } catch (IOException e) {
            closeOnIoError("write", e);
        } catch (Throwable t) {
            log.error("Unexpected failure handling an event of {}; closing it", connection, t);
            connection.close(CloseReason.IO_ERROR, t);
        }
    }

    @Override
    public void interest(boolean read, boolean write) {
        appRead = read;
        appWrite = write;
        updateInterest();
    }

    /** What the connection wants, plus what this layer needs. */
    private void updateInterest() {
        switch (phase) {
            case HANDSHAKING:
                socket.interest(!tasksRunning, !tasksRunning && netOut != null);
                break;
            case OPEN:
                socket.interest(appRead, appWrite || netOut != null);
                break;
            default:
                socket.interest(false, true);
                break;
        }
    }

    // ---- handshake --------------------------------------------------------------------------

    /** Advances the handshake as far as the socket allows; tells the connection when it is done. */
    private void handshake() {
        try {
            while (phase == HANDSHAKING && !tasksRunning) {
                HandshakeStatus status = wrapAgain ? HandshakeStatus.NEED_WRAP : engine.getHandshakeStatus();
                switch (status) {
                    case NEED_TASK:
                        runDelegatedTasks();
                        return;
                    case NEED_WRAP:
                        if (!wrapHandshake()) {
                            return;
                        }
                        break;
                    case NEED_UNWRAP:
                    case NEED_UNWRAP_AGAIN:
                        if (!unwrapHandshake()) {
                            return;
                        }
                        break;
                    default:
                        established();
                        return;
                }
            }
        } catch (SSLException e) {
            fail("TLS handshake failed: " + e.getMessage(), e);
        } catch (IOException e) {
            closeOnIoError("TLS handshake", e);
        }
    }

    /** @return {@code false} when waiting for the socket to take what was produced before */
    private boolean wrapHandshake() throws IOException {
        if (netOut != null && netOut.remaining() < context.packetBufferSize && !flushNetOut()) {
            updateInterest();
            return false;
        }
        SSLEngineResult result = engine.wrap(EMPTY, netOutForWrap());
        // OpenSSL's engine says here, not in getHandshakeStatus(), that an alert is out and the
        // failure behind it comes with the next wrap.
        wrapAgain = result.getHandshakeStatus() == HandshakeStatus.NEED_WRAP && result.bytesProduced() > 0;
        if (result.getStatus() != Status.OK) {
            flushNetOut();
            throw new SSLException("the engine stopped the handshake: " + result.getStatus());
        }
        if (result.bytesProduced() == 0 && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
            throw new SSLException("the handshake makes no progress: " + result);
        }
        flushNetOut();
        updateInterest();
        return true;
    }

    /** @return {@code false} when waiting for more bytes from the peer (or closed) */
    private boolean unwrapHandshake() throws IOException {
        if (netIn == null && !fillHandshake()) {
            return false;
        }
        ByteBuffer stage = buffers.stage;
        SSLEngineResult result = engine.unwrap(netIn, stage);
        if (stage.position() > 0) {
            keepStaged(); // Application data never comes before the handshake ends; be safe anyway.
        }
        releaseEmptyNetIn();
        switch (result.getStatus()) {
            case BUFFER_UNDERFLOW:
                return fillHandshake();
            case CLOSED:
                throw new SSLException("the peer closed TLS during the handshake");
            case BUFFER_OVERFLOW:
                throw new SSLException("a handshake record does not fit the application buffer");
            default:
                if (context.isOpenSsl() && result.bytesConsumed() > 0
                        && engine.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP) {
                    // OpenSSL's engine sees that the client's Finished ended the handshake only on
                    // its next call: an empty wrap is that call, before more input (which may be
                    // no more, or a close_notify) comes.
                    engine.wrap(EMPTY, netOutForWrap());
                    flushNetOut();
                    updateInterest();
                }
                return true;
        }
    }

    /** Reads during the handshake; {@code false} when nothing came (or the peer left). */
    private boolean fillHandshake() throws IOException {
        int n = fill();
        if (n > 0) {
            receivedAny = true;
            return true;
        }
        if (n < 0) {
            if (receivedAny) {
                fail("the peer closed the connection during the TLS handshake", null);
            } else {
                // Port checks of load balancers do this all day: not worth a line.
                log.debug("Closing {}: the peer closed before starting a TLS handshake", connection);
                connection.close(CloseReason.PEER, null);
            }
        }
        return false;
    }

    private void runDelegatedTasks() {
        tasksRunning = true;
        updateInterest();
        SSLEngine e = engine;
        try {
            context.executor().execute(() -> {
                try {
                    Runnable task;
                    while ((task = e.getDelegatedTask()) != null) {
                        task.run();
                    }
                } catch (Throwable t) {
                    taskFailure = t;
                }
                try {
                    loop.executor().execute(tasksDoneTask);
                } catch (RejectedExecutionException ignored) {
                    // The loop is shutting down and closes the connection itself.
                }
            });
        } catch (RejectedExecutionException ex) {
            tasksRunning = false;
            fail("the server is stopping", null);
        }
    }

    private void tasksDone() {
        tasksRunning = false;
        if (phase != HANDSHAKING) {
            return;
        }
        Throwable failure = taskFailure;
        if (failure != null) {
            fail("TLS handshake failed: " + failure, failure);
            return;
        }
        updateInterest();
        handshake();
    }

    private void established() {
        cancelTimer();
        phase = OPEN;
        session = new TlsSession(engine);
        loop.tlsHandshakeCompleted(System.nanoTime() - startNanos);
        log.debug("{}: TLS established, {}", connection, session);
        updateInterest();
        connection.established();
        if (phase == OPEN && (netIn != null || appIn != null)) {
            // Application data that came with the handshake, still encrypted or (OpenSSL's engine
            // decrypts it with the client's Finished) already plaintext.
            connection.onIoEvent(true, false, false);
        }
    }

    private void handshakeTimedOut() {
        timer = null;
        if (phase == HANDSHAKING) {
            fail("TLS handshake not completed within " + Duration.ofNanos(context.handshakeTimeoutNanos)
                    + (receivedAny ? "" : peerHost == null ? " (the client sent nothing)" : " (the server sent nothing)"), null);
        }
    }

    // ---- reading ----------------------------------------------------------------------------

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int start = dst.position();
        boolean drained = false;
        try {
            if (appIn != null) {
                drainAppIn(dst);
            }
            while (appIn == null && dst.hasRemaining()) {
                if (netIn != null) {
                    Status status = unwrap(dst);
                    if (status == Status.OK) {
                        continue;
                    }
                    if (status == Status.CLOSED) {
                        inputEnded = true; // close_notify
                        break;
                    }
                    // BUFFER_UNDERFLOW: the rest of a record is still on its way.
                }
                if (inputEnded || drained) {
                    break;
                }
                int n = fill();
                if (n == 0) {
                    break;
                }
                // A short read took all the socket had: under level-triggered polling more bytes
                // are reported anew, so asking again now would only cost a read that finds none.
                drained = lastFillShort && !socket.edgeTriggered();
                if (n < 0) {
                    inputEnded = true;
                    log.debug("{}: end of stream without close_notify{}", connection,
                            netIn != null ? " in the middle of a record" : "");
                    break;
                }
            }
        } catch (SSLException e) {
            fail("TLS error: " + e.getMessage(), e);
            throw e;
        }
        releaseEmptyNetIn();
        int produced = dst.position() - start;
        if (produced == 0) {
            return inputEnded ? -1 : 0;
        }
        if (inputEnded || appIn != null || (netIn != null && !dst.hasRemaining())) {
            connection.readAgainSoon(); // No socket event reports what this layer holds.
        }
        return produced;
    }

    /** Unwraps one record into {@code dst}, what does not fit into {@code appIn}. */
    private Status unwrap(ByteBuffer dst) throws SSLException {
        ByteBuffer[] targets = buffers.unwrapTargets;
        targets[0] = dst;
        targets[1] = buffers.stage;
        SSLEngineResult result;
        try {
            result = engine.unwrap(netIn, targets);
        } finally {
            targets[0] = null;
        }
        if (buffers.stage.position() > 0) {
            keepStaged();
        }
        if (!netIn.hasRemaining()) {
            releaseEmptyNetIn();
        }
        Status status = result.getStatus();
        HandshakeStatus handshake = result.getHandshakeStatus();
        // After a close_notify the engine wants to answer it (NEED_WRAP): closing does that.
        if (status != Status.CLOSED && handshake != HandshakeStatus.NOT_HANDSHAKING
                && handshake != HandshakeStatus.FINISHED) {
            afterHandshakeMessage(handshake);
        }
        if (status == Status.BUFFER_OVERFLOW) {
            throw new SSLException("a record larger than the session's application buffer");
        }
        return status;
    }

    /**
     * A handshake message after the handshake: a TLS 1.3 key update is answered; in TLS 1.2 it is
     * a renegotiation, which gev refuses (it costs the server a handshake per request and has been
     * the door to several attacks).
     */
    private void afterHandshakeMessage(HandshakeStatus status) throws SSLException {
        if (!session.isTls13()) {
            throw new SSLException("renegotiation refused: the client started a new handshake on an established "
                    + session.protocol() + " connection");
        }
        if (status == HandshakeStatus.NEED_TASK) {
            Runnable task;
            while ((task = engine.getDelegatedTask()) != null) {
                task.run(); // Post-handshake tasks are small; no need to leave the loop.
            }
        }
        // The result's status too, not only the engine's, and until a wrap produces nothing:
        // OpenSSL's engine answers a bad record with NEED_WRAP in the result while its own status
        // reads NOT_HANDSHAKING, and throws the record's error (BAD_DECRYPT) from the wrap after
        // the one that produced its answer. Without these the bad record went unanswered.
        if (status == HandshakeStatus.NEED_WRAP || engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
            try {
                while (engine.wrap(EMPTY, netOutForWrap()).bytesProduced() > 0) {
                    // what the engine had to say is in netOut
                }
                flushNetOut();
            } catch (SSLException e) {
                throw e;
            } catch (IOException e) {
                // The socket failed; the next read or write reports it.
                log.debug("{}: writing a TLS key update failed: {}", connection, e.toString());
            }
            updateInterest();
        }
    }

    private void keepStaged() {
        ByteBuffer stage = buffers.stage;
        stage.flip();
        ByteBuffer keep = buffers.borrow();
        keep.put(stage);
        keep.flip();
        stage.clear();
        appIn = keep;
    }

    private void drainAppIn(ByteBuffer dst) {
        ByteBuffer src = appIn;
        int n = Math.min(src.remaining(), dst.remaining());
        int limit = src.limit();
        src.limit(src.position() + n);
        dst.put(src);
        src.limit(limit);
        if (!src.hasRemaining()) {
            appIn = null;
            buffers.release(src);
        }
    }

    /**
     * Reads ciphertext from the socket after what {@code netIn} holds.
     *
     * @return bytes read, 0 when none were available, -1 at end of stream
     */
    private int fill() throws IOException {
        ByteBuffer in = netIn;
        if (in == null) {
            in = buffers.borrow();
        } else {
            in.compact();
            if (!in.hasRemaining()) {
                // A record larger than four standard ones (a peer using larger fragments).
                ByteBuffer larger = buffers.allocate(in.capacity() * 2);
                in.flip();
                larger.put(in);
                buffers.release(in);
                in = larger;
            }
        }
        netIn = in;
        // What one read may take: the heap buffers of the JDK's engine go through a transfer
        // buffer of the standard capacity.
        int room = Math.min(in.remaining(), buffers.capacity);
        int n;
        try {
            n = buffers.read(socket, in);
        } finally {
            in.flip();
        }
        lastFillShort = n < room;
        releaseEmptyNetIn();
        return n;
    }

    private void releaseEmptyNetIn() {
        ByteBuffer in = netIn;
        if (in != null && !in.hasRemaining()) {
            netIn = null;
            buffers.release(in);
        }
    }

    // ---- writing ----------------------------------------------------------------------------

    @Override
    public long write(ByteBuffer[] srcs, int count) throws IOException {
        if (netOut != null && !flushNetOut()) {
            return 0; // The socket has not taken the last records yet; write interest is on.
        }
        int[] p = positions;
        long total = 0;
        for (int i = 0; i < count; i++) {
            p[i] = srcs[i].position();
            total += srcs[i].remaining();
        }
        long consumed = 0;
        ByteBuffer out = netOutForWrap();
        try {
            while (consumed < total && out.remaining() >= context.packetBufferSize) {
                SSLEngineResult result = engine.wrap(srcs, 0, count, out);
                consumed += result.bytesConsumed();
                if (result.getStatus() == Status.CLOSED) {
                    if (inputEnded) {
                        throw peerClosedSession(total - consumed);
                    }
                    throw new SSLException("the TLS session is closed (close_notify was sent or received)");
                }
                if (result.getStatus() != Status.OK) {
                    break;
                }
            }
        } catch (SSLException e) {
            fail("TLS error: " + e.getMessage(), e);
            throw e;
        } finally {
            for (int i = 0; i < count; i++) {
                srcs[i].position(p[i]);
            }
        }
        flushNetOut();
        updateInterest();
        return consumed;
    }

    /**
     * The peer's close_notify closed the session both ways, as TLS 1.2 does: the receiver answers
     * it with its own and discards what it still had to write (RFC 5246, 7.2.1). That is the peer
     * ending the connection, not a TLS failure.
     */
    private IOException peerClosedSession(long unsent) {
        log.debug("{}: the peer's close_notify closed the TLS session; {} bytes queued are not sent", connection,
                unsent);
        connection.close(CloseReason.PEER, null);
        return new ClosedChannelException();
    }

    private ByteBuffer netOutForWrap() {
        ByteBuffer out = netOut;
        if (out == null) {
            out = netOut = buffers.borrow();
        }
        return out;
    }

    /**
     * Writes {@code netOut} to the socket; gives it back once empty.
     *
     * @return {@code true} when nothing is left to write
     */
    private boolean flushNetOut() throws IOException {
        ByteBuffer out = netOut;
        if (out == null) {
            return true;
        }
        if (out.position() > 0) {
            out.flip();
            out.position(out.position() + (int) buffers.write(socket, out));
            if (out.hasRemaining()) {
                out.compact();
                return false;
            }
        }
        netOut = null;
        buffers.release(out);
        return true;
    }

    @Override
    public void shutdownOutput() throws IOException {
        engine.closeOutbound();
        wrapClosing();
        if (flushNetOut()) {
            socket.shutdownOutput();
        } else {
            finAfterFlush = true;
            updateInterest();
        }
    }

    /** Wraps what a closed engine still has to say: close_notify, or the alert of a failure. */
    private void wrapClosing() throws SSLException {
        for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
            SSLEngineResult result = engine.wrap(EMPTY, netOutForWrap());
            if (result.bytesProduced() == 0 || result.getStatus() != Status.OK) {
                break;
            }
        }
    }

    // ---- closing ----------------------------------------------------------------------------

    /**
     * Sends close_notify (best effort, without blocking) and closes the socket. Ciphertext the
     * socket did not take yet (replies the connection counts as written) is still delivered: the
     * socket lingers, without the connection, until it is out or {@link #CLOSE_LINGER_NANOS} pass.
     */
    @Override
    public void closeSocket() {
        if (phase >= LINGERING) {
            return;
        }
        if (phase == OPEN) {
            loop.tlsSessionClosed();
        }
        cancelTimer();
        boolean pending = false;
        if (engine != null && !tasksRunning && buffers != null) {
            try {
                engine.closeOutbound();
                wrapClosing();
                pending = !flushNetOut();
            } catch (IOException | RuntimeException e) {
                log.debug("{}: no close_notify sent: {}", connection, e.toString());
            }
        }
        if (pending) {
            phase = LINGERING;
            updateInterest();
            timer = loop.executor().schedule(this::finish, CLOSE_LINGER_NANOS, TimeUnit.NANOSECONDS);
        } else {
            finish();
        }
    }

    private void linger() {
        try {
            if (!flushNetOut()) {
                return;
            }
        } catch (IOException e) {
            log.debug("{}: the last TLS records were not delivered: {}", connection, e.toString());
        }
        finish();
    }

    @Override
    public void socketClosedByLoop() {
        // The loop shuts down: no linger timer will run, so what it would free goes now.
        free();
    }

    private void finish() {
        if (free()) {
            socket.closeSocket();
        }
    }

    /** Gives back the buffers and the engine; {@code false} if that was done before. */
    private boolean free() {
        if (phase == CLOSED) {
            return false;
        }
        phase = CLOSED;
        cancelTimer();
        if (buffers != null) {
            for (ByteBuffer buffer : new ByteBuffer[] {netIn, netOut, appIn}) {
                if (buffer != null) {
                    buffers.release(buffer);
                }
            }
        }
        netIn = netOut = appIn = null;
        if (engine != null) {
            // OpenSSL's engine holds native memory until released; a delegated task still running
            // finds it destroyed and stops.
            TlsContext.release(engine);
        }
        return true;
    }

    private void cancelTimer() {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            timer = null;
            t.cancel(false);
        }
    }

    private void fail(String reason, Throwable cause) {
        // A scanner's every connection fails here: the server's fault log keeps it to a few lines.
        loop.tlsFailures().report(loop.executor(), "Closing {}: {}", connection, reason);
        if (cause != null) {
            log.debug("TLS failure of {}", connection, cause);
        }
        connection.close(CloseReason.TLS_ERROR, cause != null ? cause : new SSLException(reason));
    }

    private void closeOnIoError(String operation, IOException e) {
        log.debug("Closing {}: {} failed: {}", connection, operation, e.toString());
        connection.close(CloseReason.IO_ERROR, e);
    }

    // ---- the rest ---------------------------------------------------------------------------

    @Override
    public AbstractSocketIo baseSocket() {
        return socket;
    }

    @Override
    public TlsInfo tls() {
        return session;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return socket.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return socket.localAddress();
    }
}
