package io.gev.spring.boot.autoconfigure;

import io.gev.ProxyProtocol;
import io.gev.ServerOptions;
import io.gev.TlsOptions;
import io.gev.loop.LoadBalancing;
import io.gev.loop.Transport;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.util.unit.DataSize;

import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Configuration of gev servers, bound from {@code gev.*}.
 *
 * <p>Defaults are literals so that IDEs show them; a test holds them equal to gev-core's.
 *
 * <p>One {@code Handler} bean runs on {@code gev.server.*}. With several, each runs on
 * {@code gev.servers.<server-name>.*}, whose unset keys fall back to {@code gev.server.*}: the
 * auto-configuration binds both onto one {@link ServerProperties} per server, {@code gev.server}
 * first.
 */
@ConfigurationProperties("gev")
public class GevProperties {

    /**
     * TCP server settings; with several handler beans, the defaults of every server.
     */
    @NestedConfigurationProperty
    private final ServerProperties server = new ServerProperties();

    /**
     * Settings of each TCP server by the name of its handler bean, when there are several.
     */
    private final Map<String, ServerProperties> servers = new LinkedHashMap<>();

    /**
     * WebSocket server settings, used when there is a WebSocketHandler bean.
     */
    @NestedConfigurationProperty
    private final WebSocketProperties websocket = new WebSocketProperties();

    /**
     * Event loops the servers share unless their shared-loops is false.
     */
    @NestedConfigurationProperty
    private final GevEventLoopsProperties eventLoops = new GevEventLoopsProperties();

    /**
     * Settings every client from the GevClients bean starts with.
     */
    @NestedConfigurationProperty
    private final GevClientProperties client = new GevClientProperties();

    public GevClientProperties getClient() {
        return this.client;
    }

    public GevEventLoopsProperties getEventLoops() {
        return this.eventLoops;
    }

    public ServerProperties getServer() {
        return this.server;
    }

    public WebSocketProperties getWebsocket() {
        return this.websocket;
    }

    public Map<String, ServerProperties> getServers() {
        return this.servers;
    }

    /** How a server stops when the application context closes. */
    public enum Shutdown {

        /** Stop accepting and reading, let queued replies drain within the shutdown timeout. */
        GRACEFUL,

        /** Close every connection at once. */
        IMMEDIATE
    }

    /** Where a server's handler callbacks run. */
    public enum HandlerExecution {

        /** On the connection's event loop: the fastest, for a handler that never blocks. */
        LOOP,

        /**
         * Off the loop, in order per connection, on the applicationTaskExecutor: Spring Boot's
         * task executor, on virtual threads when spring.threads.virtual.enabled is true, else
         * its pool (spring.task.execution.*). Without such a bean, on virtual threads (Java 21+).
         */
        OFFLOAD,

        /** Off the loop, in order per connection, on virtual threads of the server's own (Java 21+). */
        VIRTUAL_THREADS
    }

    /**
     * The PROXY protocol (HAProxy's, v1 and v2) of a server behind an L4 balancer: the balancer's
     * header gives the connections their clients' addresses.
     */
    public static class ProxyProtocolProperties {

        /**
         * Whether the server reads a PROXY protocol header at the start of every connection,
         * before TLS; only the trusted proxies may connect then.
         */
        private boolean enabled;

        /**
         * Addresses or CIDR blocks of the balancers that may connect and must send the header
         * ('10.0.0.0/8', '127.0.0.1', 'fd00::/8'); connections from any other address are
         * refused. Required when enabled.
         */
        private List<String> trustedProxies = new ArrayList<>();

        /**
         * Time a balancer has from accept to the end of its header.
         */
        private Duration headerTimeout = ProxyProtocol.DEFAULT_HEADER_TIMEOUT;

        /**
         * Longest v2 header taken, TLVs included (232B to 65551B); a longer one closes the
         * connection.
         */
        private DataSize maxHeaderSize = DataSize.ofBytes(ProxyProtocol.DEFAULT_MAX_HEADER_SIZE);

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public List<String> getTrustedProxies() {
            return this.trustedProxies;
        }

        public void setTrustedProxies(List<String> trustedProxies) {
            this.trustedProxies = trustedProxies;
        }

        public Duration getHeaderTimeout() {
            return this.headerTimeout;
        }

