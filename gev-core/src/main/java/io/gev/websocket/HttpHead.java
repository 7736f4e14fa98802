package io.gev.websocket;

import io.gev.buffer.RingBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The request line and headers of an HTTP/1.1 request (RFC 9112), read incrementally from a
 * ring: {@link Reader#find} tells when the whole head has arrived without rescanning the lines it has
 * seen, {@link #parse} then checks and splits it.
 *
 * <p>Lines end with CRLF or a bare LF; leading empty lines are skipped; obsolete line folding,
 * whitespace before a header's colon and control characters are refused.
 */
final class HttpHead {

    final String method;
    final String target;
    final String version;
    /** A response's status code; 0 for a request. */
    final int status;
    /** Lower-case name to values in order; unmodifiable. */
    final Map<String, List<String>> headers;

    private HttpHead(String method, String target, String version, Map<String, List<String>> headers) {
        this(method, target, version, 0, headers);
    }

    private HttpHead(String method, String target, String version, int status, Map<String, List<String>> headers) {
        this.status = status;
        this.method = method;
        this.target = target;
        this.version = version;
        this.headers = headers;
    }

    /** Finds the end of a head as its bytes arrive; one per connection until the head is complete. */
    static final class Reader {

        /** Offset of the first line not yet seen complete. */
        private int lineStart;
        /** Bytes already searched for the end of that line. */
        private int scanned;

        /**
         * Looks for the empty line that ends the head.
         *
         * @return the head's length including that line, or -1 when more bytes are needed
         * @throws HandshakeException 431 when the head is longer than {@code maxSize}
         */
        int find(RingBuffer in, int maxSize) {
            while (true) {
                // Leading empty lines (RFC 9112 section 2.2) are skipped, not counted.
                while (lineStart == 0 && !in.isEmpty() && (in.peekByte() == '\n'
                        || (in.peekByte() == '\r' && in.length() > 1 && in.getByte(1) == '\n'))) {
                    in.retrieve(in.peekByte() == '\n' ? 1 : 2);
                    scanned = 0;
                }
                int lf = in.indexOf((byte) '\n', Math.max(lineStart, scanned));
                if (lf < 0) {
                    if (in.length() > maxSize) {
                        throw tooLarge(maxSize);
                    }
                    scanned = in.length();
                    return -1;
                }
                if (lf >= maxSize) {
                    throw tooLarge(maxSize);
                }
                int length = lf - lineStart;
                if (lineStart > 0 && (length == 0 || (length == 1 && in.getByte(lineStart) == '\r'))) {
                    return lf + 1;
                }
                lineStart = lf + 1;
            }
        }
    }

    private static HandshakeException tooLarge(int maxSize) {
        return new HandshakeException(431, "request line and headers exceed " + maxSize + " bytes");
    }

    /**
     * Splits a complete head.
     *
     * @throws HandshakeException 400 when it is malformed, 505 for an HTTP version other than 1.x
     *         with x at least 1
     */
    static HttpHead parse(byte[] head) {
        List<String> lines = lines(head);
        // The last line is the empty one that ended the head.
        String[] requestLine = lines.get(0).split(" ", -1);
        if (requestLine.length != 3 || !isToken(requestLine[0]) || requestLine[1].isEmpty()
                || hasControlOrSpace(requestLine[1])) {
            throw badRequest("malformed request line: " + printable(lines.get(0)));
        }
        String version = requestLine[2];
        if (!version.matches("HTTP/[0-9]\\.[0-9]")) {
            throw badRequest("malformed HTTP version: " + printable(version));
        }
        if (version.charAt(5) != '1' || version.charAt(7) == '0') {
            throw new HandshakeException(505, "WebSocket needs HTTP/1.1, not " + version);
        }
        return new HttpHead(requestLine[0], requestLine[1], version, headers(lines));
    }

    /**
     * Splits a complete response head, for a WebSocket client: the status line and headers.
     *
     * @throws HandshakeException 502 when it is malformed
     */
    static HttpHead parseResponse(byte[] head) {
        List<String> lines = lines(head);
        String statusLine = lines.get(0);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].matches("HTTP/1\\.[0-9]") || !parts[1].matches("[1-5][0-9][0-9]")) {
            throw new HandshakeException(502, "malformed status line: " + printable(statusLine));
        }
        return new HttpHead(null, parts.length == 3 ? parts[2] : "", parts[0], Integer.parseInt(parts[1]),
                headers(lines));
    }

    private static List<String> lines(byte[] head) {
        String text = new String(head, StandardCharsets.ISO_8859_1);
        List<String> lines = new ArrayList<>(16);
        int start = 0;
        while (start < text.length()) {
            int lf = text.indexOf('\n', start);
            int end = lf > start && text.charAt(lf - 1) == '\r' ? lf - 1 : lf;
            lines.add(text.substring(start, end));
            start = lf + 1;
        }
        return lines;
    }

    /** The header lines between the first line and the empty one that ends the head. */
    private static Map<String, List<String>> headers(List<String> lines) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.size() - 1; i++) {
            String line = lines.get(i);
            if (line.isEmpty()) {
                continue;
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw badRequest("obsolete line folding in the headers");
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !isToken(line.substring(0, colon))) {
                throw badRequest("malformed header line: " + printable(line));
            }
            String value = line.substring(colon + 1).strip();
            for (int k = 0; k < value.length(); k++) {
                char c = value.charAt(k);
                if ((c < 0x20 && c != '\t') || c == 0x7F) {
                    throw badRequest("control character in header " + line.substring(0, colon));
                }
            }
            headers.computeIfAbsent(line.substring(0, colon).toLowerCase(Locale.ROOT), k -> new ArrayList<>(1))
                    .add(value);
        }
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            e.setValue(Collections.unmodifiableList(e.getValue()));
        }
        return Collections.unmodifiableMap(headers);
    }

    /** Whether {@code s} is a non-empty HTTP token (RFC 9110 section 5.6.2). */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasControlOrSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c == 0x7F) {
                return true;
            }
        }
        return false;
    }

    private static HandshakeException badRequest(String message) {
        return new HandshakeException(400, message);
    }

    /** {@code s} cut to 100 characters with control characters escaped, for messages and logs. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 100) + 8);
        for (int i = 0; i < s.length() && i < 100; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7F) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (s.length() > 100) {
            sb.append("...");
        }
        return sb.toString();
    }
}
