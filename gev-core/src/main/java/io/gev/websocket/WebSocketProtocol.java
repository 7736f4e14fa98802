package io.gev.websocket;

import io.gev.Connection;
import io.gev.SendCallback;
import io.gev.buffer.RingBuffer;
import io.gev.loop.Timer;
import io.gev.protocol.Frame;
import io.gev.protocol.Protocol;
import io.gev.protocol.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Deflater;

/**
 * RFC 6455 server side as a gev {@link Protocol}: the upgrade, framing, the control frames and the
 * close handshake, keep-alive pings and permessage-deflate. It uses only gev's public API, like a
 * user's protocol; its partner {@link WebSocketAdapter} turns what it decodes into
 * {@link WebSocketHandler} calls.
 *
 * <p>{@link #unpack} yields the {@link HandshakeRequest} once, as the context of a frame without a
 * message, then {@link WebSocketMessage}s (with no context); pings, pongs and close frames are
 * answered here. The type is {@code WebSocketMessage}, what the data path carries, rather than a
 * union of both: the upgrade request is a one-time event that rides in the context slot, and a
 * wrapper type would cost an object per message or a mutable holder. {@link #pack} frames a
 * {@link CharSequence} as text, a {@link ByteBuffer} or {@code byte[]} as binary, a
 * {@link WebSocketMessage} with its own type, and the protocol's own control frames and HTTP
 * responses.
 */
final class WebSocketProtocol implements Protocol<WebSocketMessage> {

    private static final Logger log = LoggerFactory.getLogger(WebSocketProtocol.class);

    static final int HANDSHAKE = 0;
    /** The request went to the handler's hook, which accepts or rejects it before the next read. */
    static final int UPGRADING = 1;
    static final int OPEN = 2;
    /** The server sent its close frame and waits for the client's. */
    static final int CLOSING = 3;
    /** Nothing more is read or sent; the TCP connection closes soon. */
    static final int CLOSED = 4;

    private static final SendCallback CLOSE_WHEN_WRITTEN = (connection, failure) -> connection.close();
    private static final Outbound KEEP_ALIVE_PING = Outbound.ping(new byte[0]);
    /** Writes nothing: sent with a callback, it runs once everything queued before it is written. */
    private static final Outbound NOTHING = Outbound.http(new byte[0]);
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    /**
     * The context of the frame without a message that follows an accepted upgrade: the session is
     * open. A frame of its own, not a call made while accepting, so that on a server whose handler
     * runs offloaded, {@code onOpen} runs on the handler's threads while the upgrade stays on the loop.
     */
    static final Object OPENED = new Object();

    final WebSocketOptions options;
    final Endpoints endpoints;
    /** The client's side of the protocol ({@link WebSocketClient}): it sends the upgrade and masks its frames. */
    final boolean client;

    WebSocketProtocol(WebSocketOptions options, Endpoints endpoints) {
        this(options, endpoints, false);
    }

    WebSocketProtocol(WebSocketOptions options, Endpoints endpoints, boolean client) {
        this.options = options;
        this.endpoints = endpoints;
        this.client = client;
    }

    /** A connection's WebSocket state: its {@link Connection#protocolState()}. Loop thread only. */
    static final class State {
        int phase = HANDSHAKE;
        HttpHead.Reader head = new HttpHead.Reader();
        /** The endpoint of the request's path, whose handler serves the connection; set once the request is read. */
        Endpoints.Endpoint endpoint;
        PerMessageDeflate deflate;
        FrameDecoder decoder;
        WebSocketSession session;
        WebSocketMessage message;
        /** The upgrade was accepted: the next frame is {@link #OPENED}. */
        boolean openPending;
        /** The handler's onOpen was called, so onClose is due. */
        boolean opened;
        boolean closeSent;
        boolean peerClosed;
        int closeCode = CloseStatus.ABNORMAL_CLOSURE;
        String closeReason = "";
        boolean awaitingPong;
        int pings;
        /** When the connection opened, for the server's upgrade timer. */
        long connectedNanos;
        Timer handshakeTimer;
        Timer pingTimer;
        Timer pongTimer;
        Timer closeTimer;
        /** On a client: the request and the future of its session; and the key sent with it. */
        ClientHandshake clientHandshake;
        String key;
    }

    // ---- lifecycle ------------------------------------------------------------------------------

