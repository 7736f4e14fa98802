package io.gev.websocket;

import io.gev.testing.TestClient;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A raw WebSocket client for tests: it writes whatever bytes a test wants (bad frames included)
 * and reads the server's HTTP responses and frames without interpreting them for the test.
 */
final class WsTestClient implements AutoCloseable {

    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final TestClient client;
    private final InputStream in;
    private final Random random = new Random(7);

    private WsTestClient(TestClient client) throws IOException {
        this.client = client;
        this.in = client.socket().getInputStream();
    }

    static WsTestClient connect(int port) throws IOException {
        return new WsTestClient(TestClient.connect(port));
    }

    /** A client on a connected {@code client} of any kind: TLS, or one that cuts its writes. */
    static WsTestClient over(TestClient client) throws IOException {
        return new WsTestClient(client);
    }

    /** Connects and completes an upgrade to {@code path} with {@code extraHeaders} ("Name: value" lines). */
    static WsTestClient open(int port, String path, String... extraHeaders) throws IOException {
        WsTestClient c = connect(port);
        c.write(request(path, extraHeaders));
        HttpResponse response = c.readResponse();
        assertEquals(101, response.status, "upgrade refused: " + response);
        assertEquals(ACCEPT, response.header("sec-websocket-accept"));
        return c;
    }

    /** A valid upgrade request, plus {@code extraHeaders}. */
    static String request(String path, String... extraHeaders) {
        return requestWithKey(KEY, path, extraHeaders);
    }

    /** A valid upgrade request whose Sec-WebSocket-Key is {@code key}, plus {@code extraHeaders}. */
    static String requestWithKey(String key, String path, String... extraHeaders) {
        StringBuilder sb = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(key).append("\r\nSec-WebSocket-Version: 13\r\n");
        for (String h : extraHeaders) {
            sb.append(h).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    /** The Sec-WebSocket-Accept that answers {@code key}. */
    static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1")
                    .digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    TestClient raw() {
        return client;
    }

    WsTestClient write(String s) throws IOException {
        client.write(s.getBytes(StandardCharsets.ISO_8859_1));
        return this;
    }

    WsTestClient write(byte[] bytes) throws IOException {
        client.write(bytes);
        return this;
    }

    /** Sends one masked frame. */
    WsTestClient send(boolean fin, int opcode, byte[] payload) throws IOException {
        return write(frame(fin, 0, opcode, payload, random.nextInt(), true));
    }

    WsTestClient sendText(String text) throws IOException {
        return send(true, 1, text.getBytes(StandardCharsets.UTF_8));
    }

    WsTestClient sendClose(int code, String reason) throws IOException {
        return send(true, 8, closePayload(code, reason));
    }

    static byte[] closePayload(int code, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[2 + r.length];
        p[0] = (byte) (code >> 8);
        p[1] = (byte) code;
        System.arraycopy(r, 0, p, 2, r.length);
        return p;
    }

    /** Encodes a client frame; {@code rsv} is the three RSV bits (4 = RSV1). */
    static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload, int mask, boolean masked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 14);
        out.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
        int m = masked ? 0x80 : 0;
        if (payload.length < 126) {
            out.write(m | payload.length);
        } else if (payload.length < 65536) {
            out.write(m | 126);
            out.write(payload.length >> 8);
            out.write(payload.length);
        } else {
            out.write(m | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) payload.length >>> shift));
            }
        }
        if (masked) {
            for (int shift = 24; shift >= 0; shift -= 8) {
                out.write(mask >>> shift);
            }
            for (int i = 0; i < payload.length; i++) {
                out.write(payload[i] ^ (mask >>> (24 - 8 * (i & 3))));
            }
        } else {
            out.write(payload, 0, payload.length);
        }
        return out.toByteArray();
    }

    /** Reads an HTTP response: status line, headers and a body of Content-Length bytes. */
    HttpResponse readResponse() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("EOF in the response head: " + head);
            }
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                break;
            }
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        assertEquals("HTTP/1.1", statusLine[0], lines[0]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        String length = headers.get("content-length");
        String body = length == null ? "" : new String(client.readExactly(Integer.parseInt(length)), StandardCharsets.UTF_8);
        return new HttpResponse(Integer.parseInt(statusLine[1]), headers, body);
    }

    /** Reads one server frame; fails if it is masked. */
    ServerFrame readFrame() throws IOException {
        byte[] h = client.readExactly(2);
        boolean fin = (h[0] & 0x80) != 0;
        int rsv = (h[0] >> 4) & 7;
        int opcode = h[0] & 0x0F;
        assertEquals(0, h[1] & 0x80, "a server frame must not be masked");
        long length = h[1] & 0x7F;
        if (length == 126) {
            byte[] l = client.readExactly(2);
            length = ((l[0] & 0xFF) << 8) | (l[1] & 0xFF);
        } else if (length == 127) {
            byte[] l = client.readExactly(8);
            length = 0;
            for (byte b : l) {
                length = (length << 8) | (b & 0xFF);
            }
        }
        return new ServerFrame(fin, rsv, opcode, client.readExactly((int) length));
    }

    /** Reads frames until a close frame; returns its code (1005 for none) after checking the server then closes TCP. */
    int expectClose() throws IOException {
        while (true) {
            ServerFrame f = readFrame();
            if (f.opcode == 8) {
                assertTrue(client.awaitClosed(), "the server did not close TCP after its close frame");
                return f.closeCode();
            }
        }
    }

    /** {@code true} when the server closed the connection within the timeout. */
    boolean awaitClosed() throws IOException {
        return client.awaitClosed();
    }

    /** Whether the server closes within {@code millis} (false when the socket stays silent that long). */
    boolean closedWithin(int millis) throws IOException {
        client.socket().setSoTimeout(millis);
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } finally {
            client.socket().setSoTimeout(TestClient.TIMEOUT_MILLIS);
        }
    }

    /**
     * {@code true} when the server ends the connection (EOF or reset) within the socket's read
     * timeout, {@code false} when it stays silent that long; throws when bytes come before the end.
     */
    boolean ends() throws IOException {
        int b;
        try {
            b = in.read();
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // A reset ends it too.
        }
        if (b >= 0) {
            throw new IOException("unexpected bytes (first 0x" + Integer.toHexString(b)
                    + ") where the end of stream was expected");
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        client.close();
    }

    static final class HttpResponse {
        final int status;
        final Map<String, String> headers;
        final String body;

        HttpResponse(int status, Map<String, String> headers, String body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + body;
        }
    }

    static final class ServerFrame {
        final boolean fin;
        final int rsv;
        final int opcode;
        final byte[] payload;

        ServerFrame(boolean fin, int rsv, int opcode, byte[] payload) {
            this.fin = fin;
            this.rsv = rsv;
            this.opcode = opcode;
            this.payload = payload;
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The code of a close frame; 1005 when it has none. */
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }
    }
}
