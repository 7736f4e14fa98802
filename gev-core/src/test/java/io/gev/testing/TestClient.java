package io.gev.testing;

import io.gev.Server;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A blocking client for tests, with a read timeout so that a broken server fails a test instead of hanging it. */
public final class TestClient implements AutoCloseable {

    public static final int TIMEOUT_MILLIS = 10_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public TestClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    public static TestClient connect(Server server) throws IOException {
        return connect(server.port());
    }

    public static TestClient connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
        return new TestClient(socket);
    }

    public Socket socket() {
        return socket;
    }

    public TestClient write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    public TestClient write(String text) throws IOException {
        return write(text.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] readExactly(int n) throws IOException {
        byte[] bytes = new byte[n];
        int off = 0;
        while (off < n) {
            int r = in.read(bytes, off, n - off);
            if (r < 0) {
                throw new EOFException("EOF after " + off + " of " + n + " bytes");
            }
            off += r;
        }
        return bytes;
    }

    public String readString(int n) throws IOException {
        return new String(readExactly(n), StandardCharsets.UTF_8);
    }

    /** Reads until the server closes; fails on timeout. */
    public byte[] readToEnd() throws IOException {
        return in.readAllBytes();
    }

    /** {@code true} when the server closed the connection (EOF or reset) within the timeout. */
    public boolean awaitClosed() throws IOException {
        try {
            byte[] buf = new byte[8192];
            while (true) {
                if (in.read(buf) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            // A reset also means closed.
            return true;
        }
    }

    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