        public void setHeaderTimeout(Duration headerTimeout) {
            this.headerTimeout = headerTimeout;
        }

        public DataSize getMaxHeaderSize() {
            return this.maxHeaderSize;
        }

        public void setMaxHeaderSize(DataSize maxHeaderSize) {
            this.maxHeaderSize = maxHeaderSize;
        }
    }

    /** TLS settings of a server. */
    public static class Ssl {

        /**
         * Name of the SSL bundle (spring.ssl.bundle.jks.* or spring.ssl.bundle.pem.*) holding the
         * server's key and certificate, and the issuers trusted for client certificates; TLS is
         * on when set. The bundle's enabled protocols and ciphers apply.
         */
        private String bundle;

        /**
         * Whether clients are asked for a certificate: 'want' accepts clients that send none,
         * 'need' requires one the bundle's trust store trusts (mutual TLS).
         */
        private TlsOptions.ClientAuth clientAuth = TlsOptions.ClientAuth.NONE;

        /**
         * Time a client has to complete the TLS handshake; 0 means no limit. If a duration suffix
         * is not specified, seconds will be used.
         */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration handshakeTimeout = Duration.ofSeconds(10);

        /**
         * The TLS engine: 'openssl' is OpenSSL's (BoringSSL's), which needs
         * io.netty:netty-tcnative-boringssl-static on the class path; 'jdk' the JDK's; 'auto'
         * OpenSSL's where it loads, else the JDK's (the server logs which it chose).
         */
        private TlsOptions.Provider provider = TlsOptions.Provider.AUTO;

        /** Most TLS sessions the server keeps so that returning clients skip the full handshake. */
        private int sessionCacheSize = TlsOptions.DEFAULT_SESSION_CACHE_SIZE;

        /**
         * How long a TLS session stays resumable. If a duration suffix is not specified, seconds
         * will be used.
         */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration sessionTimeout = TlsOptions.DEFAULT_SESSION_TIMEOUT;

        /**
         * How often OpenSSL's engine changes its session ticket key (the previous key still opens
         * tickets for one more period); 0 leaves it to BoringSSL. The JDK's engine rotates its
         * own. If a duration suffix is not specified, seconds will be used.
         */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration ticketKeyRotation = Duration.ZERO;

        public TlsOptions.Provider getProvider() {
            return this.provider;
        }

        public void setProvider(TlsOptions.Provider provider) {
            this.provider = provider;
        }

        public int getSessionCacheSize() {
            return this.sessionCacheSize;
        }

        public void setSessionCacheSize(int sessionCacheSize) {
            this.sessionCacheSize = sessionCacheSize;
        }

        public Duration getSessionTimeout() {
            return this.sessionTimeout;
        }

        public void setSessionTimeout(Duration sessionTimeout) {
            this.sessionTimeout = sessionTimeout;
        }

        public Duration getTicketKeyRotation() {
            return this.ticketKeyRotation;
        }

        public void setTicketKeyRotation(Duration ticketKeyRotation) {
            this.ticketKeyRotation = ticketKeyRotation;
        }

        public String getBundle() {
            return this.bundle;
        }

        public void setBundle(String bundle) {
            this.bundle = bundle;
        }

        public TlsOptions.ClientAuth getClientAuth() {
            return this.clientAuth;
        }

        public void setClientAuth(TlsOptions.ClientAuth clientAuth) {
            this.clientAuth = clientAuth;
        }

        public Duration getHandshakeTimeout() {
            return this.handshakeTimeout;
        }

        public void setHandshakeTimeout(Duration handshakeTimeout) {
            this.handshakeTimeout = handshakeTimeout;
        }
    }

    /** TLS settings of the WebSocket server. */
    public static class WebSocketSsl extends Ssl {

        /**
         * Port of a second server for the same handler that speaks wss:// only, keeping
         * gev.websocket.port for ws://; published as 'local.gev.websocket.ssl.port'. When not set,
         * the server on gev.websocket.port itself speaks wss://.
         */
        private Integer port;

        public Integer getPort() {
            return this.port;
        }

        public void setPort(Integer port) {
            this.port = port;
        }
    }

    /**
     * Settings of the WebSocket server. Loops, transport, limits and shutdown come from
     * {@code gev.server.*}.
     */
    public static class WebSocketProperties {