    @Override
    public void onConnect(Connection connection) {
        State st = new State();
        st.connectedNanos = System.nanoTime();
        connection.setProtocolState(st);
        if (client) {
            st.clientHandshake = connection.attribute(ClientHandshake.ATTRIBUTE);
            st.endpoint = endpoints.find(st.clientHandshake.request.target());
            st.key = ClientHandshake.newKey();
            connection.send(Outbound.http(st.clientHandshake.requestBytes(st.key, options.compression())));
        }
        if (!options.handshakeTimeout().isZero()) {
            st.handshakeTimer = connection.loop().schedule(options.handshakeTimeout(),
                    () -> handshakeTimedOut(connection, st));
        }
    }

    /** Says "going away" to open sessions, so clients learn why instead of seeing 1006. */
    @Override
    public void onServerStop(Connection connection) {
        State st = connection.protocolState();
        if (st != null && st.phase == OPEN && !st.closeSent) {
            st.session.close(CloseStatus.GOING_AWAY, client ? "client stopping" : "server stopping");
        }
    }

    @Override
    public void onClose(Connection connection) {
        State st = connection.protocolState();
        if (st == null) {
            return;
        }
        st.phase = CLOSED;
        if (st.clientHandshake != null && !st.clientHandshake.session.isDone()) {
            st.clientHandshake.session.completeExceptionally(st.clientHandshake.failure(0,
                    "the connection closed before the handshake completed"));
        }
        cancel(st.handshakeTimer);
        cancel(st.pingTimer);
        cancel(st.pongTimer);
        cancel(st.closeTimer);
        if (st.deflate != null) {
            st.deflate.end();
        }
        if (st.decoder != null) {
            st.decoder.release();
        }
    }

    private static void cancel(Timer timer) {
        if (timer != null) {
            timer.cancel();
        }
    }

    private void handshakeTimedOut(Connection connection, State st) {
        if (st.phase != HANDSHAKE || !connection.isConnected()) {
            return;
        }
        st.phase = CLOSED;
        long millis = options.handshakeTimeout().toMillis();
        if (client) {
            log.debug("Closing {}: no WebSocket upgrade response within {} ms", connection, millis);
            st.clientHandshake.session.completeExceptionally(st.clientHandshake.failure(0,
                    "no answer within " + millis + " ms"));
            connection.close();
            return;
        }
        log.debug("Closing {}: no complete WebSocket upgrade request within {} ms", connection, millis);
        connection.send(Outbound.http(Handshake.error(408,
                "no complete upgrade request within " + millis + " ms", List.of())));
        connection.close();
    }

    // ---- handshake ------------------------------------------------------------------------------

    /** A client reads the server's answer to its upgrade, and opens the session on a valid 101. */
    private boolean readUpgradeResponse(Connection connection, State st, RingBuffer in, Frame<WebSocketMessage> frame) {
        ClientHandshake handshake = st.clientHandshake;
        ClientHandshake.Accepted accepted;
        try {
            int length = st.head.find(in, options.maxHandshakeSize());
            if (length < 0) {
                return false;
            }
            accepted = handshake.check(HttpHead.parseResponse(in.readBytes(length)), st.key, connection, options);
        } catch (HandshakeException e) {
            return upgradeFailed(st, handshake.failure(e.status() == 431 ? 0 : 502, e.getMessage()));
        } catch (WebSocketHandshakeException e) {
            return upgradeFailed(st, e);
        }
        cancel(st.handshakeTimer);
        st.head = null;
        st.deflate = accepted.deflate;
        st.decoder = new FrameDecoder(options.maxFrameSize(), options.maxMessageSize(), st.deflate, true);
        st.session = new WebSocketSession(connection, accepted.request, accepted.extensions);
        st.message = new WebSocketMessage();
        st.phase = OPEN;
        connection.upgraded(System.nanoTime() - st.connectedNanos);
        if (!options.pingInterval().isZero()) {
            st.pingTimer = connection.loop().scheduleAtFixedRate(options.pingInterval(), () -> keepAlive(connection, st));
        }
        frame.set(OPENED, null);
        return true;
    }

    private static boolean upgradeFailed(State st, WebSocketHandshakeException e) {
        st.phase = CLOSED;
        st.clientHandshake.session.completeExceptionally(e);
        throw new ProtocolException(e.getMessage());
    }

