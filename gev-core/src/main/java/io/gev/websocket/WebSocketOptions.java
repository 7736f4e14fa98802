package io.gev.websocket;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.zip.Deflater;

/**
 * Settings of a WebSocket server; immutable. Build with {@link #builder()}, change a copy with
 * {@link #toBuilder()}. Every builder setter validates its argument and names it when it is
 * wrong; the defaults are the {@code DEFAULT_*} constants.
 */
public final class WebSocketOptions {

    /** Paths served when none are set: every path. */
    public static final List<String> DEFAULT_PATHS = List.of();
    /** Subprotocols when none are set: none. */
    public static final List<String> DEFAULT_SUBPROTOCOLS = List.of();
    /** Origins allowed besides the server's own when none are set: none (same origin only). */
    public static final List<String> DEFAULT_ALLOWED_ORIGINS = List.of();
    /** Origin patterns allowed besides the server's own origin when none are set: none. */
    public static final List<String> DEFAULT_ALLOWED_ORIGIN_PATTERNS = List.of();
    /** Largest request line plus headers of the upgrade request: 8 KiB. */
    public static final int DEFAULT_MAX_HANDSHAKE_SIZE = 8 * 1024;
    /**
     * Largest frame payload: 16 MiB, the same as the message limit because browsers and the JDK
     * client send every message as one frame.
     */
    public static final int DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;
    /** Largest message (after decompression): 16 MiB, gev's default read buffer limit. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;
    /** Time a client has to complete its upgrade request: 10 seconds. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** Keep-alive pings: off. */
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ZERO;
    /** Time a client has to answer a keep-alive ping: 10 seconds. */
    public static final Duration DEFAULT_PING_TIMEOUT = Duration.ofSeconds(10);
    /** Time the client has to answer the server's close frame before the server closes TCP: 5 seconds. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /**
     * permessage-deflate: off, because zlib needs about 300 KiB of native memory for each
     * connection that uses it; turn it on for bandwidth-bound traffic.
     */
    public static final boolean DEFAULT_COMPRESSION = false;
    /** Messages smaller than this are sent uncompressed: 128 bytes. */
    public static final int DEFAULT_COMPRESSION_MIN_SIZE = 128;
    /** zlib level of outgoing messages: 6, zlib's default. */
    public static final int DEFAULT_COMPRESSION_LEVEL = 6;
    /** Whether the server asks to reset its compressor after every message: no. */
    public static final boolean DEFAULT_SERVER_NO_CONTEXT_TAKEOVER = false;
    /** Whether the server asks the client to reset its compressor after every message: no. */
    public static final boolean DEFAULT_CLIENT_NO_CONTEXT_TAKEOVER = false;

    private final List<String> paths;
    private final List<String> subprotocols;
    private final List<String> allowedOrigins;
    private final List<String> allowedOriginPatterns;
    private final OriginRules originRules;
    private final int maxHandshakeSize;
    private final int maxFrameSize;
    private final int maxMessageSize;
    private final Duration handshakeTimeout;
    private final Duration pingInterval;
    private final Duration pingTimeout;
    private final Duration closeTimeout;
    private final boolean compression;
    private final int compressionMinSize;
    private final int compressionLevel;
    private final boolean serverNoContextTakeover;
    private final boolean clientNoContextTakeover;

    private WebSocketOptions(Builder b) {
        this.paths = b.paths;
        this.subprotocols = b.subprotocols;
        this.allowedOrigins = b.allowedOrigins;
        this.allowedOriginPatterns = b.allowedOriginPatterns;
        this.originRules = OriginRules.of(b.allowedOrigins, b.allowedOriginPatterns);
        this.maxHandshakeSize = b.maxHandshakeSize;
        this.maxFrameSize = b.maxFrameSize;
        this.maxMessageSize = b.maxMessageSize;
        this.handshakeTimeout = b.handshakeTimeout;
        this.pingInterval = b.pingInterval;
        this.pingTimeout = b.pingTimeout;
        this.closeTimeout = b.closeTimeout;
        this.compression = b.compression;
        this.compressionMinSize = b.compressionMinSize;
        this.compressionLevel = b.compressionLevel;
        this.serverNoContextTakeover = b.serverNoContextTakeover;
        this.clientNoContextTakeover = b.clientNoContextTakeover;
    }

    /** A builder with every option at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults. */
    public static WebSocketOptions defaults() {
        return builder().build();
    }