        /**
         * Whether to start a WebSocket server for the application's WebSocketHandler bean.
         */
        private boolean enabled = true;

        /**
         * Whether the WebSocket server runs on the shared event loops (gev.event-loops.*); when
         * not set, gev.server.shared-loops decides. When false it has loops of its own from
         * gev.server.loops and gev.server.transport.
         */
        private Boolean sharedLoops;

        public Boolean getSharedLoops() {
            return this.sharedLoops;
        }

        public void setSharedLoops(Boolean sharedLoops) {
            this.sharedLoops = sharedLoops;
        }

        /**
         * Network address to bind; all addresses when not set.
         */
        private String address;

        /**
         * Port to bind; 0 picks a free port, published as 'local.gev.websocket.port'.
         */
        private int port = 1834;

        /**
         * Unix domain socket file the WebSocket server listens on instead of address and port
         * (a reverse proxy on the same host in front of it), such as /run/app-ws.sock; wss:// on
         * ssl.port stays on TCP.
         */
        private Path unixSocket;

        /**
         * Request paths accepted for the upgrade by the one WebSocketHandler bean; any path when
         * empty. Others get 404. With routes, each route's path says instead.
         */
        private List<String> path = new ArrayList<>();

        /**
         * Subprotocols the server speaks, in order of preference; the default of every route.
         */
        private List<String> subprotocols = new ArrayList<>();

        /**
         * Origins whose browser pages may connect besides the server's own (same scheme, host
         * and port), '*' for any; others get 403. Requests without an Origin header (non-browser
         * clients) are always allowed. The default of every route.
         */
        private List<String> allowedOrigins = new ArrayList<>();

        /**
         * Origin patterns whose browser pages may connect besides the server's own, such as
         * 'https://*.example.com' or 'http://localhost:[*]' (any port); the default of every
         * route.
         */
        private List<String> allowedOriginPatterns = new ArrayList<>();

        /**
         * Routes by a name of your choice, each serving one WebSocketHandler bean on its own
         * paths on this server's port: 'path' (exact paths, the query ignored), 'handler' (the
         * bean name), and optionally 'subprotocols', 'allowed-origins' and
         * 'allowed-origin-patterns' of its own. Other paths get 404.
         */
        private final Map<String, Route> routes = new LinkedHashMap<>();

        /**
         * Largest upgrade request (request line and headers).
         */
        private DataSize maxHandshakeSize = DataSize.ofKilobytes(8);

        /**
         * Largest frame payload, at most max-message-size; a larger frame closes the
         * connection with 1009.
         */
        private DataSize maxFrameSize = DataSize.ofMegabytes(16);

        /**
         * Largest message after joining fragments and inflating; a larger one closes with 1009.
         */
        private DataSize maxMessageSize = DataSize.ofMegabytes(16);

        /**
         * Time a client has to complete the upgrade request. If a duration suffix is not
         * specified, seconds will be used.
         */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration handshakeTimeout = Duration.ofSeconds(10);

        /**
         * Interval of keep-alive pings; 0 sends none. If a duration suffix is not specified,
         * seconds will be used.
         */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration pingInterval = Duration.ZERO;

        /**
         * Time to wait for the pong of a keep-alive ping before closing. If a duration suffix is
         * not specified, seconds will be used.
         */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration pingTimeout = Duration.ofSeconds(10);

        /**
         * Time to wait for the client's close frame after sending one. If a duration suffix is
         * not specified, seconds will be used.
         */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration closeTimeout = Duration.ofSeconds(5);

        /**
         * permessage-deflate settings.
         */
        @NestedConfigurationProperty
        private final Compression compression = new Compression();

        /**
         * TLS (wss://) settings.
         */
        @NestedConfigurationProperty
        private final WebSocketSsl ssl = new WebSocketSsl();

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getAddress() {
            return this.address;
        }

        public void setAddress(String address) {
            this.address = address;
        }

        public Path getUnixSocket() {
            return this.unixSocket;
        }

        public void setUnixSocket(Path unixSocket) {
            this.unixSocket = unixSocket;
        }

