package io.gev.websocket;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a {@link WebSocketClient} asks a server for: a {@code ws://} or {@code wss://} URI, the
 * subprotocols it offers in order of preference, and headers of its own (an
 * {@code Authorization}, an {@code Origin}). Immutable; from {@link #of(URI)} or a
 * {@link #builder(URI)}.
 */
public final class WebSocketRequest {

    /** Headers the client sets itself, which a request may not. */
    private static final List<String> RESERVED = List.of("host", "upgrade", "connection", "sec-websocket-key",
            "sec-websocket-version", "sec-websocket-protocol", "sec-websocket-extensions");

    private final URI uri;
    private final List<String> subprotocols;
    /** Name, value, name, value... */
    private final List<String> headers;

    private WebSocketRequest(Builder b) {
        this.uri = b.uri;
        this.subprotocols = List.copyOf(b.subprotocols);
        this.headers = List.copyOf(b.headers);
    }

    /** A request for {@code uri} with no subprotocols and no headers of its own. */
    public static WebSocketRequest of(URI uri) {
        return builder(uri).build();
    }

    /**
     * A builder for {@code uri}.
     *
     * @throws IllegalArgumentException when the scheme is not {@code ws} or {@code wss}, the host
     *         is missing, or the URI has a fragment (RFC 6455 section 3)
     */
    public static Builder builder(URI uri) {
        return new Builder(uri);
    }

    public URI uri() {
        return uri;
    }

    /** {@code true} for {@code wss://}. */
    public boolean secure() {
        return uri.getScheme().equalsIgnoreCase("wss");
    }

    public String host() {
        return uri.getHost();
    }

    /** The URI's port, or 80 ({@code ws}) or 443 ({@code wss}). */
    public int port() {
        return uri.getPort() > 0 ? uri.getPort() : secure() ? 443 : 80;
    }

    /** The request target: path (at least {@code /}) and query. */
    public String target() {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }

    public List<String> subprotocols() {
        return subprotocols;
    }

    /** The headers of its own, as name, value, name, value... */
    public List<String> headers() {
        return headers;
    }

    @Override
    public String toString() {
        return "WebSocketRequest[" + uri + (subprotocols.isEmpty() ? "" : ", subprotocols=" + subprotocols) + "]";
    }

    /** Builds a {@link WebSocketRequest}; each setter names its bad argument. Not thread-safe. */
    public static final class Builder {

        private final URI uri;
        private List<String> subprotocols = List.of();
        private final List<String> headers = new ArrayList<>();

        private Builder(URI uri) {
            Objects.requireNonNull(uri, "uri");
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("ws") || scheme.equalsIgnoreCase("wss"))) {
                throw new IllegalArgumentException("uri must be ws:// or wss://: " + uri);
            }
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("uri has no host: " + uri);
            }
            if (uri.getRawFragment() != null) {
                throw new IllegalArgumentException("uri must not have a fragment: " + uri);
            }
            this.uri = uri;
        }

        /** The subprotocols to offer, in order of preference; each an HTTP token. */
        public Builder subprotocols(String... subprotocols) {
            Objects.requireNonNull(subprotocols, "subprotocols");
            for (String s : subprotocols) {
                if (s == null || !HttpHead.isToken(s)) {
                    throw new IllegalArgumentException("subprotocols must be HTTP tokens: " + Arrays.toString(subprotocols));
                }
            }
            this.subprotocols = List.of(subprotocols);
            return this;
        }

        /**
         * Adds a header to the upgrade request.
         *
         * @throws IllegalArgumentException when the name is not an HTTP token, the value has a
         *         control character, or the header is one the client sets itself
         */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (!HttpHead.isToken(name)) {
                throw new IllegalArgumentException("header name must be an HTTP token: " + HttpHead.printable(name));
            }
            if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("header " + name + " is set by the client itself");
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7F) {
                    throw new IllegalArgumentException("header " + name + " has a control character in its value");
                }
            }
            headers.add(name);
            headers.add(value);
            return this;
        }

        public WebSocketRequest build() {
            return new WebSocketRequest(this);
        }
    }
}
