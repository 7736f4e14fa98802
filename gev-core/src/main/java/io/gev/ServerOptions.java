package io.gev;

import io.gev.loop.LoadBalancer;
import io.gev.loop.LoadBalancing;
import io.gev.loop.Transport;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import static io.gev.internal.Arguments.requireName;
import static io.gev.internal.Arguments.requireNonNegative;
import static io.gev.internal.Arguments.requirePositive;

/**
 * The options of a {@link Server}, everything but its handler and protocol: where it listens, its
 * loops, socket options, limits, shutdown and TLS. Immutable and thread-safe.
 *
 * <p>{@link Server.Builder} takes the same setters (both extend {@link AbstractBuilder}); options
 * built on their own serve as a template for several servers, and {@link Server#options()} reads a
 * server's back:
 *
 * <pre>{@code
 * ServerOptions tuned = ServerOptions.builder()
 *         .loops(4)
 *         .idleTimeout(Duration.ofMinutes(5))
 *         .build();
 * Server a = Server.builder(handlerA).options(tuned).port(1833).build();
 * Server b = Server.builder(handlerB).options(tuned).port(1834).build();
 * }</pre>
 *
 * <p>An option not set has the value of the {@code DEFAULT_*} constant of its name, or the default
 * its setter names.
 */
public final class ServerOptions {

    /** The name when none is set. */
    public static final String DEFAULT_NAME = "gev";
    /** The port when none is set: the original gev's example port. */
    public static final int DEFAULT_PORT = 1833;
    /** The way connections are spread over the loops when no balancer is set. */
    public static final LoadBalancing DEFAULT_LOAD_BALANCING = LoadBalancing.ROUND_ROBIN;
    /** Listen backlog when none is set. */
    public static final int DEFAULT_BACKLOG = 1024;
    /** Queued outbound bytes above which a connection turns unwritable. */
    public static final int DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK = 64 * 1024;
    /** Queued outbound bytes below which an unwritable connection turns writable again. */
    public static final int DEFAULT_WRITE_BUFFER_LOW_WATER_MARK = 32 * 1024;
    /** Queued outbound bytes above which a connection is closed ({@link CloseReason#WRITE_LIMIT}). */
    public static final int DEFAULT_WRITE_BUFFER_LIMIT = 16 * 1024 * 1024;
    /** Inbound bytes waiting for a frame above which a connection is closed ({@link CloseReason#READ_LIMIT}). */
    public static final int DEFAULT_READ_BUFFER_LIMIT = 16 * 1024 * 1024;
    /** Size of each loop's socket read buffer. */
    public static final int DEFAULT_READ_BUFFER_SIZE = 64 * 1024;
    /** Grace period of {@link Server#close()}. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    /** Time a loop may spend in one callback or task before a warning is logged. */
    public static final Duration DEFAULT_BLOCKED_LOOP_WARNING = Duration.ofSeconds(1);
    /** Interval over which client faults of one kind are logged up to a limit and then summarised. */
    public static final Duration DEFAULT_CLIENT_FAULT_LOG_INTERVAL = Duration.ofMinutes(1);
    /** Client faults of one kind logged in full per interval. */
    public static final int DEFAULT_CLIENT_FAULT_LOG_LIMIT = 10;
    /** The interval of the per-address connection rate when none is set. */
    public static final Duration DEFAULT_CONNECTION_RATE_INTERVAL = Duration.ofSeconds(1);

    /**
     * The permissions of a Unix domain socket's file when none are set: read and write for the
     * owner and the group ({@code rw-rw----}), as connecting needs write permission and the
     * group is how a sidecar or a reverse proxy is let in.
     */
    public static final Set<PosixFilePermission> DEFAULT_UNIX_SOCKET_PERMISSIONS =
            Collections.unmodifiableSet(PosixFilePermissions.fromString("rw-rw----"));

    /** The longest path of {@link #unixSocket()}, in UTF-8 bytes: a socket address's 108 less the terminating NUL. */
    public static final int MAX_UNIX_SOCKET_PATH_BYTES = 107;

    private static final ServerOptions DEFAULTS = builder().build();

    private final String name;
    private final String address;
    private final int port;
    private final Path unixSocket;
    private final Set<PosixFilePermission> unixSocketPermissions;
    private final int loops;
    private final boolean reusePort;
    private final Duration idleTimeout;
    private final LoadBalancing loadBalancing;
    private final LoadBalancer loadBalancer;
    private final Transport transport;
    private final boolean tcpNoDelay;
    private final boolean keepAlive;
    private final int sendBufferSize;
    private final int receiveBufferSize;
    private final int backlog;
    private final int maxConnections;
    private final int maxConnectionsPerAddress;
    private final int connectionRatePerAddress;
    private final Duration connectionRateInterval;
    private final int writeBufferHighWaterMark;
    private final int writeBufferLowWaterMark;
    private final int writeBufferLimit;
    private final int readBufferLimit;
    private final int readBufferSize;
    private final Duration shutdownTimeout;
    private final Duration blockedLoopWarning;
    private final Duration clientFaultLogInterval;
    private final int clientFaultLogLimit;
    private final boolean daemonThreads;
    private final TlsOptions tls;
    private final ProxyProtocol proxyProtocol;
    private final HandlerExecution handlerExecution;

