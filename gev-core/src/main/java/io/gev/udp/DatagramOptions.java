package io.gev.udp;

import io.gev.HandlerExecution;
import io.gev.loop.Transport;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import static io.gev.internal.Arguments.requireNonNegative;
import static io.gev.internal.Arguments.requirePositive;

/**
 * The immutable options of a {@link DatagramServer}, made by {@link #builder()} or
 * {@link DatagramServer.Builder}; {@link #toBuilder()} starts a builder from them. An option not set
 * has the value of the {@code DEFAULT_*} constant of its name. Thread-safe.
 */
public final class DatagramOptions {

    /** Name used in thread names, logs and metrics tags. */
    public static final String DEFAULT_NAME = "udp";
    /** The port of the sample application's UDP echo. */
    public static final int DEFAULT_PORT = 1836;
    /**
     * Largest datagram received or sent, in bytes. Datagrams above about 1472 bytes are fragmented
     * by IP on an Ethernet path, and a lost fragment loses the datagram, so protocols on UDP stay
     * below that; 2048 leaves room above it while a datagram that is far too large (a scanner's, a
     * misconfigured peer's) is a counted drop, not a 64 KiB surprise for the handler.
     */
    public static final int DEFAULT_MAX_DATAGRAM_SIZE = 2048;
    /** The largest UDP payload over IPv6 without jumbograms (65,535 minus the 8-byte UDP header). */
    public static final int MAX_DATAGRAM_SIZE_LIMIT = 65_527;
    /** Datagrams read per readiness event before the loop serves its other sockets and tasks. */
    public static final int DEFAULT_MAX_DATAGRAMS_PER_READ = 64;
    /** Datagrams of one socket waiting to be sent before {@link DatagramServer#send} drops. */
    public static final int DEFAULT_MAX_QUEUED_SENDS = 1024;
    /** Time-to-live of multicast datagrams sent: 1 keeps them on the local network. */
    public static final int DEFAULT_MULTICAST_TTL = 1;
    /** A loop busy in one callback for longer than this is logged, as for TCP servers. */
    public static final Duration DEFAULT_BLOCKED_LOOP_WARNING = Duration.ofSeconds(1);
    /** Handler failures and failed sends are logged in full this many times per interval... */
    public static final int DEFAULT_FAULT_LOG_LIMIT = 10;
    /** ... of this length, then summarised. */
    public static final Duration DEFAULT_FAULT_LOG_INTERVAL = Duration.ofMinutes(1);

    private final String name;
    private final String host;
    private final int port;
    private final int loops;
    private final Transport transport;
    private final boolean reusePort;
    private final int maxDatagramSize;
    private final int maxDatagramsPerRead;
    private final int maxQueuedSends;
    private final int receiveBufferSize;
    private final int sendBufferSize;
    private final HandlerExecution handlerExecution;
    private final List<InetAddress> multicastGroups;
    private final String multicastInterface;
    private final boolean multicastLoopback;
    private final int multicastTtl;
    private final boolean daemonThreads;
    private final Duration blockedLoopWarning;
    private final Duration faultLogInterval;
    private final int faultLogLimit;

    private DatagramOptions(AbstractBuilder<?> b) {
        this.name = b.name;
        this.host = b.host;
        this.port = b.port;
        this.loops = b.loops;
        this.transport = b.transport;
        this.reusePort = b.reusePort;
        this.maxDatagramSize = b.maxDatagramSize;
        this.maxDatagramsPerRead = b.maxDatagramsPerRead;
        this.maxQueuedSends = b.maxQueuedSends;
        this.receiveBufferSize = b.receiveBufferSize;
        this.sendBufferSize = b.sendBufferSize;
        this.handlerExecution = b.handlerExecution;
        this.multicastGroups = Collections.unmodifiableList(new ArrayList<>(b.multicastGroups));
        this.multicastInterface = b.multicastInterface;
        this.multicastLoopback = b.multicastLoopback;
        this.multicastTtl = b.multicastTtl;
        this.daemonThreads = b.daemonThreads;
        this.blockedLoopWarning = b.blockedLoopWarning;
        this.faultLogInterval = b.faultLogInterval;
        this.faultLogLimit = b.faultLogLimit;
    }