    private boolean readHandshake(Connection connection, State st, RingBuffer in, Frame<WebSocketMessage> frame) {
        if (client) {
            return readUpgradeResponse(connection, st, in, frame);
        }
        try {
            int length = st.head.find(in, options.maxHandshakeSize());
            if (length < 0) {
                return false;
            }
            HttpHead head = HttpHead.parse(in.readBytes(length));
            HandshakeRequest request = Handshake.validate(head, endpoints,
                    connection.remoteAddress(), connection.localAddress(), connection.tls() != null);
            request.tls = connection.tls();
            st.head = null;
            // validate found it too; a second lookup is cheaper than keeping it in every request.
            st.endpoint = endpoints.find(request.path());
            st.deflate = PerMessageDeflate.negotiate(request.headers("sec-websocket-extensions"), options);
            st.phase = UPGRADING;
            frame.set(request, null);
            return true;
        } catch (HandshakeException e) {
            if (e.status() == 403 || e.status() == 404) {
                // A path not served or a page of a foreign origin: a refusal like the handler's, not a fault.
                reject(connection, st, e.status(), e.getMessage(), List.of(e.headers()));
                return false;
            }
            st.phase = CLOSED;
            connection.send(Outbound.http(Handshake.error(e.status(), e.getMessage(), List.of(e.headers()))));
            throw new ProtocolException("WebSocket upgrade refused with " + e.status() + ": " + e.getMessage());
        }
    }

    /** Answers 101 and opens the session; the handler's hook let {@code request} through. */
    void accept(Connection connection, State st, HandshakeRequest request) {
        cancel(st.handshakeTimer);
        String extensions = st.deflate == null ? null : st.deflate.response;
        connection.send(Outbound.http(Handshake.switchingProtocols(request, extensions)));
        st.decoder = new FrameDecoder(options.maxFrameSize(), options.maxMessageSize(), st.deflate);
        st.session = new WebSocketSession(connection, request, extensions);
        st.message = new WebSocketMessage();
        st.phase = OPEN;
        st.openPending = true;
        connection.upgraded(System.nanoTime() - st.connectedNanos);
        if (!options.pingInterval().isZero()) {
            st.pingTimer = connection.loop().scheduleAtFixedRate(options.pingInterval(), () -> keepAlive(connection, st));
        }
    }

    /** Answers the upgrade request with an HTTP error and closes once it is written. */
    void reject(Connection connection, State st, int status, String message, List<String> headers) {
        st.phase = CLOSED;
        log.debug("Rejecting the WebSocket upgrade of {} with {}: {}", connection, status, message);
        connection.send(Outbound.http(Handshake.error(status, message, headers)), CLOSE_WHEN_WRITTEN);
    }

    // ---- frames ---------------------------------------------------------------------------------

    @Override
    public boolean unpack(Connection connection, RingBuffer in, Frame<WebSocketMessage> frame) {
        State st = connection.protocolState();
        switch (st.phase) {
            case HANDSHAKE:
                return readHandshake(connection, st, in, frame);
            case OPEN:
                if (st.openPending) {
                    st.openPending = false;
                    frame.set(OPENED, null);
                    return true;
                }
                return readFrames(connection, st, in, frame);
            case CLOSING:
                return readFrames(connection, st, in, frame);
            default:
                in.retrieveAll();
                return false;
        }
    }

    private boolean readFrames(Connection connection, State st, RingBuffer in, Frame<WebSocketMessage> frame) {
        FrameDecoder decoder = st.decoder;
        while (true) {
            int event;
            try {
                event = decoder.decode(in);
            } catch (WebSocketException e) {
                throw fail(connection, st, e.code(), e.getMessage());
            }
            switch (event) {
                case FrameDecoder.NEED_MORE:
                    return false;
                case FrameDecoder.MESSAGE:
                    if (st.phase != OPEN) {
                        continue; // the server is closing: late messages are dropped
                    }
                    frame.set(null, st.message.set(decoder.opcode(), decoder.payload()));
                    return true;
                case FrameDecoder.PING:
                    if (st.phase == OPEN) {
                        ByteBuffer p = decoder.payload();
                        byte[] payload = new byte[p.remaining()];
                        p.get(p.position(), payload);
                        connection.send(Outbound.pong(payload));
                    }
                    continue;
                case FrameDecoder.PONG:
                    st.awaitingPong = false;
                    continue;
                default:
                    st.peerClosed = true;
                    st.session.closing();
                    if (st.closeSent) {
                        // The client answered the server's close: the handshake is complete once
                        // that close is written. A client that closed at the same time may answer
                        // before a slow socket took all of it; closing now would cut it short.
                        st.phase = CLOSED;
                        if (connection.writeBufferLength() == 0) {
                            connection.close();
                        } else {
                            connection.send(NOTHING, CLOSE_WHEN_WRITTEN);
                        }
                        return false;
                    }
                    // The client began the close handshake: its code is the one reported.
                    st.closeCode = decoder.closeCode();
                    st.closeReason = decoder.closeReason();
                    connection.send(Outbound.echo(st.closeCode), CLOSE_WHEN_WRITTEN);
                    st.phase = CLOSED;
                    in.retrieveAll();
                    return false;
            }
        }
    }

