package io.gev.websocket;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

/** The server's side of the opening handshake (RFC 6455 section 4.2): checks and responses. */
final class Handshake {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private Handshake() {
    }

    /**
     * Checks an upgrade request against RFC 6455 and the endpoint of its path.
     *
     * @param tls whether the request came over TLS, which makes the server's origin {@code https}
     * @throws HandshakeException with the status to answer: 405 for a method other than GET, 400
     *         for a missing {@code Host} or a malformed target, {@code Upgrade}, {@code Connection}
     *         or key, 404 for a path not served, 426 for a plain HTTP request or an unsupported
     *         version, 403 for an origin not allowed
     */
    static HandshakeRequest validate(HttpHead head, Endpoints endpoints,
                                     InetSocketAddress remote, InetSocketAddress local, boolean tls) {
        if (!head.method.equals("GET")) {
            throw new HandshakeException(405, "a WebSocket upgrade must use GET, not " + head.method, "Allow", "GET");
        }
        if (values(head, "host").size() != 1) {
            throw new HandshakeException(400, "exactly one Host header is required");
        }
        String target = head.target;
        if (!target.startsWith("/")) {
            // absolute-form (RFC 9112 section 3.2.2): scheme://authority/path
            int scheme = target.indexOf("://");
            if (scheme <= 0 || !HttpHead.isToken(target.substring(0, scheme))) {
                throw new HandshakeException(400, "request target is not a path: " + HttpHead.printable(target));
            }
            int slash = target.indexOf('/', scheme + 3);
            int question = target.indexOf('?', scheme + 3);
            target = slash >= 0 && (question < 0 || slash < question) ? target.substring(slash)
                    : "/" + (question >= 0 ? target.substring(question) : "");
        }
        if (target.indexOf('#') >= 0) {
            throw new HandshakeException(400, "request target holds a fragment");
        }
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? null : target.substring(q + 1);
        Endpoints.Endpoint endpoint = endpoints.find(path);
        if (endpoint == null) {
            throw new HandshakeException(404, "no WebSocket endpoint at " + HttpHead.printable(path));
        }
        List<String> upgrade = HandshakeRequest.tokens(values(head, "upgrade"));
        if (upgrade.isEmpty()) {
            throw new HandshakeException(426, "this is a WebSocket endpoint: send an upgrade request",
                    "Upgrade", "websocket", "Sec-WebSocket-Version", "13");
        }
        if (!containsIgnoreCase(upgrade, "websocket")) {
            throw new HandshakeException(400, "Upgrade header does not name websocket");
        }
        if (!containsIgnoreCase(HandshakeRequest.tokens(values(head, "connection")), "upgrade")) {
            throw new HandshakeException(400, "Connection header does not name upgrade");
        }
        List<String> version = values(head, "sec-websocket-version");
        if (version.size() != 1 || !version.get(0).equals("13")) {
            throw new HandshakeException(426, "unsupported Sec-WebSocket-Version " + version + ": 13 is supported",
                    "Sec-WebSocket-Version", "13");
        }
        List<String> key = values(head, "sec-websocket-key");
        if (key.size() != 1 || !isValidKey(key.get(0))) {
            throw new HandshakeException(400, "Sec-WebSocket-Key must be one base64-encoded 16-byte value");
        }
        List<String> origin = values(head, "origin");
        if (origin.size() > 1
                || !endpoint.origins.allows(origin.isEmpty() ? null : origin.get(0), values(head, "host").get(0), tls)) {
            throw new HandshakeException(403, "origin not allowed: " + HttpHead.printable(String.valueOf(origin)));
        }
        HandshakeRequest request = new HandshakeRequest(head.target, path, query, head.headers, remote, local);
        request.selectDefaultSubprotocol(endpoint.subprotocols);
        return request;
    }

    private static List<String> values(HttpHead head, String name) {
        List<String> values = head.headers.get(name);
        return values == null ? List.of() : values;
    }

    private static boolean containsIgnoreCase(List<String> tokens, String wanted) {
        for (String token : tokens) {
            if (token.equalsIgnoreCase(wanted)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isValidKey(String key) {
        if (key.length() != 24) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** {@code Sec-WebSocket-Accept} for a key: base64(SHA-1(key + GUID)). */
    static String accept(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }

    /** The 101 response accepting {@code request}. */
    static byte[] switchingProtocols(HandshakeRequest request, String extensions) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Accept: ").append(accept(request.header("sec-websocket-key"))).append("\r\n");
        if (request.subprotocol() != null) {
            sb.append("Sec-WebSocket-Protocol: ").append(request.subprotocol()).append("\r\n");
        }
        if (extensions != null) {
            sb.append("Sec-WebSocket-Extensions: ").append(extensions).append("\r\n");
        }
        appendHeaders(sb, request.responseHeaders());
        return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * An error response with a plain-text body, closing the connection.
     *
     * @param headers extra headers as name, value pairs
     */
    static byte[] error(int status, String message, List<String> headers) {
        String reason = reason(status);
        byte[] body = ((message == null || message.isEmpty() ? reason : message) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(256);
        sb.append("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
        appendHeaders(sb, headers);
        sb.append("Content-Type: text/plain; charset=utf-8\r\nContent-Length: ").append(body.length)
                .append("\r\nConnection: close\r\n\r\n");
        byte[] head = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] response = new byte[head.length + body.length];
        System.arraycopy(head, 0, response, 0, head.length);
        System.arraycopy(body, 0, response, head.length, body.length);
        return response;
    }

    private static void appendHeaders(StringBuilder sb, List<String> headers) {
        for (int i = 0; i + 1 < headers.size(); i += 2) {
            sb.append(headers.get(i)).append(": ").append(headers.get(i + 1)).append("\r\n");
        }
    }

    /** The reason phrase of {@code status}. */
    static String reason(int status) {
        switch (status) {
            case 400: return "Bad Request";
            case 401: return "Unauthorized";
            case 403: return "Forbidden";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 408: return "Request Timeout";
            case 409: return "Conflict";
            case 410: return "Gone";
            case 413: return "Content Too Large";
            case 414: return "URI Too Long";
            case 426: return "Upgrade Required";
            case 429: return "Too Many Requests";
            case 431: return "Request Header Fields Too Large";
            case 500: return "Internal Server Error";
            case 501: return "Not Implemented";
            case 502: return "Bad Gateway";
            case 503: return "Service Unavailable";
            case 504: return "Gateway Timeout";
            case 505: return "HTTP Version Not Supported";
            default: return status < 500 ? "Client Error" : "Server Error";
        }
    }
}