    /** A builder with every option at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder().options(this);
    }

    public String name() {
        return name;
    }

    /** The host name or IP literal bound; empty binds every address. */
    public Optional<String> host() {
        return Optional.ofNullable(host);
    }

    public int port() {
        return port;
    }

    /** Worker loops of a server's own; 0 means one per processor. */
    public int loops() {
        return loops;
    }

    public Transport transport() {
        return transport;
    }

    /** Whether every loop has a socket of its own on the shared port (SO_REUSEPORT). */
    public boolean reusePort() {
        return reusePort;
    }

    public int maxDatagramSize() {
        return maxDatagramSize;
    }

    public int maxDatagramsPerRead() {
        return maxDatagramsPerRead;
    }

    public int maxQueuedSends() {
        return maxQueuedSends;
    }

    /** SO_RCVBUF in bytes; 0 keeps the system's default. */
    public int receiveBufferSize() {
        return receiveBufferSize;
    }

    /** SO_SNDBUF in bytes; 0 keeps the system's default. */
    public int sendBufferSize() {
        return sendBufferSize;
    }

    public HandlerExecution handlerExecution() {
        return handlerExecution;
    }

    /** The multicast groups joined at start. */
    public List<InetAddress> multicastGroups() {
        return multicastGroups;
    }

    /** The name of the network interface of multicast ({@code "lo"}, {@code "eth0"}); empty: the system's choice. */
    public Optional<String> multicastInterface() {
        return Optional.ofNullable(multicastInterface);
    }

    /** Whether multicast datagrams sent are looped back to this host's sockets (IP_MULTICAST_LOOP). */
    public boolean multicastLoopback() {
        return multicastLoopback;
    }

    public int multicastTtl() {
        return multicastTtl;
    }

    public boolean daemonThreads() {
        return daemonThreads;
    }

    public Duration blockedLoopWarning() {
        return blockedLoopWarning;
    }

    public Duration faultLogInterval() {
        return faultLogInterval;
    }

    public int faultLogLimit() {
        return faultLogLimit;
    }

    @Override
    public String toString() {
        return "DatagramOptions[name=" + name + ", host=" + (host == null ? "*" : host) + ", port=" + port
                + ", loops=" + loops + ", transport=" + transport + ", reusePort=" + reusePort
                + ", maxDatagramSize=" + maxDatagramSize + ", maxDatagramsPerRead=" + maxDatagramsPerRead
                + ", maxQueuedSends=" + maxQueuedSends + ", handlerExecution=" + handlerExecution
                + ", multicastGroups=" + multicastGroups + ", multicastInterface=" + multicastInterface + "]";
    }

    /** Builds {@link DatagramOptions}. Not thread-safe. */
    public static final class Builder extends AbstractBuilder<Builder> {

        private Builder() {
        }

        /**
         * The options.
         *
         * @throws IllegalArgumentException when multicast groups are set with reusePort (see
         *         {@link AbstractBuilder#multicastGroups})
         */
        public DatagramOptions build() {
            return toOptions();
        }
    }

    /**
     * The setters of {@link DatagramOptions}, shared by {@link Builder} and
     * {@link DatagramServer.Builder}. Each names its argument when it is wrong.
     */
    public abstract static class AbstractBuilder<B extends AbstractBuilder<B>> {

        private String name = DEFAULT_NAME;
        private String host;
        private int port = DEFAULT_PORT;
        private int loops;
        private Transport transport = Transport.AUTO;
        private boolean reusePort;
        private int maxDatagramSize = DEFAULT_MAX_DATAGRAM_SIZE;
        private int maxDatagramsPerRead = DEFAULT_MAX_DATAGRAMS_PER_READ;
        private int maxQueuedSends = DEFAULT_MAX_QUEUED_SENDS;
        private int receiveBufferSize;
        private int sendBufferSize;
        private HandlerExecution handlerExecution = HandlerExecution.loop();
        private final LinkedHashSet<InetAddress> multicastGroups = new LinkedHashSet<>();
        private String multicastInterface;
        private boolean multicastLoopback = true;
        private int multicastTtl = DEFAULT_MULTICAST_TTL;
        private boolean daemonThreads;
        private Duration blockedLoopWarning = DEFAULT_BLOCKED_LOOP_WARNING;
        private Duration faultLogInterval = DEFAULT_FAULT_LOG_INTERVAL;
        private int faultLogLimit = DEFAULT_FAULT_LOG_LIMIT;