    /** A builder holding these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.paths = paths;
        b.subprotocols = subprotocols;
        b.allowedOrigins = allowedOrigins;
        b.allowedOriginPatterns = allowedOriginPatterns;
        b.maxHandshakeSize = maxHandshakeSize;
        b.maxFrameSize = maxFrameSize;
        b.maxMessageSize = maxMessageSize;
        b.handshakeTimeout = handshakeTimeout;
        b.pingInterval = pingInterval;
        b.pingTimeout = pingTimeout;
        b.closeTimeout = closeTimeout;
        b.compression = compression;
        b.compressionMinSize = compressionMinSize;
        b.compressionLevel = compressionLevel;
        b.serverNoContextTakeover = serverNoContextTakeover;
        b.clientNoContextTakeover = clientNoContextTakeover;
        return b;
    }

    /** Paths served; empty for every path. An entry ending in {@code /*} serves every path below it. */
    public List<String> paths() {
        return paths;
    }

    /** Subprotocols the server (or each of its routes that sets none of its own) speaks; empty for none. */
    public List<String> subprotocols() {
        return subprotocols;
    }

    /**
     * Origins allowed to connect besides the server's own; {@code *} allows every origin. See
     * {@link Builder#allowedOrigins(List)}.
     */
    public List<String> allowedOrigins() {
        return allowedOrigins;
    }

    /** Origin patterns allowed to connect besides the server's own; see {@link Builder#allowedOriginPatterns(List)}. */
    public List<String> allowedOriginPatterns() {
        return allowedOriginPatterns;
    }

    public int maxHandshakeSize() {
        return maxHandshakeSize;
    }

    public int maxFrameSize() {
        return maxFrameSize;
    }

    public int maxMessageSize() {
        return maxMessageSize;
    }

    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    public Duration pingInterval() {
        return pingInterval;
    }

    public Duration pingTimeout() {
        return pingTimeout;
    }

    public Duration closeTimeout() {
        return closeTimeout;
    }

    public boolean compression() {
        return compression;
    }

    public int compressionMinSize() {
        return compressionMinSize;
    }

    public int compressionLevel() {
        return compressionLevel;
    }

    public boolean serverNoContextTakeover() {
        return serverNoContextTakeover;
    }

    public boolean clientNoContextTakeover() {
        return clientNoContextTakeover;
    }

    /** Whether {@code path} (without query) is served. */
    boolean servesPath(String path) {
        if (paths.isEmpty()) {
            return true;
        }
        for (String p : paths) {
            if (p.endsWith("/*") ? path.startsWith(p.substring(0, p.length() - 1)) || path.equals(p.substring(0, p.length() - 2))
                    : p.equals(path)) {
                return true;
            }
        }
        return false;
    }

    /** The origins allowed, compiled. */
    OriginRules originRules() {
        return originRules;
    }

    @Override
    public String toString() {
        return "WebSocketOptions[paths=" + paths + ", subprotocols=" + subprotocols
                + ", allowedOrigins=" + allowedOrigins + ", allowedOriginPatterns=" + allowedOriginPatterns
                + ", maxHandshakeSize=" + maxHandshakeSize
                + ", maxFrameSize=" + maxFrameSize + ", maxMessageSize=" + maxMessageSize
                + ", handshakeTimeout=" + handshakeTimeout + ", pingInterval=" + pingInterval
                + ", pingTimeout=" + pingTimeout + ", closeTimeout=" + closeTimeout
                + ", compression=" + compression + ", compressionMinSize=" + compressionMinSize
                + ", compressionLevel=" + compressionLevel
                + ", serverNoContextTakeover=" + serverNoContextTakeover
                + ", clientNoContextTakeover=" + clientNoContextTakeover + "]";
    }

    /** Builds {@link WebSocketOptions}. */
    public static final class Builder {

        private List<String> paths = DEFAULT_PATHS;
        private List<String> subprotocols = DEFAULT_SUBPROTOCOLS;
        private List<String> allowedOrigins = DEFAULT_ALLOWED_ORIGINS;
        private List<String> allowedOriginPatterns = DEFAULT_ALLOWED_ORIGIN_PATTERNS;
        private int maxHandshakeSize = DEFAULT_MAX_HANDSHAKE_SIZE;
        private int maxFrameSize = DEFAULT_MAX_FRAME_SIZE;
        private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private Duration pingInterval = DEFAULT_PING_INTERVAL;
        private Duration pingTimeout = DEFAULT_PING_TIMEOUT;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private boolean compression = DEFAULT_COMPRESSION;
        private int compressionMinSize = DEFAULT_COMPRESSION_MIN_SIZE;
        private int compressionLevel = DEFAULT_COMPRESSION_LEVEL;
        private boolean serverNoContextTakeover = DEFAULT_SERVER_NO_CONTEXT_TAKEOVER;
        private boolean clientNoContextTakeover = DEFAULT_CLIENT_NO_CONTEXT_TAKEOVER;

