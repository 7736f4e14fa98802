package io.gev.websocket;

import io.gev.Connection;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link WebSocketClient}'s side of the opening handshake (RFC 6455 section 4.1): the upgrade
 * request it sends and the checks of the server's answer. One per {@link WebSocketClient#connect},
 * carried by the connection as an attribute, with the future of the session it opens.
 */
final class ClientHandshake {

    /** The connection attribute that carries it from {@code connect} to the protocol. */
    static final String ATTRIBUTE = ClientHandshake.class.getName();

    private static final SecureRandom RANDOM = new SecureRandom();

    final WebSocketRequest request;
    final CompletableFuture<WebSocketSession> session = new CompletableFuture<>();

    ClientHandshake(WebSocketRequest request) {
        this.request = request;
    }

    /** A fresh {@code Sec-WebSocket-Key}: 16 random bytes in base64, one per connection. */
    static String newKey() {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    /** The upgrade request's bytes with {@code key}, offering permessage-deflate when {@code compression}. */
    byte[] requestBytes(String key, boolean compression) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("GET ").append(request.target()).append(" HTTP/1.1\r\n");
        sb.append("Host: ").append(hostHeader()).append("\r\n");
        sb.append("Upgrade: websocket\r\nConnection: Upgrade\r\n");
        sb.append("Sec-WebSocket-Key: ").append(key).append("\r\n");
        sb.append("Sec-WebSocket-Version: 13\r\n");
        if (!request.subprotocols().isEmpty()) {
            sb.append("Sec-WebSocket-Protocol: ").append(String.join(", ", request.subprotocols())).append("\r\n");
        }
        if (compression) {
            sb.append("Sec-WebSocket-Extensions: ").append(PerMessageDeflate.NAME).append("\r\n");
        }
        List<String> headers = request.headers();
        for (int i = 0; i < headers.size(); i += 2) {
            sb.append(headers.get(i)).append(": ").append(headers.get(i + 1)).append("\r\n");
        }
        return sb.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private String hostHeader() {
        String host = request.host();
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]"; // an IPv6 literal
        }
        int port = request.port();
        return port == (request.secure() ? 443 : 80) ? host : host + ":" + port;
    }

    /** What the server agreed to. */
    static final class Accepted {
        final HandshakeRequest request;
        final PerMessageDeflate deflate;
        final String extensions;

        Accepted(HandshakeRequest request, PerMessageDeflate deflate, String extensions) {
            this.request = request;
            this.deflate = deflate;
            this.extensions = extensions;
        }
    }

    /**
     * Checks the server's answer to the request sent with {@code key}.
     *
     * @throws WebSocketHandshakeException naming what is wrong: not 101, no or a wrong
     *         {@code Sec-WebSocket-Accept}, a subprotocol or an extension not offered
     */
    Accepted check(HttpHead response, String key, Connection connection, WebSocketOptions options)
            throws WebSocketHandshakeException {
        if (response.status != 101) {
            throw failure(response.status, "the server answered " + response.status + " " + response.target
                    + " instead of 101 Switching Protocols");
        }
        if (!"websocket".equalsIgnoreCase(single(response, "upgrade"))) {
            throw failure(101, "the answer has no Upgrade: websocket");
        }
        if (!HandshakeRequest.tokens(response.headers.getOrDefault("connection", List.of())).stream()
                .anyMatch(t -> t.equalsIgnoreCase("upgrade"))) {
            throw failure(101, "the answer has no Connection: Upgrade");
        }
        String accept = single(response, "sec-websocket-accept");
        if (!Handshake.accept(key).equals(accept)) {
            throw failure(101, "Sec-WebSocket-Accept " + (accept == null ? "is missing" : "'" + HttpHead.printable(accept)
                    + "' does not match the key"));
        }
        String subprotocol = single(response, "sec-websocket-protocol");
        if (subprotocol != null && !request.subprotocols().contains(subprotocol)) {
            throw failure(101, "the server chose subprotocol '" + HttpHead.printable(subprotocol)
                    + "', which was not offered (offered: " + request.subprotocols() + ")");
        }
        List<String> extensions = HandshakeRequest.tokens(response.headers.getOrDefault("sec-websocket-extensions",
                List.of()));
        PerMessageDeflate deflate = null;
        if (!extensions.isEmpty()) {
            if (extensions.size() > 1 || !options.compression()) {
                throw failure(101, "the server accepted extensions that were not offered: " + extensions);
            }
            deflate = PerMessageDeflate.accepted(extensions.get(0), options);
            if (deflate == null) {
                throw failure(101, "the server's permessage-deflate parameters were not offered: "
                        + HttpHead.printable(extensions.get(0)));
            }
        }
        HandshakeRequest sent = new HandshakeRequest(request.target(), path(), request.uri().getRawQuery(), sentHeaders(),
                connection.remoteAddress(), connection.localAddress());
        sent.tls = connection.tls();
        if (subprotocol != null) {
            sent.selectSubprotocol(subprotocol);
        }
        sent.complete();
        return new Accepted(sent, deflate, deflate == null ? null : extensions.get(0));
    }

    private String path() {
        String target = request.target();
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    private Map<String, List<String>> sentHeaders() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("host", List.of(hostHeader()));
        if (!request.subprotocols().isEmpty()) {
            headers.put("sec-websocket-protocol", List.of(String.join(", ", request.subprotocols())));
        }
        List<String> own = request.headers();
        for (int i = 0; i < own.size(); i += 2) {
            headers.computeIfAbsent(own.get(i).toLowerCase(Locale.ROOT), k -> new ArrayList<>(1)).add(own.get(i + 1));
        }
        headers.replaceAll((k, v) -> List.copyOf(v));
        return java.util.Collections.unmodifiableMap(headers);
    }

    private static String single(HttpHead head, String name) {
        List<String> values = head.headers.get(name);
        return values == null || values.size() != 1 ? null : values.get(0);
    }

    WebSocketHandshakeException failure(int status, String message) {
        return new WebSocketHandshakeException(status, "WebSocket upgrade to " + request.uri() + " failed: " + message);
    }
}