        AbstractBuilder() {
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /** Takes every option from {@code options}. */
        public B options(DatagramOptions options) {
            Objects.requireNonNull(options, "options");
            name = options.name;
            host = options.host;
            port = options.port;
            loops = options.loops;
            transport = options.transport;
            reusePort = options.reusePort;
            maxDatagramSize = options.maxDatagramSize;
            maxDatagramsPerRead = options.maxDatagramsPerRead;
            maxQueuedSends = options.maxQueuedSends;
            receiveBufferSize = options.receiveBufferSize;
            sendBufferSize = options.sendBufferSize;
            handlerExecution = options.handlerExecution;
            multicastGroups.clear();
            multicastGroups.addAll(options.multicastGroups);
            multicastInterface = options.multicastInterface;
            multicastLoopback = options.multicastLoopback;
            multicastTtl = options.multicastTtl;
            daemonThreads = options.daemonThreads;
            blockedLoopWarning = options.blockedLoopWarning;
            faultLogInterval = options.faultLogInterval;
            faultLogLimit = options.faultLogLimit;
            return self();
        }

        /** Name in thread names, logs and metrics tags; default {@value DatagramOptions#DEFAULT_NAME}. */
        public B name(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank: " + name);
            }
            this.name = name;
            return self();
        }

        /** Host name or IP literal to bind; {@code null} or blank (default) binds every address. */
        public B host(String host) {
            this.host = host == null || host.isBlank() ? null : host;
            return self();
        }