    private ServerOptions(AbstractBuilder<?> b) {
        this.name = b.name;
        this.address = b.address;
        this.port = b.port;
        this.unixSocket = b.unixSocket;
        this.unixSocketPermissions = b.unixSocketPermissions;
        this.loops = b.loops;
        this.reusePort = b.reusePort;
        this.idleTimeout = b.idleTimeout;
        this.loadBalancing = b.loadBalancing;
        this.loadBalancer = b.loadBalancer;
        this.transport = b.transport;
        this.tcpNoDelay = b.tcpNoDelay;
        this.keepAlive = b.keepAlive;
        this.sendBufferSize = b.sendBufferSize;
        this.receiveBufferSize = b.receiveBufferSize;
        this.backlog = b.backlog;
        this.maxConnections = b.maxConnections;
        this.maxConnectionsPerAddress = b.maxConnectionsPerAddress;
        this.connectionRatePerAddress = b.connectionRatePerAddress;
        this.connectionRateInterval = b.connectionRateInterval;
        this.writeBufferHighWaterMark = b.writeBufferHighWaterMark;
        this.writeBufferLowWaterMark = b.writeBufferLowWaterMark;
        this.writeBufferLimit = b.writeBufferLimit;
        this.readBufferLimit = b.readBufferLimit;
        this.readBufferSize = b.readBufferSize;
        this.shutdownTimeout = b.shutdownTimeout;
        this.blockedLoopWarning = b.blockedLoopWarning;
        this.clientFaultLogInterval = b.clientFaultLogInterval;
        this.clientFaultLogLimit = b.clientFaultLogLimit;
        this.daemonThreads = b.daemonThreads;
        this.tls = b.tls;
        this.proxyProtocol = b.proxyProtocol;
        this.handlerExecution = b.handlerExecution;
    }

    /** A builder starting from the defaults. Not thread-safe. */
    public static Builder builder() {
        return new Builder();
    }

    /** The options with every default. */
    public static ServerOptions defaults() {
        return DEFAULTS;
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder().options(this);
    }

    /** Name used in thread names, logs and metrics tags. */
    public String name() {
        return name;
    }

    /** The host name or IP literal to bind; empty to bind every address. */
    public Optional<String> address() {
        return Optional.ofNullable(address);
    }

    /** The port to bind; 0 for any free one ({@link Server#port()} tells which). */
    public int port() {
        return port;
    }

    /**
     * The file of the Unix domain socket the server listens on instead of {@link #address()} and
     * {@link #port()}; empty for TCP.
     */
    public Optional<Path> unixSocket() {
        return Optional.ofNullable(unixSocket);
    }

    /** The permissions the file of {@link #unixSocket()} is given once bound. */
    public Set<PosixFilePermission> unixSocketPermissions() {
        return unixSocketPermissions;
    }

    /** Worker loops as set; 0 means one per available processor. */
    public int loops() {
        return loops;
    }

    /** Whether every loop has a listener of its own on the shared port (SO_REUSEPORT). */
    public boolean reusePort() {
        return reusePort;
    }

    /** Time without inbound bytes after which a connection is closed; {@link Duration#ZERO} for never. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /**
     * The balancer of a server built from these options: the one set with
     * {@link AbstractBuilder#loadBalancer(LoadBalancer)}, the same instance on every call; or else
     * a new balancer of the {@link AbstractBuilder#loadBalancing(LoadBalancing) strategy} (default
     * round robin) on every call, so that servers built from the same options never share a
     * built-in balancer's state. A server asks once, when it is built.
     */
    public LoadBalancer loadBalancer() {
        return loadBalancer != null ? loadBalancer : loadBalancing.newLoadBalancer();
    }

    /** The I/O layer as set; {@link Server#transport()} tells what {@link Transport#AUTO} chose. */
    public Transport transport() {
        return transport;
    }

    /** TCP_NODELAY of accepted sockets. */
    public boolean tcpNoDelay() {
        return tcpNoDelay;
    }

    /** SO_KEEPALIVE of accepted sockets. */
    public boolean keepAlive() {
        return keepAlive;
    }

