package io.gev.testing;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A blocking TLS client on the JDK's {@link SSLEngine} over a plain socket, for tests that must
 * see the records themselves: whether {@code close_notify} came before the TCP end of stream, or
 * what happens to a handshake cut short. {@link javax.net.ssl.SSLSocket} hides both.
 */
public final class TlsTestClient implements AutoCloseable {

    private final TestClient tcp;
    private final InputStream in;
    private final OutputStream out;
    private final SSLEngine engine;
    private final ByteBuffer netIn;
    private final ByteBuffer appIn;
    private boolean closeNotifyReceived;

    private TlsTestClient(TestClient tcp, SSLEngine engine) throws IOException {
        this.tcp = tcp;
        this.in = tcp.socket().getInputStream();
        this.out = tcp.socket().getOutputStream();
        this.engine = engine;
        this.netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize() * 2);
        this.netIn.flip();
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize() * 2);
        this.appIn.flip();
    }

    /** Connects to {@code 127.0.0.1:port} and completes a handshake. */
    public static TlsTestClient connect(int port, SSLContext context) throws IOException {
        return connect(port, context, null);
    }

    /** Like {@link #connect(int, SSLContext)}, with these engine parameters. */
    public static TlsTestClient connect(int port, SSLContext context, SSLParameters parameters) throws IOException {
        return handshaken(TestClient.connect(port), engine(context, parameters));
    }

    /**
     * Completes a handshake over {@code tcp}, a connected client on a socket of any kind (a
     * {@link SegmentedSocket}, say, so that the records are cut into segments).
     */
    public static TlsTestClient over(TestClient tcp, SSLContext context) throws IOException {
        return handshaken(tcp, engine(context, null));
    }

    /** A client on {@code tcp} past its handshake; {@code tcp} is closed when the handshake fails. */
    private static TlsTestClient handshaken(TestClient tcp, SSLEngine engine) throws IOException {
        TlsTestClient client = new TlsTestClient(tcp, engine);
        try {
            client.handshake();
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
        return client;
    }

    private static SSLEngine engine(SSLContext context, SSLParameters parameters) {
        SSLEngine engine = context.createSSLEngine("localhost", 0);
        engine.setUseClientMode(true);
        if (parameters != null) {
            engine.setSSLParameters(parameters);
        }
        return engine;
    }

    /** The bytes a client sends first: its ClientHello. */
    public static byte[] clientHello(SSLContext context) throws SSLException {
        SSLEngine engine = engine(context, null);
        ByteBuffer hello = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), hello);
        return Arrays.copyOf(hello.array(), hello.position());
    }

    public SSLEngine engine() {
        return engine;
    }

    private void handshake() throws IOException {
        engine.beginHandshake();
        while (true) {
            HandshakeStatus status = engine.getHandshakeStatus();
            switch (status) {
                case NEED_TASK:
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                    break;
                case NEED_WRAP:
                    wrap(ByteBuffer.allocate(0));
                    break;
                case NEED_UNWRAP:
                case NEED_UNWRAP_AGAIN:
                    if (unwrap() == Status.CLOSED) {
                        throw new SSLException("the server closed TLS during the handshake");
                    }
                    break;
                default:
                    return;
            }
        }
    }

    private void wrap(ByteBuffer src) throws IOException {
        ByteBuffer net = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        do {
            net.clear();
            SSLEngineResult result = engine.wrap(src, net);
            out.write(net.array(), 0, net.position());
            if (result.getStatus() == Status.CLOSED) {
                break;
            }
        } while (src.hasRemaining());
        out.flush();
    }

    /** Unwraps one record into {@code appIn}, reading from the socket as needed. */
    private Status unwrap() throws IOException {
        while (true) {
            appIn.compact();
            SSLEngineResult result;
            try {
                result = engine.unwrap(netIn, appIn);
            } finally {
                appIn.flip();
            }
            if (result.getStatus() == Status.CLOSED) {
                closeNotifyReceived = true;
            }
            if (result.getStatus() != Status.BUFFER_UNDERFLOW) {
                return result.getStatus();
            }
            netIn.compact();
            int n;
            try {
                n = in.read(netIn.array(), netIn.position(), netIn.remaining());
            } finally {
                netIn.flip();
            }
            if (n < 0) {
                throw new EOFException("end of stream without close_notify");
            }
            netIn.limit(netIn.limit() + n);
        }
    }

    public TlsTestClient write(byte[] bytes) throws IOException {
        wrap(ByteBuffer.wrap(bytes));
        return this;
    }

    /** Reads exactly {@code n} plaintext bytes. */
    public byte[] readExactly(int n) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(n);
        while (bytes.size() < n) {
            if (!appIn.hasRemaining() && unwrap() == Status.CLOSED) {
                throw new EOFException("close_notify after " + bytes.size() + " of " + n + " bytes");
            }
            int take = Math.min(appIn.remaining(), n - bytes.size());
            bytes.write(appIn.array(), appIn.position(), take);
            appIn.position(appIn.position() + take);
        }
        return bytes.toByteArray();
    }

    /** Reads plaintext until the server's {@code close_notify}; fails on a TCP end of stream before it. */
    public byte[] readToCloseNotify() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        while (true) {
            if (!appIn.hasRemaining() && unwrap() == Status.CLOSED && !appIn.hasRemaining()) {
                return bytes.toByteArray();
            }
            bytes.write(appIn.array(), appIn.position(), appIn.remaining());
            appIn.position(appIn.limit());
        }
    }

    /**
     * Reads until the server's {@code close_notify}, failing on plaintext or a TCP end of stream
     * before it.
     */
    public void awaitCloseNotify() throws IOException {
        while (!closeNotifyReceived) {
            unwrap();
            if (appIn.hasRemaining()) {
                throw new IOException(appIn.remaining() + " unexpected bytes before close_notify");
            }
        }
    }

    /** {@code true} when the TCP connection ended (EOF or reset) within the read timeout. */
    public boolean awaitTcpClosed() throws IOException {
        return tcp.awaitClosed();
    }

    /** Sends close_notify: the end of what this client sends. */
    public void sendCloseNotify() throws IOException {
        engine.closeOutbound();
        wrap(ByteBuffer.allocate(0));
    }

    public Socket socket() {
        return tcp.socket();
    }

    @Override
    public void close() throws IOException {
        tcp.close();
    }
}