        public int getPort() {
            return this.port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public List<String> getPath() {
            return this.path;
        }

        public void setPath(List<String> path) {
            this.path = path;
        }

        public List<String> getSubprotocols() {
            return this.subprotocols;
        }

        public void setSubprotocols(List<String> subprotocols) {
            this.subprotocols = subprotocols;
        }

        public List<String> getAllowedOrigins() {
            return this.allowedOrigins;
        }

        public void setAllowedOrigins(List<String> allowedOrigins) {
            this.allowedOrigins = allowedOrigins;
        }

        public List<String> getAllowedOriginPatterns() {
            return this.allowedOriginPatterns;
        }

        public void setAllowedOriginPatterns(List<String> allowedOriginPatterns) {
            this.allowedOriginPatterns = allowedOriginPatterns;
        }

        public Map<String, Route> getRoutes() {
            return this.routes;
        }

        public DataSize getMaxHandshakeSize() {
            return this.maxHandshakeSize;
        }

        public void setMaxHandshakeSize(DataSize maxHandshakeSize) {
            this.maxHandshakeSize = maxHandshakeSize;
        }

        public DataSize getMaxFrameSize() {
            return this.maxFrameSize;
        }

        public void setMaxFrameSize(DataSize maxFrameSize) {
            this.maxFrameSize = maxFrameSize;
        }

        public DataSize getMaxMessageSize() {
            return this.maxMessageSize;
        }

        public void setMaxMessageSize(DataSize maxMessageSize) {
            this.maxMessageSize = maxMessageSize;
        }

        public Duration getHandshakeTimeout() {
            return this.handshakeTimeout;
        }

        public void setHandshakeTimeout(Duration handshakeTimeout) {
            this.handshakeTimeout = handshakeTimeout;
        }

        public Duration getPingInterval() {
            return this.pingInterval;
        }

        public void setPingInterval(Duration pingInterval) {
            this.pingInterval = pingInterval;
        }

        public Duration getPingTimeout() {
            return this.pingTimeout;
        }

        public void setPingTimeout(Duration pingTimeout) {
            this.pingTimeout = pingTimeout;
        }

        public Duration getCloseTimeout() {
            return this.closeTimeout;
        }

        public void setCloseTimeout(Duration closeTimeout) {
            this.closeTimeout = closeTimeout;
        }

        public Compression getCompression() {
            return this.compression;
        }

        public WebSocketSsl getSsl() {
            return this.ssl;
        }

        /**
         * One route of the WebSocket server: where a WebSocketHandler bean is served, and the
         * subprotocols and origins it accepts where they differ from the server's.
         */
        public static class Route {

            /**
             * Exact request paths served by the route's handler, such as '/chat'; the query is
             * ignored in matching.
             */
            private List<String> path = new ArrayList<>();

            /**
             * Name of the WebSocketHandler bean that serves the route's paths.
             */
            private String handler;

            /**
             * Subprotocols of the route, in order of preference; gev.websocket.subprotocols when
             * not set.
             */
            private List<String> subprotocols;

            /**
             * Origins allowed on the route besides the server's own, '*' for any. Setting this or
             * allowed-origin-patterns replaces both of gev.websocket for the route.
             */
            private List<String> allowedOrigins;

            /**
             * Origin patterns allowed on the route besides the server's own. Setting this or
             * allowed-origins replaces both of gev.websocket for the route.
             */
            private List<String> allowedOriginPatterns;

            public List<String> getPath() {
                return this.path;
            }

            public void setPath(List<String> path) {
                this.path = path;
            }

            public String getHandler() {
                return this.handler;
            }

            public void setHandler(String handler) {
                this.handler = handler;
            }

            public List<String> getSubprotocols() {
                return this.subprotocols;
            }

            public void setSubprotocols(List<String> subprotocols) {
                this.subprotocols = subprotocols;
            }

            public List<String> getAllowedOrigins() {
                return this.allowedOrigins;
            }

            public void setAllowedOrigins(List<String> allowedOrigins) {
                this.allowedOrigins = allowedOrigins;
            }

            public List<String> getAllowedOriginPatterns() {
                return this.allowedOriginPatterns;
            }

            public void setAllowedOriginPatterns(List<String> allowedOriginPatterns) {
                this.allowedOriginPatterns = allowedOriginPatterns;
            }
        }

        /** permessage-deflate (RFC 7692) settings. */
        public static class Compression {

            /**
             * Whether to accept a client's permessage-deflate offer.
             */
            private boolean enabled;

            /**
             * Smallest message the server compresses; smaller ones go out as they are.
             */
            private DataSize minSize = DataSize.ofBytes(128);

            /**
             * Deflate level, 1 (fastest) to 9 (smallest).
             */
            private int level = 6;

            public boolean isEnabled() {
                return this.enabled;
            }

            public void setEnabled(boolean enabled) {
                this.enabled = enabled;
            }

            public DataSize getMinSize() {
                return this.minSize;
            }

            public void setMinSize(DataSize minSize) {
                this.minSize = minSize;
            }

            public int getLevel() {
                return this.level;
            }

            public void setLevel(int level) {
                this.level = level;
            }
        }
    }