    /** SO_SNDBUF of accepted sockets in bytes; 0 keeps the system's. */
    public int sendBufferSize() {
        return sendBufferSize;
    }

    /** SO_RCVBUF of accepted sockets in bytes; 0 keeps the system's. */
    public int receiveBufferSize() {
        return receiveBufferSize;
    }

    /** Listen backlog. */
    public int backlog() {
        return backlog;
    }

    /** Connections open at once, above which new ones are refused; 0 for no limit. */
    public int maxConnections() {
        return maxConnections;
    }

    /**
     * Connections open at once from one client address (the PROXY protocol's where the server
     * reads it), above which new ones from it are refused; 0 for no limit.
     */
    public int maxConnectionsPerAddress() {
        return maxConnectionsPerAddress;
    }

    /**
     * New connections from one client address per {@link #connectionRateInterval()}, above which
     * new ones from it are refused; 0 for no limit.
     */
    public int connectionRatePerAddress() {
        return connectionRatePerAddress;
    }

    /** The interval of {@link #connectionRatePerAddress()}. */
    public Duration connectionRateInterval() {
        return connectionRateInterval;
    }

    /** Queued outbound bytes above which a connection turns unwritable ({@link Connection#isWritable()}). */
    public int writeBufferHighWaterMark() {
        return writeBufferHighWaterMark;
    }

    /** Queued outbound bytes below which an unwritable connection turns writable again. */
    public int writeBufferLowWaterMark() {
        return writeBufferLowWaterMark;
    }

    /** Queued outbound bytes above which a connection is closed. */
    public int writeBufferLimit() {
        return writeBufferLimit;
    }

    /** Inbound bytes waiting for a complete frame above which a connection is closed. */
    public int readBufferLimit() {
        return readBufferLimit;
    }

    /** Size of each loop's socket read buffer. */
    public int readBufferSize() {
        return readBufferSize;
    }

    /** Grace period of {@link Server#close()}. */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    /** Time a loop may spend in one callback or task before a warning; {@link Duration#ZERO} for no watchdog. */
    public Duration blockedLoopWarning() {
        return blockedLoopWarning;
    }

    /**
     * Interval over which client faults of one kind (protocol errors, failed TLS handshakes) are
     * logged up to {@link #clientFaultLogLimit()} and then counted for a summary; {@link Duration#ZERO}
     * logs every one.
     */
    public Duration clientFaultLogInterval() {
        return clientFaultLogInterval;
    }

    /** Client faults of one kind logged in full per {@link #clientFaultLogInterval()}. */
    public int clientFaultLogLimit() {
        return clientFaultLogLimit;
    }

    /** Whether loop threads are daemons. */
    public boolean daemonThreads() {
        return daemonThreads;
    }

    /** The TLS options every connection is served with; empty for plain TCP. */
    public Optional<TlsOptions> tls() {
        return Optional.ofNullable(tls);
    }

    /** The PROXY protocol the server reads before anything else, if any. */
    public Optional<ProxyProtocol> proxyProtocol() {
        return Optional.ofNullable(proxyProtocol);
    }

    /** Where the handler's callbacks run; on the loop by default. */
    public HandlerExecution handlerExecution() {
        return handlerExecution;
    }

