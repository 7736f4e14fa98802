package io.gev.spring.boot.test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * A blocking TCP client for tests of gev servers: a plain {@link Socket} on 127.0.0.1, so what a
 * test sees is what any client would. Not thread-safe: one test thread uses one client. Every read
 * waits at most the timeout (5 seconds unless given) and fails with an {@link UncheckedIOException}
 * wrapping a {@link SocketTimeoutException} when the server says nothing, or with an
 * {@link UncheckedIOException} when it closes the connection first.
 *
 * <pre>{@code
 * try (GevTestClient client = GevTestClient.connect(port)) {
 *     client.send("hello\n");
 *     assertThat(client.readLine()).isEqualTo("hello");
 * }
 * }</pre>
 */
public final class GevTestClient implements AutoCloseable {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private GevTestClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects to {@code port} on 127.0.0.1, waiting at most 5 seconds for reads. */
    public static GevTestClient connect(int port) {
        return connect(port, DEFAULT_TIMEOUT);
    }

    /** Connects to {@code port} on 127.0.0.1, waiting at most {@code timeout} to connect and for each read. */
    public static GevTestClient connect(int port, Duration timeout) {
        Socket socket = new Socket();
        try {
            int millis = Math.toIntExact(Math.max(1, timeout.toMillis()));
            socket.connect(new InetSocketAddress("127.0.0.1", port), millis);
            socket.setSoTimeout(millis);
            socket.setTcpNoDelay(true);
            return new GevTestClient(socket);
        } catch (IOException ex) {
            closeQuietly(socket);
            throw new UncheckedIOException("Cannot connect to 127.0.0.1:" + port, ex);
        }
    }

    /** Sends {@code bytes} as they are, flushed; returns this client. */
    public GevTestClient send(byte[] bytes) {
        try {
            this.out.write(bytes);
            this.out.flush();
            return this;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Sends {@code text} in UTF-8, with no line end added; returns this client. */
    public GevTestClient send(String text) {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads exactly {@code n} bytes, however the server splits them. */
    public byte[] read(int n) {
        byte[] bytes = new byte[n];
        int read = 0;
        try {
            while (read < n) {
                int r = this.in.read(bytes, read, n - read);
                if (r < 0) {
                    throw new IOException("Connection closed after " + read + " of " + n + " bytes: "
                            + Arrays.toString(Arrays.copyOf(bytes, read)));
                }
                read += r;
            }
            return bytes;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Reads a line ended by {@code \n} (a {@code \r} before it dropped), UTF-8, without the line end. */
    public String readLine() {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            for (int b = this.in.read(); b != '\n'; b = this.in.read()) {
                if (b < 0) {
                    throw new IOException("Connection closed before a line end, after: "
                            + line.toString(StandardCharsets.UTF_8));
                }
                line.write(b);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        byte[] bytes = line.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    /** Closes the connection. */
    @Override
    public void close() {
        closeQuietly(this.socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ex) {
            // Nothing to do for a test client that is done.
        }
    }
}