    /** Settings of one gev TCP server. */
    public static class ServerProperties {

        /**
         * Whether to start a gev server for the application's handler beans.
         */
        private boolean enabled = true;

        /**
         * Network address to bind; all addresses when not set.
         */
        private String address;

        /**
         * Port to bind; 0 picks a free port, published as 'local.gev.server.port'.
         */
        private int port = 1833;

        /**
         * Unix domain socket file to listen on instead of address and port, such as
         * /run/app.sock; its path is published as 'local.gev.servers.<server-name>.unix-socket'.
         * A file left by a server that is gone is replaced; one in use fails startup.
         */
        private Path unixSocket;

        /**
         * Permissions of the Unix domain socket's file, as 'ls -l' shows them; the owner must be
         * able to write.
         */
        private String unixSocketPermissions = "rw-rw----";

        /**
         * Whether the server runs on the shared event loops (gev.event-loops.*). When false it
         * has loops of its own, from loops and transport.
         */
        private boolean sharedLoops = true;

        /**
         * Number of the server's own event loops, used only when shared-loops is false; 0 means
         * one per available processor.
         */
        private int loops;

        /**
         * Whether to set SO_REUSEPORT and give every loop a listener of its own.
         */
        private boolean reusePort;

        /**
         * Time without inbound bytes after which a connection is closed; 0 never closes. If a
         * duration suffix is not specified, seconds will be used.
         */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration idleTimeout = Duration.ZERO;

        /**
         * Where the handler's callbacks run: 'loop' (the handler must not block), 'offload' (for
         * a handler that blocks, on Spring Boot's applicationTaskExecutor) or 'virtual-threads';
         * off the loop, one connection's callbacks still run one at a time and in order.
         */
        private HandlerExecution handlerExecution = HandlerExecution.LOOP;

        /**
         * Messages of one connection that may wait for an offloaded handler; above it the
         * connection's reading pauses, at half of it reading resumes.
         */
        private int maxQueuedMessages = 128;

        /**
         * I/O layer under the server's own loops, used only when shared-loops is false (the
         * shared loops have gev.event-loops.transport): epoll where available, or the JDK's
         * selector.
         */
        private Transport transport = Transport.AUTO;

        public HandlerExecution getHandlerExecution() {
            return this.handlerExecution;
        }

        public void setHandlerExecution(HandlerExecution handlerExecution) {
            this.handlerExecution = handlerExecution;
        }

        public int getMaxQueuedMessages() {
            return this.maxQueuedMessages;
        }

        public void setMaxQueuedMessages(int maxQueuedMessages) {
            this.maxQueuedMessages = maxQueuedMessages;
        }

        public boolean isSharedLoops() {
            return this.sharedLoops;
        }

        public void setSharedLoops(boolean sharedLoops) {
            this.sharedLoops = sharedLoops;
        }

        /**
         * How accepted connections are spread over the loops.
         */
        private LoadBalancing loadBalance = LoadBalancing.ROUND_ROBIN;

        /**
         * Connections open at once; further connections are accepted and closed. 0 means no
         * limit.
         */
        private int maxConnections;

        /**
         * Connections open at once from one client address (the PROXY protocol's when it is
         * enabled); further ones from it are accepted and closed. 0 means no limit.
         */
        private int maxConnectionsPerAddress;

        /**
         * New connections from one client address per connection-rate-interval, refilled evenly
         * over it; further ones are accepted and closed. 0 means no limit.
         */
        private int connectionRatePerAddress;

        /**
         * The interval of connection-rate-per-address.
         */
        private Duration connectionRateInterval = ServerOptions.DEFAULT_CONNECTION_RATE_INTERVAL;