        private Builder() {
        }

        /**
         * Paths that accept upgrades, each starting with {@code /}; others get 404. An entry
         * ending in {@code /*} accepts every path below it. Empty (default) accepts every path.
         * Only for a server of one handler: a server of {@link WebSocketRoutes} serves the paths
         * of its routes and refuses options with paths.
         */
        public Builder paths(List<String> paths) {
            List<String> copy = copy(paths, "paths");
            for (String p : copy) {
                if (!p.startsWith("/") || p.indexOf('?') >= 0 || p.chars().anyMatch(c -> c <= 0x20)) {
                    throw new IllegalArgumentException("paths must start with / and hold no query or spaces: " + p);
                }
            }
            this.paths = copy;
            return this;
        }

        /** {@link #paths(List)} with the given paths. */
        public Builder paths(String... paths) {
            return paths(List.of(paths));
        }

        /**
         * Subprotocols the server speaks ({@code Sec-WebSocket-Protocol}); the server picks the first
         * one the client offers that is listed here. Default none.
         */
        public Builder subprotocols(List<String> subprotocols) {
            this.subprotocols = checkSubprotocols(subprotocols);
            return this;
        }

        /** {@link #subprotocols(List)} with the given names. */
        public Builder subprotocols(String... subprotocols) {
            return subprotocols(List.of(subprotocols));
        }

        /**
         * Origins (such as {@code https://example.com}, compared ignoring case and a trailing
         * {@code /}) whose pages may connect besides the server's own; {@code *} allows every
         * origin. A browser request with another {@code Origin} gets 403.
         *
         * <p>Pages of the server's own origin may always connect: the {@code Origin}'s scheme,
         * host and port are those the client connected to ({@code https} over TLS and
         * {@code http} otherwise, the {@code Host} header's host and port, 443 or 80 when it has
         * none). Requests without {@code Origin} come from non-browser clients, which can send any
         * origin anyway, and are allowed. Behind a proxy that terminates TLS or changes the host,
         * list the public origin here. Default none: same origin only, as in Spring.
         *
         * @throws IllegalArgumentException naming {@code allowedOrigins} for a blank entry or one
         *         holding a space or comma
         */
        public Builder allowedOrigins(List<String> allowedOrigins) {
            this.allowedOrigins = OriginRules.check(allowedOrigins, "allowedOrigins", false);
            return this;
        }

        /** {@link #allowedOrigins(List)} with the given origins. */
        public Builder allowedOrigins(String... allowedOrigins) {
            return allowedOrigins(List.of(allowedOrigins));
        }

        /**
         * Origin patterns whose pages may connect besides the server's own and the
         * {@link #allowedOrigins(List) allowed origins}, as in Spring: {@code *} stands for any
         * characters ({@code https://*.example.com}), a trailing {@code :[*]} for any port or none
         * ({@code http://localhost:[*]}), {@code :[8080,8081]} for one of those ports; matched
         * ignoring case. {@code *} alone allows every origin. Default none.
         *
         * @throws IllegalArgumentException naming {@code allowedOriginPatterns} for a blank entry,
         *         one holding a space or a comma outside its port list, or a malformed port list
         */
        public Builder allowedOriginPatterns(List<String> allowedOriginPatterns) {
            this.allowedOriginPatterns = OriginRules.check(allowedOriginPatterns, "allowedOriginPatterns", true);
            return this;
        }

        /** {@link #allowedOriginPatterns(List)} with the given patterns. */
        public Builder allowedOriginPatterns(String... allowedOriginPatterns) {
            return allowedOriginPatterns(List.of(allowedOriginPatterns));
        }

        /** Largest request line plus headers, at least 256; beyond it the client gets 431. Default 8 KiB. */
        public Builder maxHandshakeSize(int bytes) {
            if (bytes < 256) {
                throw new IllegalArgumentException("maxHandshakeSize must be >= 256: " + bytes);
            }
            this.maxHandshakeSize = bytes;
            return this;
        }

