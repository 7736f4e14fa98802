package io.gev;

import io.gev.loop.EventLoop;

import java.net.InetSocketAddress;

/**
 * One TCP connection: accepted by a {@link Server}, or made by a {@link Client}.
 *
 * <p>{@link #send}, {@link #close} and {@link #shutdownWrite} may be called from any thread:
 * calls made off the connection's loop are queued to it (one wake-up per batch, not per call)
 * and keep the order in which one thread made them. Everything else is cheap to call from any
 * thread but, off the loop, may return a slightly stale value.
 */
public interface Connection {

    /** A number unique among the connections of its server or client. */
    long id();

    /**
     * Sends a message: the connection's protocol packs it and gev writes it as soon as the socket
     * takes it. Built-in protocols accept {@code byte[]}, {@link java.nio.ByteBuffer} (its
     * remaining bytes) and {@link CharSequence} (UTF-8). Ownership passes to gev: do not change
     * the object until it has been written. Sending on a closed connection does nothing.
     */
    void send(Object message);

    /**
     * Like {@link #send(Object)}, and tells {@code callback} on the loop thread when the message's
     * last byte has been handed to the socket, or why it never will be.
     */
    void send(Object message, SendCallback callback);

    /**
     * Closes the connection now. Bytes not yet written are dropped and their callbacks fail; to
     * close after a reply is out, close from that send's {@link SendCallback}. Idempotent.
     */
    void close();

    /**
     * Half-closes: writes what is queued, then sends FIN. The connection keeps reading until the
     * peer closes its side.
     */
    void shutdownWrite();

    /** {@code true} until the connection is closed. */
    boolean isConnected();

    /**
     * The peer's address: behind the PROXY protocol, the client's the header names. {@code null}
     * on a Unix domain socket ({@link ServerOptions#unixSocket()}), where the peer has none
     * unless a PROXY protocol header names one; {@link #peerCredentials()} tells who it is there.
     */
    InetSocketAddress remoteAddress();

    /** The local address the connection was accepted on; {@code null} on a Unix domain socket. */
    InetSocketAddress localAddress();

    /**
     * The process at the other end of a Unix domain socket, read from the kernel on the first
     * call and kept; {@code null} on TCP, or when the socket no longer tells (closed). Any thread.
     */
    PeerCredentials peerCredentials();

    /** The application's object attached to this connection, or {@code null}. */
    Object context();

    /** Attaches an application object to this connection. */
    void setContext(Object context);

    /**
     * State of the server's {@link io.gev.protocol.Protocol} for this connection (a decoder's
     * progress, a negotiated extension), or {@code null}. Reserved for the protocol; handlers use
     * {@link #context()}. Loop thread only.
     */
    <T> T protocolState();

    /** Sets the protocol's state for this connection; loop thread only. */
    void setProtocolState(Object state);

    /** The attribute stored under {@code name}, or {@code null}. */
    <T> T attribute(String name);

    /** Stores an attribute; {@code null} removes it. Thread-safe. */
    void setAttribute(String name, Object value);

    /** Bytes received and waiting for a complete frame. */
    int readBufferLength();

    /** Bytes queued and not yet taken by the socket. */
    int writeBufferLength();

    /**
     * {@code false} while more than the write buffer high water mark is queued; use it (and
     * {@link Handler#onWritabilityChanged}) to stop producing for a slow reader.
     */
    boolean isWritable();

    /**
     * Stops reading from the socket until {@link #resumeReading()}, as Netty's {@code autoRead}
     * turned off: nothing more is read, decoded or handed to the handler, so a fast peer is held
     * back by TCP flow control while its bytes wait in the kernel. Bytes read and not yet decoded
     * stay buffered; a pause from {@code onMessage} takes effect before the next frame of the same
     * read. Sending, TLS, the idle timeout (a paused connection receives nothing, so it can time
     * out) and closing go on as before. Any thread: called elsewhere, it takes effect on the
     * connection's loop soon after. A second call does nothing.
     */
    void pauseReading();

    /**
     * Reads again after {@link #pauseReading()}: frames that waited in gev's buffer are decoded
     * first, then the socket is read, whether or not a new readiness event comes. Any thread, as
     * {@code pauseReading()}; nothing when reading is not paused.
     */
    void resumeReading();

    /**
     * Whether reading is paused. On the connection's loop it is exact; another thread may see a
     * change late.
     */
    boolean isReadingPaused();

    /** The loop that runs this connection's callbacks: run or schedule work on it. */
    EventLoop loop();

    /**
     * For protocols with a handshake of their own, such as the WebSocket upgrade: reports that
     * it succeeded, {@code handshakeNanos} after it began (as the protocol measured it). The
     * server's {@link ServerStats} count the connection among the
     * {@link ServerStats#upgradedConnections() upgraded connections} until it closes, and add the
     * handshake to {@link ServerStats#upgrades()} and {@link ServerStats#upgradeNanos()}. Costs a
     * few plain counter updates; a second call and a call on a closed connection do nothing.
     *
     * @throws IllegalStateException when called off the connection's loop
     */
    default void upgraded(long handshakeNanos) {
    }

    /**
     * The TLS session of a connection to a server with {@link Server.Builder#tls(TlsOptions) TLS},
     * complete before {@link Handler#onConnect} is called; {@code null} on a plain connection.
     */
    default TlsInfo tls() {
        return null;
    }
}