    /** Sends a close frame with {@code code} unless one went already; the caller throws the result. */
    private ProtocolException fail(Connection connection, State st, int code, String message) {
        if (st.phase == OPEN) {
            connection.send(Outbound.failure(code, message));
        }
        st.phase = CLOSED;
        st.session.closing();
        return new ProtocolException("WebSocket closed with " + code + ": " + message);
    }

    private void keepAlive(Connection connection, State st) {
        if (st.phase != OPEN || st.awaitingPong) {
            return;
        }
        st.awaitingPong = true;
        int ping = ++st.pings;
        connection.send(KEEP_ALIVE_PING);
        st.pongTimer = connection.loop().schedule(options.pingTimeout(), () -> {
            if (st.awaitingPong && st.pings == ping && connection.isConnected()) {
                long millis = options.pingTimeout().toMillis();
                log.debug("Closing {}: no pong within {} ms", connection, millis);
                st.closeReason = "no pong within " + millis + " ms";
                st.session.closing();
                st.phase = CLOSED;
                connection.close();
            }
        });
    }

    /** A message for an offloaded handler: its own copy of the payload. */
    @Override
    public WebSocketMessage detach(WebSocketMessage message) {
        return message == null ? null : message.copy();
    }

    // ---- pack -----------------------------------------------------------------------------------

    @Override
    public void pack(Connection connection, Object message, RingBuffer out) {
        State st = connection.protocolState();
        if (client && !(message instanceof Outbound && ((Outbound) message).opcode == Outbound.HTTP)) {
            // Every frame a client sends is masked with a key of its own (RFC 6455 section 5.3): the
            // frames are written as a server's, then copied out masked.
            Scratch scratch = SCRATCH.get();
            RingBuffer frames = scratch.frames;
            frames.reset();
            packFrames(connection, st, message, frames);
            Masking.mask(frames, out, scratch.random, scratch.segments);
            if (frames.capacity() > Scratch.KEEP) {
                frames.release();
            }
            return;
        }
        packFrames(connection, st, message, out);
    }

    private void packFrames(Connection connection, State st, Object message, RingBuffer out) {
        if (message instanceof Outbound) {
            packOutbound(connection, st, (Outbound) message, out);
            return;
        }
        int opcode = FrameDecoder.OP_BINARY;
        ByteBuffer data = null;
        if (message instanceof WebSocketMessage) {
            WebSocketMessage m = (WebSocketMessage) message;
            opcode = m.isText() ? FrameDecoder.OP_TEXT : FrameDecoder.OP_BINARY;
            data = m.payload();
        } else if (message instanceof ByteBuffer) {
            data = (ByteBuffer) message;
        } else if (message instanceof byte[]) {
            data = ByteBuffer.wrap((byte[]) message);
        } else if (!(message instanceof CharSequence)) {
            throw Protocol.cannotPack(message,
                    "a CharSequence (text), a ByteBuffer or byte[] (binary) or the WebSocketMessage received");
        }
        if (st.phase != OPEN) {
            return; // not open yet, or the close handshake began: data may no longer be sent
        }
        if (data != null) {
            writeData(st, out, opcode, data);
        } else {
            writeText(st, out, (CharSequence) message);
        }
    }

    private void packOutbound(Connection connection, State st, Outbound o, RingBuffer out) {
        if (o.opcode == Outbound.HTTP) {
            out.write(o.payload);
            return;
        }
        if (st.phase != OPEN) {
            return;
        }
        if (o.opcode == FrameDecoder.OP_CLOSE) {
            st.closeSent = true;
            st.phase = CLOSING;
            st.session.closing();
            if (!st.peerClosed) {
                // The close frame that began the handshake is the one reported.
                st.closeCode = o.closeCode;
                st.closeReason = o.closeReason;
            }
            st.closeTimer = connection.loop().schedule(options.closeTimeout(), connection::close);
        }
        if (o.opcode >= FrameDecoder.OP_CLOSE) {
            writeHeader(out, 0x80 | o.opcode, o.payload.length);
            out.write(o.payload);
        } else {
            writeData(st, out, o.opcode, ByteBuffer.wrap(o.payload));
        }
    }