    /**
     * Equal when every option is: values by value; a balancer set with
     * {@link AbstractBuilder#loadBalancer(LoadBalancer)} and the {@link TlsOptions} by identity.
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ServerOptions)) {
            return false;
        }
        ServerOptions other = (ServerOptions) o;
        return name.equals(other.name) && Objects.equals(address, other.address) && port == other.port
                && Objects.equals(unixSocket, other.unixSocket) && unixSocketPermissions.equals(other.unixSocketPermissions)
                && loops == other.loops && reusePort == other.reusePort && idleTimeout.equals(other.idleTimeout)
                && loadBalancing == other.loadBalancing && loadBalancer == other.loadBalancer
                && transport == other.transport && tcpNoDelay == other.tcpNoDelay && keepAlive == other.keepAlive
                && sendBufferSize == other.sendBufferSize && receiveBufferSize == other.receiveBufferSize
                && backlog == other.backlog && maxConnections == other.maxConnections
                && maxConnectionsPerAddress == other.maxConnectionsPerAddress
                && connectionRatePerAddress == other.connectionRatePerAddress
                && connectionRateInterval.equals(other.connectionRateInterval)
                && writeBufferHighWaterMark == other.writeBufferHighWaterMark
                && writeBufferLowWaterMark == other.writeBufferLowWaterMark
                && writeBufferLimit == other.writeBufferLimit && readBufferLimit == other.readBufferLimit
                && readBufferSize == other.readBufferSize && shutdownTimeout.equals(other.shutdownTimeout)
                && blockedLoopWarning.equals(other.blockedLoopWarning)
                && clientFaultLogInterval.equals(other.clientFaultLogInterval)
                && clientFaultLogLimit == other.clientFaultLogLimit && daemonThreads == other.daemonThreads
                && tls == other.tls && Objects.equals(proxyProtocol, other.proxyProtocol)
                && handlerExecution.equals(other.handlerExecution);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, address, port, unixSocket, unixSocketPermissions, loops, reusePort, idleTimeout, loadBalancing,
                System.identityHashCode(loadBalancer), transport, tcpNoDelay, keepAlive, sendBufferSize,
                receiveBufferSize, backlog, maxConnections, maxConnectionsPerAddress, connectionRatePerAddress,
                connectionRateInterval, writeBufferHighWaterMark, writeBufferLowWaterMark,
                writeBufferLimit, readBufferLimit, readBufferSize, shutdownTimeout, blockedLoopWarning,
                clientFaultLogInterval, clientFaultLogLimit, daemonThreads, System.identityHashCode(tls),
                proxyProtocol, handlerExecution);
    }

    @Override
    public String toString() {
        return "ServerOptions[name=" + name + ", address=" + (address == null ? "*" : address) + ", port=" + port
                + (unixSocket == null ? "" : ", unixSocket=" + unixSocket + " ("
                        + PosixFilePermissions.toString(unixSocketPermissions) + ")")
                + ", loops=" + (loops == 0 ? "processors" : loops) + ", reusePort=" + reusePort
                + ", idleTimeout=" + idleTimeout + ", loadBalancer=" + (loadBalancer != null ? loadBalancer : loadBalancing)
                + ", transport=" + transport + ", tcpNoDelay=" + tcpNoDelay + ", keepAlive=" + keepAlive
                + ", sendBufferSize=" + (sendBufferSize == 0 ? "system" : sendBufferSize)
                + ", receiveBufferSize=" + (receiveBufferSize == 0 ? "system" : receiveBufferSize)
                + ", backlog=" + backlog + ", maxConnections=" + (maxConnections == 0 ? "unlimited" : maxConnections)
                + ", maxConnectionsPerAddress=" + (maxConnectionsPerAddress == 0 ? "unlimited" : maxConnectionsPerAddress)
                + ", connectionRatePerAddress=" + (connectionRatePerAddress == 0 ? "unlimited"
                        : connectionRatePerAddress + " per " + connectionRateInterval)
                + ", writeBufferHighWaterMark=" + writeBufferHighWaterMark
                + ", writeBufferLowWaterMark=" + writeBufferLowWaterMark + ", writeBufferLimit=" + writeBufferLimit
                + ", readBufferLimit=" + readBufferLimit + ", readBufferSize=" + readBufferSize
                + ", shutdownTimeout=" + shutdownTimeout + ", blockedLoopWarning=" + blockedLoopWarning
                + ", clientFaultLogInterval=" + clientFaultLogInterval + ", clientFaultLogLimit=" + clientFaultLogLimit
                + ", daemonThreads=" + daemonThreads + ", tls=" + (tls == null ? "none" : tls)
                + ", proxyProtocol=" + (proxyProtocol == null ? "none" : proxyProtocol) + ", handlerExecution=" + handlerExecution + "]";
    }

    /**
     * The setters of the server options, shared by {@link ServerOptions.Builder} and
     * {@link Server.Builder}. Each setter checks its argument and throws, naming it, when it is
     * wrong (keeping the previous value); {@code build()} checks the options against each other.
     * Not thread-safe.
     *
     * @param <B> the builder's own type, which every setter returns
     */
    public abstract static class AbstractBuilder<B extends AbstractBuilder<B>> {

        private String name = DEFAULT_NAME;
        private String address;
        private int port = DEFAULT_PORT;
        private Path unixSocket;
        private Set<PosixFilePermission> unixSocketPermissions = DEFAULT_UNIX_SOCKET_PERMISSIONS;
        private int loops;
        private boolean reusePort;
        private Duration idleTimeout = Duration.ZERO;
        private LoadBalancing loadBalancing = DEFAULT_LOAD_BALANCING;
        private LoadBalancer loadBalancer;
        private Transport transport = Transport.AUTO;
        private boolean tcpNoDelay = true;
        private boolean keepAlive;
        private int sendBufferSize;
        private int receiveBufferSize;
        private int backlog = DEFAULT_BACKLOG;
        private int maxConnections;
        private int maxConnectionsPerAddress;
        private int connectionRatePerAddress;
        private Duration connectionRateInterval = DEFAULT_CONNECTION_RATE_INTERVAL;
        private int writeBufferHighWaterMark = DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK;
        private int writeBufferLowWaterMark = DEFAULT_WRITE_BUFFER_LOW_WATER_MARK;
        private int writeBufferLimit = DEFAULT_WRITE_BUFFER_LIMIT;
        private int readBufferLimit = DEFAULT_READ_BUFFER_LIMIT;
        private int readBufferSize = DEFAULT_READ_BUFFER_SIZE;
        private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
        private Duration blockedLoopWarning = DEFAULT_BLOCKED_LOOP_WARNING;
        private Duration clientFaultLogInterval = DEFAULT_CLIENT_FAULT_LOG_INTERVAL;
        private int clientFaultLogLimit = DEFAULT_CLIENT_FAULT_LOG_LIMIT;
        private boolean daemonThreads;
        private TlsOptions tls;
        private ProxyProtocol proxyProtocol;
        private HandlerExecution handlerExecution = HandlerExecution.loop();

