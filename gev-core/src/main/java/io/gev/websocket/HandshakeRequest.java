package io.gev.websocket;

import io.gev.TlsInfo;

import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP upgrade request of a WebSocket connection.
 *
 * <p>{@link WebSocketHandler#onHandshake} receives it after the server's own checks passed (method,
 * version, path, key, Origin) and may {@link #reject reject} it or
 * {@link #selectSubprotocol(String) choose another subprotocol}; afterwards it is available as
 * {@link WebSocketSession#request()}, read-only apart from its attributes.
 *
 * <p>Header names are case-insensitive; {@link #headers()} keys them in lower case.
 */
public final class HandshakeRequest {

    private final String uri;
    private final String path;
    private final String query;
    private final Map<String, List<String>> headers;
    private final InetSocketAddress remoteAddress;
    private final InetSocketAddress localAddress;
    private final List<String> offeredSubprotocols;
    /** Set by the protocol before the handler sees the request. */
    TlsInfo tls;

    private String subprotocol;
    private int rejectStatus;
    private String rejectMessage;
    private List<String> responseHeaders;
    private volatile boolean completed;
    private volatile Map<String, List<String>> queryParameters;
    private final Map<String, Object> attributes = new ConcurrentHashMap<>(4);

    HandshakeRequest(String uri, String path, String query, Map<String, List<String>> headers,
                     InetSocketAddress remoteAddress, InetSocketAddress localAddress) {
        this.uri = uri;
        this.path = path;
        this.query = query;
        this.headers = headers;
        this.remoteAddress = remoteAddress;
        this.localAddress = localAddress;
        this.offeredSubprotocols = Collections.unmodifiableList(tokens(headers("sec-websocket-protocol")));
    }

    /** The request target as sent, path and query, for example {@code /chat?room=1}. */
    public String uri() {
        return uri;
    }

    /** The path of the request target as sent (percent-encoding kept), for example {@code /chat}. */
    public String path() {
        return path;
    }

    /** The query of the request target without {@code ?} (percent-encoding kept), or {@code null}. */
    public String query() {
        return query;
    }

    /** The first value of the query parameter {@code name}, decoded, or {@code null}. */
    public String queryParameter(String name) {
        List<String> values = queryParameters().get(name);
        return values == null ? null : values.get(0);
    }

    /** The query parameters, decoded ({@code application/x-www-form-urlencoded}); empty without a query. */
    public Map<String, List<String>> queryParameters() {
        Map<String, List<String>> params = queryParameters;
        if (params == null) {
            params = parseQuery(query);
            queryParameters = params;
        }
        return params;
    }

    /** The first value of header {@code name}, or {@code null}. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null ? null : values.get(0);
    }

    /** Every value of header {@code name} in order; empty when absent. */
    public List<String> headers(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null ? List.of() : values;
    }

    /** All headers, names in lower case, in the order received. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The {@code Origin} header (sent by browsers), or {@code null}. */
    public String origin() {
        return header("origin");
    }

    /** The client's address. */
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    /** The server address the connection was accepted on. */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /**
     * The TLS session of a {@code wss://} connection (to check a client certificate before
     * accepting the upgrade, say), or {@code null} on a plain one.
     */
    public TlsInfo tls() {
        return tls;
    }

    /** The subprotocols the client offered ({@code Sec-WebSocket-Protocol}), in its order of preference. */
    public List<String> offeredSubprotocols() {
        return offeredSubprotocols;
    }

    /**
     * The subprotocol the server will accept: the first one the client offered that its route's
     * subprotocols ({@link WebSocketRoute#subprotocols()}, else {@link WebSocketOptions#subprotocols()})
     * list, unless the handler chose another; {@code null} for none.
     */
    public String subprotocol() {
        return subprotocol;
    }

    /**
     * Chooses the subprotocol to accept, or none with {@code null}; only during
     * {@link WebSocketHandler#onHandshake}.
     *
     * @throws IllegalArgumentException if the client did not offer {@code subprotocol}
     */
    public void selectSubprotocol(String subprotocol) {
        checkOpen();
        if (subprotocol != null && !offeredSubprotocols.contains(subprotocol)) {
            throw new IllegalArgumentException("subprotocol was not offered by the client: " + subprotocol
                    + " (offered: " + offeredSubprotocols + ")");
        }
        this.subprotocol = subprotocol;
    }

    /** Rejects the upgrade with an HTTP status (400-599) and its standard reason as the body. */
    public void reject(int status) {
        reject(status, null);
    }

    /**
     * Rejects the upgrade: the client gets an HTTP response with {@code status} (400-599) and
     * {@code message} as a plain-text body, and the connection is closed. Only during
     * {@link WebSocketHandler#onHandshake}.
     *
     * @throws IllegalArgumentException if {@code status} is not in 400-599
     */
    public void reject(int status, String message) {
        checkOpen();
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be in [400, 599]: " + status);
        }
        this.rejectStatus = status;
        this.rejectMessage = message;
    }

    /** Whether the handler rejected the upgrade. */
    public boolean isRejected() {
        return rejectStatus != 0;
    }

    /**
     * Adds a header to the response (accepting or rejecting), for example a cookie; only during
     * {@link WebSocketHandler#onHandshake}. Headers the protocol writes itself ({@code Upgrade},
     * {@code Connection}, {@code Sec-WebSocket-*}, {@code Content-*}) cannot be set.
     *
     * @throws IllegalArgumentException if the name is not an HTTP token, is reserved, or the value
     *         holds a control character
     */
    public void addResponseHeader(String name, String value) {
        checkOpen();
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (!HttpHead.isToken(name)) {
            throw new IllegalArgumentException("name is not an HTTP token: " + name);
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.equals("upgrade") || lower.equals("connection") || lower.startsWith("sec-websocket-")
                || lower.startsWith("content-")) {
            throw new IllegalArgumentException("name is written by the WebSocket protocol: " + name);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7F || c > 0xFF) {
                throw new IllegalArgumentException("value holds a control or non-Latin-1 character: " + value);
            }
        }
        if (responseHeaders == null) {
            responseHeaders = new ArrayList<>(4);
        }
        responseHeaders.add(name);
        responseHeaders.add(value);
    }

    /** An attribute the handshake hook stored, or {@code null}. Thread-safe. */
    @SuppressWarnings("unchecked")
    public <T> T attribute(String name) {
        return (T) attributes.get(name);
    }

    /**
     * Stores an attribute, for example the user the hook authenticated, for
     * {@link WebSocketHandler#onOpen} to find; {@code null} removes it. Thread-safe.
     */
    public void setAttribute(String name, Object value) {
        if (value == null) {
            attributes.remove(name);
        } else {
            attributes.put(name, value);
        }
    }

    @Override
    public String toString() {
        return "HandshakeRequest[" + uri + " from " + remoteAddress + "]";
    }

    // ---- used by the protocol -----------------------------------------------------------------

    void selectDefaultSubprotocol(List<String> supported) {
        for (String offered : offeredSubprotocols) {
            if (supported.contains(offered)) {
                subprotocol = offered;
                return;
            }
        }
    }

    int rejectStatus() {
        return rejectStatus;
    }

    String rejectMessage() {
        return rejectMessage;
    }

    /** Response headers added by the handler as name, value pairs; empty for none. */
    List<String> responseHeaders() {
        return responseHeaders == null ? List.of() : responseHeaders;
    }

    /** Ends the hook's window: later changes fail. */
    void complete() {
        completed = true;
    }

    private void checkOpen() {
        if (completed) {
            throw new IllegalStateException("the handshake is over: change the request only in onHandshake");
        }
    }

    /** The comma-separated tokens of every value, trimmed, empty ones dropped. */
    static List<String> tokens(List<String> values) {
        List<String> tokens = new ArrayList<>(2);
        for (String value : values) {
            for (String part : value.split(",")) {
                String token = part.trim();
                if (!token.isEmpty()) {
                    tokens.add(token);
                }
            }
        }
        return tokens;
    }

    private static Map<String, List<String>> parseQuery(String query) {
        if (query == null || query.isEmpty()) {
            return Map.of();
        }
        Map<String, List<String>> params = new java.util.LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            params.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
        }
        for (Map.Entry<String, List<String>> e : params.entrySet()) {
            e.setValue(Collections.unmodifiableList(e.getValue()));
        }
        return Collections.unmodifiableMap(params);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // a malformed escape: keep it as sent
        }
    }
}