        /**
         * PROXY protocol settings.
         */
        @NestedConfigurationProperty
        private final ProxyProtocolProperties proxyProtocol = new ProxyProtocolProperties();

        /**
         * Name of the Protocol bean that frames this server's byte stream, or 'raw'. When not
         * set, the one Protocol bean that decodes what the handler takes, else raw for a handler
         * of ByteBuffer.
         */
        private String protocol;

        /**
         * Whether to set TCP_NODELAY on accepted connections.
         */
        private boolean tcpNoDelay = true;

        /**
         * Whether to set SO_KEEPALIVE on accepted connections.
         */
        private boolean keepAlive;

        /**
         * Listen backlog.
         */
        private int backlog = 1024;

        /**
         * SO_SNDBUF of accepted connections; the system default when not set. The kernel may
         * round it (Linux doubles it, up to net.core.wmem_max).
         */
        private DataSize sendBufferSize;

        /**
         * SO_RCVBUF of accepted connections; the system default when not set. The kernel may
         * round it (Linux doubles it, up to net.core.rmem_max).
         */
        private DataSize receiveBufferSize;

        /**
         * Queued outbound bytes above which a connection reports itself unwritable.
         */
        private DataSize writeBufferHighWaterMark = DataSize.ofKilobytes(64);

        /**
         * Queued outbound bytes below which an unwritable connection turns writable again.
         */
        private DataSize writeBufferLowWaterMark = DataSize.ofKilobytes(32);

        /**
         * Queued outbound bytes above which a connection that stopped reading is closed. When
         * unset: 16MB for TCP servers, and for WebSocket servers 1MB more than
         * gev.websocket.max-message-size (at least 16MB), so that the largest message accepted
         * can be sent back.
         */
        private DataSize writeBufferLimit;

        /**
         * Inbound bytes a connection may hold while waiting for a complete frame.
         */
        private DataSize readBufferLimit = DataSize.ofMegabytes(16);

        /**
         * How the server stops when the application context closes.
         */
        private Shutdown shutdown = Shutdown.GRACEFUL;

        /**
         * Longest time a graceful shutdown waits for queued replies to drain, and the grace
         * period of a connection's close. When unset, spring.lifecycle.timeout-per-shutdown-phase,
         * which also cuts short a longer value. If a duration suffix is not specified, seconds
         * will be used.
         */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration shutdownTimeout;

        /**
         * Time a loop may spend in one handler callback or task before a warning with the loop
         * thread's stack is logged; 0 turns the watchdog off. If a duration suffix is not
         * specified, seconds will be used.
         */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration blockedLoopWarning = Duration.ofSeconds(1);

        /**
         * Interval over which client faults of one kind (protocol errors, failed TLS handshakes)
         * are logged in full up to client-fault-log-limit, the others only at DEBUG, counted and
         * summarised in one line when it ends; 0 logs every fault. If a duration suffix is not
         * specified, seconds will be used.
         */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration clientFaultLogInterval = Duration.ofMinutes(1);

        /**
         * Client faults of one kind logged in full per client-fault-log-interval; 0 logs only
         * the summaries.
         */
        private int clientFaultLogLimit = 10;

        /**
         * TLS settings.
         */
        @NestedConfigurationProperty
        private final Ssl ssl = new Ssl();

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getAddress() {
            return this.address;
        }

        public void setAddress(String address) {
            this.address = address;
        }

        public int getPort() {
            return this.port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public Path getUnixSocket() {
            return this.unixSocket;
        }

        public void setUnixSocket(Path unixSocket) {
            this.unixSocket = unixSocket;
        }

        public String getUnixSocketPermissions() {
            return this.unixSocketPermissions;
        }

        public void setUnixSocketPermissions(String unixSocketPermissions) {
            this.unixSocketPermissions = unixSocketPermissions;
        }

        public int getLoops() {
            return this.loops;
        }

        public void setLoops(int loops) {
            this.loops = loops;
        }

        public boolean isReusePort() {
            return this.reusePort;
        }

        public void setReusePort(boolean reusePort) {
            this.reusePort = reusePort;
        }

        public Duration getIdleTimeout() {
            return this.idleTimeout;
        }

        public void setIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
        }

        public Transport getTransport() {
            return this.transport;
        }

        public void setTransport(Transport transport) {
            this.transport = transport;
        }

