package io.gev.bench.load;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The client side of TLS on one non-blocking connection of the load generator: a JDK
 * {@link SSLEngine} between the connection's plaintext and its socket, with one buffer of
 * encrypted bytes each way that lives as long as the connection. The caller drives it from its
 * selector: {@link #handshake} until it returns true, then {@link #wrap}/{@link #writeTo} to send
 * and {@link #readFrom}/{@link #unwrap} to receive.
 *
 * <p>It offers TLS 1.3 with one cipher suite, {@value #CIPHER_SUITE}, so that every server
 * under comparison encrypts alike whatever its own preference: on their defaults gev (the JDK's
 * order) settles TLS_AES_256_GCM_SHA384 and Netty (its own order) TLS_AES_128_GCM_SHA256.
 *
 * <p>An engine created without a peer makes a full handshake every time. One created for a peer
 * ({@link #TlsClient(SSLContext, InetSocketAddress)}) offers the session the context last settled
 * with that host and port (the JDK keeps them per context), so it resumes when the server agrees;
 * {@link #resumed()} says whether it did.
  *
 * <p><b>Any server certificate is trusted</b> ({@link #trustingContext()}): the load generator
 * talks only to servers on this machine, which present a throwaway self-signed certificate, and
 * what it measures is the cost of the encrypted stream, not authentication. Nothing else should
 * use this class.
 */
final class TlsClient {

    /** The one protocol offered. */
    static final String PROTOCOL = "TLSv1.3";
    /** The one cipher suite offered: the first choice of Netty's defaults and of most TLS 1.3 stacks. */
    static final String CIPHER_SUITE = "TLS_AES_128_GCM_SHA256";
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** The trust manager of every context of {@link #trustingContext()}. */
    private static final TrustAll TRUST_ALL = new TrustAll();

    private final SSLEngine engine;
    /** The largest TLS record: what the outbound buffer must have room for before a wrap. */
    private final int packetSize;
    /** Encrypted bytes read from the socket and not yet decrypted; in write mode between calls. */
    private final ByteBuffer netIn;
    /** Encrypted bytes waiting for the socket; in write mode between calls. */
    private final ByteBuffer netOut;
    private boolean handshakeDone;
    /** The engine has a message of its own to send (a post-handshake reply). */
    private boolean wantWrap;
    private boolean inputFilled;
    private boolean outputFull;
    private boolean plainFull;
    private boolean closed;

    TlsClient(SSLContext context) throws SSLException {
        this(context, null);
    }

    /**
     * @param peer the server, whose session in {@code context} the handshake offers to resume;
     *             {@code null} for a full handshake whatever the context holds
     */
    TlsClient(SSLContext context, InetSocketAddress peer) throws SSLException {
        engine = peer == null ? context.createSSLEngine()
                : context.createSSLEngine(peer.getHostString(), peer.getPort());
        engine.setUseClientMode(true);
        engine.setEnabledProtocols(new String[] {PROTOCOL});
        engine.setEnabledCipherSuites(new String[] {CIPHER_SUITE});
        packetSize = engine.getSession().getPacketBufferSize();
        netIn = ByteBuffer.allocate(2 * packetSize);
        netOut = ByteBuffer.allocate(2 * packetSize);
        engine.beginHandshake();
    }

    /** A client context that trusts every server certificate; see the class comment. */
    static SSLContext trustingContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {TRUST_ALL}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JDK", e);
        }
    }

    /**
     * Advances the handshake as far as the bytes at hand allow: runs the engine's tasks here,
     * puts its messages in the outbound buffer and consumes the server's.
     *
     * @param scratch room for decrypted bytes, of which the handshake must produce none
     * @return whether the handshake is complete
     */
    boolean handshake(ByteBuffer scratch) throws IOException {
        while (!handshakeDone) {
            HandshakeStatus status = engine.getHandshakeStatus();
            switch (status) {
                case NEED_TASK:
                    runTasks();
                    break;
                case NEED_WRAP: {
                    SSLEngineResult r = engine.wrap(EMPTY, netOut);
                    if (r.getStatus() == Status.BUFFER_OVERFLOW) {
                        return false; // Write what is there first.
                    }
                    checkOpen(r);
                    handshakeDone = r.getHandshakeStatus() == HandshakeStatus.FINISHED;
                    break;
                }
                case NEED_UNWRAP:
                case NEED_UNWRAP_AGAIN: {
                    int before = scratch.position();
                    netIn.flip();
                    SSLEngineResult r;
                    try {
                        r = engine.unwrap(netIn, scratch);
                    } finally {
                        netIn.compact();
                    }
                    if (r.getStatus() == Status.BUFFER_UNDERFLOW) {
                        return false; // Wait for more of the server's flight.
                    }
                    checkOpen(r);
                    if (scratch.position() != before) {
                        throw new SSLException("application data from the server during the handshake");
                    }
                    handshakeDone = r.getHandshakeStatus() == HandshakeStatus.FINISHED;
                    break;
                }
                default: // FINISHED or NOT_HANDSHAKING
                    handshakeDone = true;
            }
        }
        return true;
    }

    /**
     * Whether the completed handshake resumed a session. Told by what the server sent, not by
     * what the client offered: a full handshake (TLS 1.2 or 1.3) has the server's certificate,
     * which the engine hands to the trust manager, and a resumed one has none. Session ids would
     * not do: TLS 1.3 resumes by a pre-shared key from a ticket, its session id field is a
     * leftover for middleboxes.
     */
    boolean resumed() {
        if (!handshakeDone) {
            throw new IllegalStateException("the handshake is not complete");
        }
        return !TRUST_ALL.forget(engine);
    }

    /** Whether the handshake waits for the outbound buffer to be written. */
    boolean handshakeWantsWrite() {
        return !handshakeDone && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP;
    }

    /** The settled session, for reports: protocol and cipher suite. */
    String describe() {
        SSLSession s = engine.getSession();
        return s.getProtocol() + " " + s.getCipherSuite();
    }

    /**
     * Encrypts what fits of {@code plain} (in read mode) into the outbound buffer, with any
     * message the engine has to send. {@link #outputFull()} says whether it stopped for room.
     */
    void wrap(ByteBuffer plain) throws SSLException {
        outputFull = false;
        while (plain.hasRemaining() || wantWrap) {
            if (netOut.remaining() < packetSize) {
                outputFull = true;
                return;
            }
            wantWrap = false;
            SSLEngineResult r = engine.wrap(plain, netOut);
            checkOpen(r);
            afterPostHandshake(r.getHandshakeStatus());
        }
    }

    /** Whether the last {@link #wrap} left bytes behind for lack of room. */
    boolean outputFull() {
        return outputFull;
    }

    /** Writes the encrypted bytes at hand; returns whether all are written. */
    boolean writeTo(SocketChannel channel) throws IOException {
        netOut.flip();
        try {
            if (netOut.hasRemaining()) {
                channel.write(netOut);
            }
            return !netOut.hasRemaining();
        } finally {
            netOut.compact();
        }
    }

    /** Reads encrypted bytes from {@code channel}; returns what {@link SocketChannel#read} did. */
    int readFrom(SocketChannel channel) throws IOException {
        int n = channel.read(netIn);
        inputFilled = !netIn.hasRemaining();
        return n;
    }

    /** Whether the last {@link #readFrom} filled the inbound buffer, so more may be waiting. */
    boolean inputFilled() {
        return inputFilled;
    }

    /**
     * Decrypts the complete records at hand into {@code dst} (from its position) while they fit.
     *
     * @return the plaintext bytes produced, or -1 when the server has closed the session and
     *         nothing was produced
     */
    int unwrap(ByteBuffer dst) throws SSLException {
        int start = dst.position();
        plainFull = false;
        netIn.flip();
        try {
            while (netIn.hasRemaining() && !closed) {
                SSLEngineResult r = engine.unwrap(netIn, dst);
                Status status = r.getStatus();
                if (status == Status.BUFFER_UNDERFLOW) {
                    break;
                }
                if (status == Status.BUFFER_OVERFLOW) {
                    plainFull = true;
                    break;
                }
                closed = status == Status.CLOSED;
                afterPostHandshake(r.getHandshakeStatus());
            }
        } finally {
            netIn.compact();
        }
        int n = dst.position() - start;
        return n == 0 && closed ? -1 : n;
    }

    /** Whether the last {@link #unwrap} stopped for lack of room: call it again with room. */
    boolean moreToUnwrap() {
        return plainFull;
    }

    /** Whether the engine has a message to send though the caller has none: call {@link #wrap}. */
    boolean wantsWrap() {
        return wantWrap;
    }

    /** Best effort: puts a {@code close_notify} on the wire without waiting for the socket. */
    void closeQuietly(SocketChannel channel) {
        try {
            engine.closeOutbound();
            if (netOut.remaining() >= packetSize) {
                engine.wrap(EMPTY, netOut);
            }
            writeTo(channel);
        } catch (IOException | RuntimeException ignored) {
            // The connection is being closed anyway.
        }
    }

    /** Messages after the handshake (session tickets, key updates) may ask for tasks or a reply. */
    private void afterPostHandshake(HandshakeStatus status) {
        if (status == HandshakeStatus.NEED_TASK) {
            runTasks();
            status = engine.getHandshakeStatus();
        }
        if (status == HandshakeStatus.NEED_WRAP) {
            wantWrap = true;
        }
    }

    private void checkOpen(SSLEngineResult r) throws SSLException {
        if (r.getStatus() == Status.CLOSED) {
            throw new SSLException("the TLS session is closed");
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    /**
     * Trusts every certificate; the load generator's servers are its own (see the class comment).
     * Notes the engines that were shown one, for {@link #resumed()}: weakly, since the engines of
     * connections that never ask are not forgotten otherwise.
     */
    private static final class TrustAll extends X509ExtendedTrustManager {
        /** Engines whose server sent a certificate (of any load generator in this JVM). */
        private final Set<SSLEngine> shownCertificate = Collections.synchronizedSet(
                Collections.newSetFromMap(new WeakHashMap<>()));

        /** Whether {@code engine} was shown a certificate; forgets it. */
        boolean forget(SSLEngine engine) {
            return shownCertificate.remove(engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            shownCertificate.add(engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