        /**
         * Largest frame payload accepted, at least 125; a larger frame closes with 1009. A compressed
         * frame may exceed it by what deflate adds to incompressible data (about 0.03%). Default 16 MiB.
         */
        public Builder maxFrameSize(int bytes) {
            if (bytes < 125) {
                throw new IllegalArgumentException("maxFrameSize must be >= 125: " + bytes);
            }
            this.maxFrameSize = bytes;
            return this;
        }

        /**
         * Largest message accepted, after reassembly and decompression; a larger one closes with
         * 1009. Default 16 MiB.
         */
        public Builder maxMessageSize(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxMessageSize must be >= 1: " + bytes);
            }
            this.maxMessageSize = bytes;
            return this;
        }

        /** Time a client has to send a complete upgrade request; {@link Duration#ZERO} for no limit. Default 10 s. */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = nonNegative(timeout, "handshakeTimeout");
            return this;
        }

        /**
         * Sends a ping this often on every open connection and closes connections that do not
         * answer within {@link #pingTimeout(Duration)}; {@link Duration#ZERO} (default) sends none.
         */
        public Builder pingInterval(Duration interval) {
            this.pingInterval = nonNegative(interval, "pingInterval");
            return this;
        }

        /** Time a client has to answer a keep-alive ping with a pong. Default 10 s. */
        public Builder pingTimeout(Duration timeout) {
            this.pingTimeout = positive(timeout, "pingTimeout");
            return this;
        }

        /**
         * Time the client has to answer the server's close frame (or to read it) before the server
         * closes the TCP connection anyway. Default 5 s.
         */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = positive(timeout, "closeTimeout");
            return this;
        }

        /** Whether to accept permessage-deflate (RFC 7692) when a client offers it. Default off. */
        public Builder compression(boolean compression) {
            this.compression = compression;
            return this;
        }

        /** Outgoing messages smaller than this are sent uncompressed. Default 128 bytes. */
        public Builder compressionMinSize(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("compressionMinSize must be >= 0: " + bytes);
            }
            this.compressionMinSize = bytes;
            return this;
        }

        /** zlib level of outgoing messages, 1 (fastest) to 9 (smallest). Default 6. */
        public Builder compressionLevel(int level) {
            if (level < Deflater.BEST_SPEED || level > Deflater.BEST_COMPRESSION) {
                throw new IllegalArgumentException("compressionLevel must be in [1, 9]: " + level);
            }
            this.compressionLevel = level;
            return this;
        }

        /**
         * Always negotiate {@code server_no_context_takeover}: the server's compressor forgets
         * every message, which compresses streams of similar messages worse but lets the client
         * keep less. Granted anyway when a client asks. Default off.
         */
        public Builder serverNoContextTakeover(boolean value) {
            this.serverNoContextTakeover = value;
            return this;
        }

        /** Ask clients for {@code client_no_context_takeover}. Default off. */
        public Builder clientNoContextTakeover(boolean value) {
            this.clientNoContextTakeover = value;
            return this;
        }

        /**
         * The options.
         *
         * @throws IllegalArgumentException when options contradict each other
         */
        public WebSocketOptions build() {
            if (maxFrameSize > maxMessageSize) {
                throw new IllegalArgumentException("maxFrameSize (" + maxFrameSize
                        + ") must not exceed maxMessageSize (" + maxMessageSize + ")");
            }
            return new WebSocketOptions(this);
        }

        /**
         * {@code subprotocols} copied, each checked to be an HTTP token.
         *
         * @throws IllegalArgumentException naming {@code subprotocols}
         */
        static List<String> checkSubprotocols(List<String> subprotocols) {
            List<String> copy = copy(subprotocols, "subprotocols");
            for (String s : copy) {
                if (!HttpHead.isToken(s)) {
                    throw new IllegalArgumentException("subprotocols must be HTTP tokens: " + s);
                }
            }
            return copy;
        }

        private static List<String> copy(List<String> values, String name) {
            Objects.requireNonNull(values, name);
            for (String v : values) {
                if (v == null) {
                    throw new IllegalArgumentException(name + " must not hold null");
                }
            }
            return List.copyOf(values);
        }

        private static Duration nonNegative(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative: " + d);
            }
            return d;
        }

        private static Duration positive(Duration d, String name) {
            nonNegative(d, name);
            if (d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }
    }
}