        // Only the builders of this package extend it.
        AbstractBuilder() {
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /**
         * Takes every option of {@code options}, replacing what was set before.
         *
         * @return this builder
         */
        public B options(ServerOptions options) {
            Objects.requireNonNull(options, "options");
            this.name = options.name;
            this.address = options.address;
            this.port = options.port;
            this.unixSocket = options.unixSocket;
            this.unixSocketPermissions = options.unixSocketPermissions;
            this.loops = options.loops;
            this.reusePort = options.reusePort;
            this.idleTimeout = options.idleTimeout;
            this.loadBalancing = options.loadBalancing;
            this.loadBalancer = options.loadBalancer;
            this.transport = options.transport;
            this.tcpNoDelay = options.tcpNoDelay;
            this.keepAlive = options.keepAlive;
            this.sendBufferSize = options.sendBufferSize;
            this.receiveBufferSize = options.receiveBufferSize;
            this.backlog = options.backlog;
            this.maxConnections = options.maxConnections;
            this.maxConnectionsPerAddress = options.maxConnectionsPerAddress;
            this.connectionRatePerAddress = options.connectionRatePerAddress;
            this.connectionRateInterval = options.connectionRateInterval;
            this.writeBufferHighWaterMark = options.writeBufferHighWaterMark;
            this.writeBufferLowWaterMark = options.writeBufferLowWaterMark;
            this.writeBufferLimit = options.writeBufferLimit;
            this.readBufferLimit = options.readBufferLimit;
            this.readBufferSize = options.readBufferSize;
            this.shutdownTimeout = options.shutdownTimeout;
            this.blockedLoopWarning = options.blockedLoopWarning;
            this.clientFaultLogInterval = options.clientFaultLogInterval;
            this.clientFaultLogLimit = options.clientFaultLogLimit;
            this.daemonThreads = options.daemonThreads;
            this.tls = options.tls;
            this.proxyProtocol = options.proxyProtocol;
            this.handlerExecution = options.handlerExecution;
            return self();
        }

        /**
         * Name used in thread names, logs and metrics tags; default {@value ServerOptions#DEFAULT_NAME}.
         *
         * @return this builder
         * @throws IllegalArgumentException if the name is blank
         */
        public B name(String name) {
            this.name = requireName(name);
            return self();
        }

        /**
         * Host name or IP literal to bind; {@code null} or blank (default) binds every address.
         *
         * @return this builder
         */
        public B address(String address) {
            this.address = address == null || address.isBlank() ? null : address;
            return self();
        }

        /**
         * Port to bind, 0 for any free port (read it back with {@link Server#port()}); default
         * {@value ServerOptions#DEFAULT_PORT}.
         *
         * @return this builder
         * @throws IllegalArgumentException if the port is outside [0, 65535]
         */
        public B port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in [0, 65535]: " + port);
            }
            this.port = port;
            return self();
        }

        /**
         * Listens on a Unix domain socket at {@code file} instead of TCP: for a sidecar, a local
         * agent or a reverse proxy on the same host, with the file's permissions
         * ({@link #unixSocketPermissions}) as access control. {@link #address} and {@link #port}
         * do not apply then; handlers, protocols, TLS and WebSocket work as on TCP, and
         * {@link Connection#peerCredentials()} tells who connected.
         *
         * <p>On start, a socket file left by a server that is gone (nothing accepts on it) is
         * replaced; one somebody listens on fails the start as an address in use, and so does a
         * file that is not a socket, which is never deleted. On stop, the file is removed if it is
         * still the one this server bound. Needs the epoll or the NIO transport (NIO has Unix
         * sockets since Java 16).
         *
         * @param file the socket file; {@code null} (default) listens on TCP
         * @return this builder
         * @throws IllegalArgumentException if the path is longer than a socket address holds
         *         ({@value ServerOptions#MAX_UNIX_SOCKET_PATH_BYTES} bytes of UTF-8)
         */
        public B unixSocket(Path file) {
            this.unixSocket = file == null ? null : io.gev.internal.transport.UnixSockets.checkPath(file);
            return self();
        }