    private void writeData(State st, RingBuffer out, int opcode, ByteBuffer data) {
        int n = data.remaining();
        if (st.deflate != null && n >= options.compressionMinSize()) {
            writeCompressed(st.deflate, out, opcode, data);
            return;
        }
        writeHeader(out, 0x80 | opcode, n);
        out.write(data);
    }

    private void writeText(State st, RingBuffer out, CharSequence text) {
        int n = RingBuffer.utf8Length(text);
        if (st.deflate != null && n >= options.compressionMinSize()) {
            Scratch scratch = SCRATCH.get();
            RingBuffer utf8 = scratch.text;
            utf8.reset();
            utf8.writeString(text, StandardCharsets.UTF_8);
            writeCompressed(st.deflate, out, FrameDecoder.OP_TEXT, utf8.peekView(utf8.length()));
            scratch.trim();
            return;
        }
        writeHeader(out, 0x80 | FrameDecoder.OP_TEXT, n);
        out.writeString(text, StandardCharsets.UTF_8);
    }

    /**
     * One frame with RSV1 set: the message deflated with a sync flush, its empty-block tail cut.
     * A window smaller than 32 KiB is honoured by deflating in chunks that fit it, with the
     * compressor reset before each (see {@link PerMessageDeflate}).
     */
    private static void writeCompressed(PerMessageDeflate deflate, RingBuffer out, int opcode, ByteBuffer data) {
        Deflater deflater = deflate.deflater();
        int chunk = deflate.chunkSize();
        Scratch scratch = SCRATCH.get();
        byte[] buf = scratch.deflated;
        int n = 0;
        int end = data.limit();
        int position = data.position();
        try {
            do {
                if (chunk != Integer.MAX_VALUE) {
                    deflater.reset(); // what came before is out of the client's window
                }
                int next = (int) Math.min(end, (long) position + chunk);
                data.limit(next).position(position);
                deflater.setInput(data);
                while (true) {
                    n += deflater.deflate(buf, n, buf.length - n, Deflater.SYNC_FLUSH);
                    if (n < buf.length) {
                        break;
                    }
                    buf = scratch.deflated = Arrays.copyOf(buf, buf.length * 2);
                }
                position = next;
            } while (position < end);
        } finally {
            data.limit(end).position(end);
        }
        if (n < PerMessageDeflate.TAIL.length) {
            // An empty message right after a flush deflates to nothing: send an empty stored block.
            buf[0] = 0;
            n = 1;
        } else {
            n -= PerMessageDeflate.TAIL.length;
        }
        writeHeader(out, 0x80 | 0x40 | opcode, n);
        out.write(buf, 0, n);
        if (deflate.serverNoContextTakeover) {
            deflater.reset();
        }
        scratch.trim();
    }

    /** Writes a server frame header (no mask) for a payload of {@code length} bytes. */
    static void writeHeader(RingBuffer out, int b0, long length) {
        if (length < 126) {
            out.writeShort((b0 << 8) | (int) length);
        } else if (length < 65536) {
            out.writeInt((b0 << 24) | (126 << 16) | (int) length);
        } else {
            out.writeShort((b0 << 8) | 127);
            out.writeLong(length);
        }
    }

    /** Buffers of one loop thread for compressing; they shrink back after a large message. */
    private static final class Scratch {
        private static final int INITIAL = 16 * 1024;
        private static final int KEEP = 1024 * 1024;

        byte[] deflated = new byte[INITIAL];
        final RingBuffer text = RingBuffer.allocate(0);
        /** A client's frames before they are masked; direct, so masking runs on raw addresses. */
        final RingBuffer frames = RingBuffer.allocateDirect(0);
        final ByteBuffer[] segments = new ByteBuffer[RingBuffer.MAX_SEGMENTS];
        /** The source of a client's masking keys. */
        final SecureRandom random = new SecureRandom();

        void trim() {
            if (deflated.length > KEEP) {
                deflated = new byte[INITIAL];
            }
            if (text.capacity() > KEEP) {
                text.release();
            }
        }
    }

    @Override
    public String toString() {
        return "WebSocketProtocol[" + options + "]";
    }
}