        /** Port to bind, 0 for any free one; default {@value DatagramOptions#DEFAULT_PORT}. */
        public B port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in [0, 65535]: " + port);
            }
            this.port = port;
            return self();
        }

        /** Worker loops of the server's own; 0 (default) means one per processor. */
        public B loops(int loops) {
            this.loops = requireNonNegative(loops, "loops");
            return self();
        }

        /** The I/O layer; default {@link Transport#AUTO}: epoll where Netty's native layer loads, else NIO. */
        public B transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return self();
        }

        /**
         * Gives every loop a socket of its own on the shared port (SO_REUSEPORT), so the kernel
         * spreads the datagrams by sender over the loops; without (default), one socket on the
         * first loop receives everything.
         */
        public B reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return self();
        }

        /**
         * Largest datagram received or sent, in bytes, in [1, {@value DatagramOptions#MAX_DATAGRAM_SIZE_LIMIT}];
         * default {@value DatagramOptions#DEFAULT_MAX_DATAGRAM_SIZE}. A larger datagram received is
         * dropped and counted ({@link DatagramStats#droppedOversize()}), never delivered cut short;
         * a larger one sent is refused.
         */
        public B maxDatagramSize(int bytes) {
            if (bytes < 1 || bytes > MAX_DATAGRAM_SIZE_LIMIT) {
                throw new IllegalArgumentException("maxDatagramSize must be in [1, " + MAX_DATAGRAM_SIZE_LIMIT + "]: "
                        + bytes);
            }
            this.maxDatagramSize = bytes;
            return self();
        }

        /** Datagrams read per readiness event, at least 1; default {@value DatagramOptions#DEFAULT_MAX_DATAGRAMS_PER_READ}. */
        public B maxDatagramsPerRead(int datagrams) {
            this.maxDatagramsPerRead = requirePositive(datagrams, "maxDatagramsPerRead");
            return self();
        }

        /**
         * Datagrams of one socket waiting to be sent, at least 1; default
         * {@value DatagramOptions#DEFAULT_MAX_QUEUED_SENDS}. Past it a send is dropped and counted.
         */
        public B maxQueuedSends(int datagrams) {
            this.maxQueuedSends = requirePositive(datagrams, "maxQueuedSends");
            return self();
        }

        /** SO_RCVBUF in bytes; 0 (default) keeps the system's. */
        public B receiveBufferSize(int bytes) {
            this.receiveBufferSize = requireNonNegative(bytes, "receiveBufferSize");
            return self();
        }

        /** SO_SNDBUF in bytes; 0 (default) keeps the system's. */
        public B sendBufferSize(int bytes) {
            this.sendBufferSize = requireNonNegative(bytes, "sendBufferSize");
            return self();
        }

        /**
         * Where the handler runs; default on the loop. Offloaded, each socket's datagrams reach the
         * handler one at a time in arrival order, as copies; at most
         * {@link HandlerExecution#maxQueuedMessages()} wait, and the ones past it are dropped and
         * counted ({@link DatagramStats#droppedBacklog()}).
         */
        public B handlerExecution(HandlerExecution execution) {
            this.handlerExecution = Objects.requireNonNull(execution, "handlerExecution");
            return self();
        }

        /**
         * Multicast groups to join at start, replacing those set before; each must be a multicast
         * address. Not with {@link #reusePort(boolean) reusePort}: Linux gives every socket on the
         * port a copy of each group datagram.
         */
        public B multicastGroups(List<InetAddress> groups) {
            Objects.requireNonNull(groups, "multicastGroups");
            for (InetAddress group : groups) {
                if (group == null || !group.isMulticastAddress()) {
                    throw new IllegalArgumentException("multicastGroups must hold multicast addresses only: " + group);
                }
            }
            multicastGroups.clear();
            multicastGroups.addAll(groups);
            return self();
        }

        /** The network interface of multicast by name ({@code "lo"}); {@code null} (default): the system's choice. */
        public B multicastInterface(String interfaceName) {
            this.multicastInterface = interfaceName == null || interfaceName.isBlank() ? null : interfaceName;
            return self();
        }

        /** Whether multicast sent is looped back to this host (IP_MULTICAST_LOOP); default {@code true}. */
        public B multicastLoopback(boolean loopback) {
            this.multicastLoopback = loopback;
            return self();
        }

        /** Time-to-live of multicast sent, in [0, 255]; default {@value DatagramOptions#DEFAULT_MULTICAST_TTL}. */
        public B multicastTtl(int ttl) {
            if (ttl < 0 || ttl > 255) {
                throw new IllegalArgumentException("multicastTtl must be in [0, 255]: " + ttl);
            }
            this.multicastTtl = ttl;
            return self();
        }

        /** Whether the server's own loop threads are daemon threads; default {@code false}. */
        public B daemonThreads(boolean daemonThreads) {
            this.daemonThreads = daemonThreads;
            return self();
        }

        /** A loop busy in one callback for longer than this is logged; {@link Duration#ZERO} turns it off. */
        public B blockedLoopWarning(Duration warning) {
            this.blockedLoopWarning = requireNonNegative(warning, "blockedLoopWarning");
            return self();
        }

        /**
         * Handler failures and failed sends are logged in full at most {@link #faultLogLimit} times
         * per this interval, then summarised; {@link Duration#ZERO} logs each. Default 1 minute.
         */
        public B faultLogInterval(Duration interval) {
            this.faultLogInterval = requireNonNegative(interval, "faultLogInterval");
            return self();
        }

        /** See {@link #faultLogInterval}; default {@value DatagramOptions#DEFAULT_FAULT_LOG_LIMIT}. */
        public B faultLogLimit(int limit) {
            this.faultLogLimit = requireNonNegative(limit, "faultLogLimit");
            return self();
        }

        final DatagramOptions toOptions() {
            if (reusePort && !multicastGroups.isEmpty()) {
                throw new IllegalArgumentException("multicastGroups " + multicastGroups + " cannot be used with "
                        + "reusePort: every socket on the port would receive each group datagram");
            }
            return new DatagramOptions(this);
        }
    }
}