        /**
         * The permissions the file of {@link #unixSocket(Path)} gets once bound, before any
         * connection is accepted on the epoll transport (on NIO, binding also listens, so the
         * file has the process's umask for a moment: for strict access control put it in a
         * directory only the allowed users can enter); default
         * {@link ServerOptions#DEFAULT_UNIX_SOCKET_PERMISSIONS}.
         *
         * @return this builder
         * @throws IllegalArgumentException if the owner may not write (nobody could connect)
         */
        public B unixSocketPermissions(Set<PosixFilePermission> permissions) {
            Objects.requireNonNull(permissions, "unixSocketPermissions");
            if (!permissions.contains(PosixFilePermission.OWNER_WRITE)) {
                throw new IllegalArgumentException("unixSocketPermissions must let the owner write, as connecting"
                        + " needs write permission: " + PosixFilePermissions.toString(permissions));
            }
            this.unixSocketPermissions = Collections.unmodifiableSet(EnumSet.copyOf(permissions));
            return self();
        }

        /**
         * Worker loops; 0 (default) means one per available processor.
         *
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public B loops(int loops) {
            this.loops = requireNonNegative(loops, "loops");
            return self();
        }

        /**
         * Sets SO_REUSEPORT and gives every loop a listener of its own on the shared port, so the
         * kernel spreads connections and no thread hands them over; another server may bind the
         * same port too. The load balancer is not used then.
         *
         * @return this builder
         */
        public B reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return self();
        }

        /**
         * Closes connections that received no bytes for this long; {@link Duration#ZERO} (default) never.
         *
         * @return this builder
         * @throws IllegalArgumentException if the duration is negative
         */
        public B idleTimeout(Duration idleTimeout) {
            this.idleTimeout = requireNonNegative(idleTimeout, "idleTimeout");
            return self();
        }

        /**
         * Picks the loop for each accepted connection with this balancer, replacing any
         * {@link #loadBalancing(LoadBalancing) strategy}. The instance serves every server built
         * from these options; a balancer with state (such as {@link LoadBalancer#roundRobin()})
         * must not serve two servers, so give each its own, or name a strategy instead.
         *
         * @return this builder
         */
        public B loadBalancer(LoadBalancer loadBalancer) {
            this.loadBalancer = Objects.requireNonNull(loadBalancer, "loadBalancer");
            return self();
        }

        /**
         * Picks the loop for each accepted connection with a built-in strategy, replacing any
         * {@link #loadBalancer(LoadBalancer) balancer} set before; each server makes its own
         * balancer of it. Default {@link LoadBalancing#ROUND_ROBIN}.
         *
         * @return this builder
         */
        public B loadBalancing(LoadBalancing loadBalancing) {
            this.loadBalancing = Objects.requireNonNull(loadBalancing, "loadBalancing");
            this.loadBalancer = null;
            return self();
        }

        /**
         * The I/O layer; default {@link Transport#AUTO}.
         *
         * @return this builder
         */
        public B transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return self();
        }

        /**
         * TCP_NODELAY on accepted sockets; default {@code true}.
         *
         * @return this builder
         */
        public B tcpNoDelay(boolean tcpNoDelay) {
            this.tcpNoDelay = tcpNoDelay;
            return self();
        }

        /**
         * SO_KEEPALIVE on accepted sockets; default {@code false}.
         *
         * @return this builder
         */
        public B keepAlive(boolean keepAlive) {
            this.keepAlive = keepAlive;
            return self();
        }

        /**
         * SO_SNDBUF of accepted sockets in bytes; 0 (default) keeps the system's. The kernel may
         * round the size (Linux doubles it, up to {@code net.core.wmem_max}).
         *
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public B sendBufferSize(int bytes) {
            this.sendBufferSize = requireNonNegative(bytes, "sendBufferSize");
            return self();
        }

        /**
         * SO_RCVBUF of accepted sockets in bytes; 0 (default) keeps the system's. The kernel may
         * round the size (Linux doubles it, up to {@code net.core.rmem_max}).
         *
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public B receiveBufferSize(int bytes) {
            this.receiveBufferSize = requireNonNegative(bytes, "receiveBufferSize");
            return self();
        }

        /**
         * Listen backlog; default {@value ServerOptions#DEFAULT_BACKLOG}.
         *
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public B backlog(int backlog) {
            if (backlog < 1) {
                throw new IllegalArgumentException("backlog must be >= 1: " + backlog);
            }
            this.backlog = backlog;
            return self();
        }

        /**
         * Connections open at once; a connection over the limit is accepted and closed at once
         * ({@link CloseReason#REJECTED}). 0 (default) means no limit.
         *
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public B maxConnections(int maxConnections) {
            this.maxConnections = requireNonNegative(maxConnections, "maxConnections");
            return self();
        }

        /**
         * Connections open at once from one client address: the socket's, or the PROXY protocol
         * header's where the server reads it. One over the limit is closed as soon as its address
         * is known ({@link CloseReason#REJECTED}, with a rate-limited log line). 0 (default) means
         * no limit.
         *
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public B maxConnectionsPerAddress(int maxConnectionsPerAddress) {
            this.maxConnectionsPerAddress = requireNonNegative(maxConnectionsPerAddress, "maxConnectionsPerAddress");
            return self();
        }

        /**
         * New connections from one client address per {@code interval}, refilled evenly over it
         * (a token bucket holding {@code connections}): one over the rate is closed as
         * {@link #maxConnectionsPerAddress} says. 0 connections (default) means no limit.
         *
         * @return this builder
         * @throws IllegalArgumentException if {@code connections} is negative or {@code interval} not positive
         */
        public B connectionRatePerAddress(int connections, Duration interval) {
            int checked = requireNonNegative(connections, "connectionRatePerAddress");
            Objects.requireNonNull(interval, "connectionRateInterval");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("connectionRateInterval must be positive: " + interval);
            }
            this.connectionRatePerAddress = checked;
            this.connectionRateInterval = interval;
            return self();
        }

        /**
         * See {@link Connection#isWritable()}; default {@value ServerOptions#DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK}.
         *
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public B writeBufferHighWaterMark(int bytes) {
            this.writeBufferHighWaterMark = requirePositive(bytes, "writeBufferHighWaterMark");
            return self();
        }

        /**
         * See {@link Connection#isWritable()}; default {@value ServerOptions#DEFAULT_WRITE_BUFFER_LOW_WATER_MARK}.
         *
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public B writeBufferLowWaterMark(int bytes) {
            this.writeBufferLowWaterMark = requireNonNegative(bytes, "writeBufferLowWaterMark");
            return self();
        }

        /**
         * Queued outbound bytes above which a connection that stopped reading is closed, so slow
         * clients cannot exhaust memory; default {@value ServerOptions#DEFAULT_WRITE_BUFFER_LIMIT}.
         *
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public B writeBufferLimit(int bytes) {
            this.writeBufferLimit = requirePositive(bytes, "writeBufferLimit");
            return self();
        }

        /**
         * Inbound bytes a connection may hold while the protocol waits for a complete frame;
         * above it the connection is closed. Default {@value ServerOptions#DEFAULT_READ_BUFFER_LIMIT}.
         *
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public B readBufferLimit(int bytes) {
            this.readBufferLimit = requirePositive(bytes, "readBufferLimit");
            return self();
        }

        /**
         * Size of each loop's socket read buffer (one per loop, not per connection); default
         * {@value ServerOptions#DEFAULT_READ_BUFFER_SIZE}.
         *
         * @return this builder
         * @throws IllegalArgumentException if below 256
         */
        public B readBufferSize(int bytes) {
            if (bytes < 256) {
                throw new IllegalArgumentException("readBufferSize must be >= 256: " + bytes);
            }
            this.readBufferSize = bytes;
            return self();
        }

        /**
         * Grace period of {@link Server#close()}; default {@link ServerOptions#DEFAULT_SHUTDOWN_TIMEOUT 30 seconds}.
         *
         * @return this builder
         * @throws IllegalArgumentException if the duration is negative
         */
        public B shutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = requireNonNegative(shutdownTimeout, "shutdownTimeout");
            return self();
        }

        /**
         * Logs a warning, with the loop thread's stack, when a loop spends longer than this in one
         * handler callback, timer or task (a handler that blocks stalls every connection of its
         * loop); once per stall, and again when the loop runs again. A watchdog thread per server
         * checks every quarter of it, so the warning comes between 1 and 1.5 times this late.
         * Default {@link ServerOptions#DEFAULT_BLOCKED_LOOP_WARNING 1 second}; {@link Duration#ZERO}
         * turns the watchdog off.
         *
         * @return this builder
         * @throws IllegalArgumentException if the duration is negative
         */
        public B blockedLoopWarning(Duration threshold) {
            this.blockedLoopWarning = requireNonNegative(threshold, "blockedLoopWarning");
            return self();
        }

        /**
         * Every client that breaks the protocol or fails its TLS handshake is a fault logged with
         * the connection, which a scanner would repeat thousands of times: per this interval the
         * first {@link #clientFaultLogLimit(int) limit} faults of each kind (protocol errors, TLS
         * failures) are logged at WARN and INFO, the others at DEBUG only, counted and summarised
         * in one line when the interval ends. Default
         * {@link ServerOptions#DEFAULT_CLIENT_FAULT_LOG_INTERVAL 1 minute}; {@link Duration#ZERO}
         * logs every fault.
         *
         * @return this builder
         * @throws IllegalArgumentException if the duration is negative
         */
        public B clientFaultLogInterval(Duration interval) {
            this.clientFaultLogInterval = requireNonNegative(interval, "clientFaultLogInterval");
            return self();
        }

        /**
         * Client faults of one kind logged in full per {@link #clientFaultLogInterval(Duration)
         * interval}; 0 logs only the summaries. Default
         * {@value ServerOptions#DEFAULT_CLIENT_FAULT_LOG_LIMIT}.
         *
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public B clientFaultLogLimit(int limit) {
            this.clientFaultLogLimit = requireNonNegative(limit, "clientFaultLogLimit");
            return self();
        }

        /**
         * Whether loop threads are daemons; default {@code false}, so a running server keeps a
         * plain {@code main()} program alive.
         *
         * @return this builder
         */
        public B daemonThreads(boolean daemonThreads) {
            this.daemonThreads = daemonThreads;
            return self();
        }

        /**
         * Serves every connection over TLS with these options; default none (plain TCP).
         *
         * @param tls the options, or {@code null} for plain TCP
         * @return this builder
         * @throws IllegalArgumentException when the options were built for a client
         */
        public B tls(TlsOptions tls) {
            if (tls != null && tls.isClient()) {
                throw new IllegalArgumentException("tls must be built for a server (TlsOptions.builder(...)), "
                        + "not for a client");
            }
            this.tls = tls;
            return self();
        }

        /** A client's TLS options, which {@link ClientOptions} keeps here with its other connection settings. */
        /**
         * Reads the PROXY protocol before anything else (before TLS and the protocol); default
         * none. See {@link ProxyProtocol} for who may connect and what happens to bad headers.
         *
         * @param proxyProtocol the options, or {@code null} for none
         * @return this builder
         */
        public B proxyProtocol(ProxyProtocol proxyProtocol) {
            this.proxyProtocol = proxyProtocol;
            return self();
        }

        final B clientTls(TlsOptions tls) {
            this.tls = tls;
            return self();
        }

        /**
         * Where the handler's callbacks run; default {@link HandlerExecution#loop()}. Offload a
         * handler that blocks (see {@link HandlerExecution} for the order, memory and stop
         * guarantees).
         *
         * @return this builder
         */
        public B handlerExecution(HandlerExecution handlerExecution) {
            this.handlerExecution = Objects.requireNonNull(handlerExecution, "handlerExecution");
            return self();
        }

        /**
         * The options set so far, checked against each other.
         *
         * @throws IllegalArgumentException when options contradict each other
         */
        final ServerOptions toOptions() {
            if (writeBufferLowWaterMark > writeBufferHighWaterMark) {
                throw new IllegalArgumentException("writeBufferLowWaterMark (" + writeBufferLowWaterMark
                        + ") must not exceed writeBufferHighWaterMark (" + writeBufferHighWaterMark + ")");
            }
            if (writeBufferHighWaterMark > writeBufferLimit) {
                throw new IllegalArgumentException("writeBufferHighWaterMark (" + writeBufferHighWaterMark
                        + ") must not exceed writeBufferLimit (" + writeBufferLimit + ")");
            }
            if (unixSocket != null) {
                if (address != null) {
                    throw new IllegalArgumentException("unixSocket (" + unixSocket + ") and address (" + address
                            + ") exclude each other: a server listens on one or the other");
                }
                if (reusePort) {
                    throw new IllegalArgumentException("reusePort does not apply to unixSocket (" + unixSocket
                            + "): one socket file has one listener");
                }
                if (proxyProtocol == null && (maxConnectionsPerAddress > 0 || connectionRatePerAddress > 0)) {
                    throw new IllegalArgumentException("maxConnectionsPerAddress and connectionRatePerAddress need"
                            + " a client address, which a Unix domain socket (" + unixSocket
                            + ") has only behind the PROXY protocol");
                }
            }
            return new ServerOptions(this);
        }
    }

    /** Builds {@link ServerOptions}; see {@link AbstractBuilder} for the setters. Not thread-safe. */
    public static final class Builder extends AbstractBuilder<Builder> {

        private Builder() {
        }

        /**
         * Creates the options.
         *
         * @throws IllegalArgumentException when options contradict each other, such as a write
         *         buffer low water mark above the high water mark or a high water mark above the
         *         write buffer limit (the message names both)
         */
        public ServerOptions build() {
            return toOptions();
        }
    }
}