        public LoadBalancing getLoadBalance() {
            return this.loadBalance;
        }

        public void setLoadBalance(LoadBalancing loadBalance) {
            this.loadBalance = loadBalance;
        }

        public int getMaxConnections() {
            return this.maxConnections;
        }

        public void setMaxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
        }

        public int getMaxConnectionsPerAddress() {
            return this.maxConnectionsPerAddress;
        }

        public void setMaxConnectionsPerAddress(int maxConnectionsPerAddress) {
            this.maxConnectionsPerAddress = maxConnectionsPerAddress;
        }

        public int getConnectionRatePerAddress() {
            return this.connectionRatePerAddress;
        }

        public void setConnectionRatePerAddress(int connectionRatePerAddress) {
            this.connectionRatePerAddress = connectionRatePerAddress;
        }

        public Duration getConnectionRateInterval() {
            return this.connectionRateInterval;
        }

        public void setConnectionRateInterval(Duration connectionRateInterval) {
            this.connectionRateInterval = connectionRateInterval;
        }

        public ProxyProtocolProperties getProxyProtocol() {
            return this.proxyProtocol;
        }

        public String getProtocol() {
            return this.protocol;
        }

        public void setProtocol(String protocol) {
            this.protocol = protocol;
        }

        public boolean isTcpNoDelay() {
            return this.tcpNoDelay;
        }

        public void setTcpNoDelay(boolean tcpNoDelay) {
            this.tcpNoDelay = tcpNoDelay;
        }

        public boolean isKeepAlive() {
            return this.keepAlive;
        }

        public void setKeepAlive(boolean keepAlive) {
            this.keepAlive = keepAlive;
        }

        public int getBacklog() {
            return this.backlog;
        }

        public void setBacklog(int backlog) {
            this.backlog = backlog;
        }

        public DataSize getSendBufferSize() {
            return this.sendBufferSize;
        }

        public void setSendBufferSize(DataSize sendBufferSize) {
            this.sendBufferSize = sendBufferSize;
        }

        public DataSize getReceiveBufferSize() {
            return this.receiveBufferSize;
        }

        public void setReceiveBufferSize(DataSize receiveBufferSize) {
            this.receiveBufferSize = receiveBufferSize;
        }

        public DataSize getWriteBufferHighWaterMark() {
            return this.writeBufferHighWaterMark;
        }

        public void setWriteBufferHighWaterMark(DataSize writeBufferHighWaterMark) {
            this.writeBufferHighWaterMark = writeBufferHighWaterMark;
        }

        public DataSize getWriteBufferLowWaterMark() {
            return this.writeBufferLowWaterMark;
        }

        public void setWriteBufferLowWaterMark(DataSize writeBufferLowWaterMark) {
            this.writeBufferLowWaterMark = writeBufferLowWaterMark;
        }

        public DataSize getWriteBufferLimit() {
            return this.writeBufferLimit;
        }

        public void setWriteBufferLimit(DataSize writeBufferLimit) {
            this.writeBufferLimit = writeBufferLimit;
        }

        public DataSize getReadBufferLimit() {
            return this.readBufferLimit;
        }

        public void setReadBufferLimit(DataSize readBufferLimit) {
            this.readBufferLimit = readBufferLimit;
        }

        public Shutdown getShutdown() {
            return this.shutdown;
        }

        public void setShutdown(Shutdown shutdown) {
            this.shutdown = shutdown;
        }

        public Duration getShutdownTimeout() {
            return this.shutdownTimeout;
        }

        public void setShutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = shutdownTimeout;
        }

        public Duration getBlockedLoopWarning() {
            return this.blockedLoopWarning;
        }

        public void setBlockedLoopWarning(Duration blockedLoopWarning) {
            this.blockedLoopWarning = blockedLoopWarning;
        }

        public Duration getClientFaultLogInterval() {
            return this.clientFaultLogInterval;
        }

        public void setClientFaultLogInterval(Duration clientFaultLogInterval) {
            this.clientFaultLogInterval = clientFaultLogInterval;
        }

        public int getClientFaultLogLimit() {
            return this.clientFaultLogLimit;
        }

        public void setClientFaultLogLimit(int clientFaultLogLimit) {
            this.clientFaultLogLimit = clientFaultLogLimit;
        }

        public Ssl getSsl() {
            return this.ssl;
        }
    }
}
