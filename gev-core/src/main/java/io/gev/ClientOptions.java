package io.gev;

import io.gev.internal.Arguments;
import io.gev.loop.Transport;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The options of a {@link Client}, everything but its handler and protocol: its loops, socket
 * options, limits, connect timeout, reconnecting and TLS. Immutable and thread-safe.
 *
 * <p>The connection settings mean what they mean on a server, and are checked by the same rules
 * ({@link ServerOptions.AbstractBuilder}); the defaults are a server's but for the name, the number
 * of loops (one) and the daemon threads. {@link Client.Builder} takes the same setters.
 */
public final class ClientOptions {

    /** The name when none is set. */
    public static final String DEFAULT_NAME = "client";
    /** Time an attempt has to connect when none is set. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private static final ClientOptions DEFAULTS = builder().build();

    /** The settings a connection has wherever it came from, held as a server's options. */
    private final ServerOptions connection;
    private final Duration connectTimeout;
    private final Reconnect reconnect;

    private ClientOptions(AbstractBuilder<?> b) {
        this.connection = b.connection.build();
        this.connectTimeout = b.connectTimeout;
        this.reconnect = b.reconnect;
    }

    /** A builder starting from the defaults. Not thread-safe. */
    public static Builder builder() {
        return new Builder();
    }

    /** The options with every default. */
    public static ClientOptions defaults() {
        return DEFAULTS;
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder().options(this);
    }

    /** Name used in thread names, logs and metrics tags. */
    public String name() {
        return connection.name();
    }

    /** Loops of the client's own; 0 for one per processor. */
    public int loops() {
        return connection.loops();
    }

    public Transport transport() {
        return connection.transport();
    }

    public boolean daemonThreads() {
        return connection.daemonThreads();
    }

    public Duration blockedLoopWarning() {
        return connection.blockedLoopWarning();
    }

    public boolean tcpNoDelay() {
        return connection.tcpNoDelay();
    }

    public boolean keepAlive() {
        return connection.keepAlive();
    }

    /** SO_SNDBUF; 0 for the system's default. */
    public int sendBufferSize() {
        return connection.sendBufferSize();
    }

    /** SO_RCVBUF; 0 for the system's default. */
    public int receiveBufferSize() {
        return connection.receiveBufferSize();
    }

    public int readBufferSize() {
        return connection.readBufferSize();
    }

    public int readBufferLimit() {
        return connection.readBufferLimit();
    }

    public int writeBufferHighWaterMark() {
        return connection.writeBufferHighWaterMark();
    }

    public int writeBufferLowWaterMark() {
        return connection.writeBufferLowWaterMark();
    }

    public int writeBufferLimit() {
        return connection.writeBufferLimit();
    }

    /** A connection that receives nothing for this long is closed; {@link Duration#ZERO} for never. */
    public Duration idleTimeout() {
        return connection.idleTimeout();
    }

    /** Grace period of {@link Client#close()}. */
    public Duration shutdownTimeout() {
        return connection.shutdownTimeout();
    }

    public HandlerExecution handlerExecution() {
        return connection.handlerExecution();
    }

    /** The TLS every connection speaks; empty for plain TCP. */
    public Optional<TlsOptions> tls() {
        return connection.tls();
    }

    /** Time an attempt has to connect (TLS handshake not included); {@link Duration#ZERO} for no limit. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** How lost connections are made again; empty when they are not (the default). */
    public Optional<Reconnect> reconnect() {
        return Optional.ofNullable(reconnect);
    }

    /** The connection settings as a server's options, for the engine that runs the client's connections. */
    ServerOptions connectionOptions() {
        return connection;
    }

    @Override
    public String toString() {
        return "ClientOptions[" + connection + ", connectTimeout=" + connectTimeout + ", reconnect="
                + (reconnect == null ? "off" : reconnect) + "]";
    }

    /**
     * The setters of the client options, shared by {@link ClientOptions.Builder} and
     * {@link Client.Builder}. Each checks its argument and names it when it is wrong, as its
     * namesake in {@link ServerOptions.AbstractBuilder} does. Not thread-safe.
     *
     * @param <B> the builder's own type, which every setter returns
     */
    public abstract static class AbstractBuilder<B extends AbstractBuilder<B>> {

        private ServerOptions.Builder connection = ServerOptions.builder().name(DEFAULT_NAME).loops(1)
                .daemonThreads(true);
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Reconnect reconnect;

        // Only the builders of this package extend it.
        AbstractBuilder() {
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /** Takes every option of {@code options}, replacing what was set before. */
        public B options(ClientOptions options) {
            Objects.requireNonNull(options, "options");
            this.connection = options.connection.toBuilder();
            this.connectTimeout = options.connectTimeout;
            this.reconnect = options.reconnect;
            return self();
        }

        /** Name used in thread names ({@code gev-<name>-<i>}), logs and metrics tags; default {@value ClientOptions#DEFAULT_NAME}. */
        public B name(String name) {
            connection.name(name);
            return self();
        }

        /**
         * Loops of the client's own; default 1, which serves thousands of connections; 0 means one
         * per processor. Not used on shared {@link EventLoops}.
         */
        public B loops(int loops) {
            connection.loops(loops);
            return self();
        }

        /** The I/O layer; default {@link Transport#AUTO}. */
        public B transport(Transport transport) {
            connection.transport(transport);
            return self();
        }

        /**
         * Whether the client's own loop threads are daemons; default {@code true}: a client is
         * rarely what keeps a program alive (the JDK's {@code HttpClient} threads are daemons too).
         */
        public B daemonThreads(boolean daemonThreads) {
            connection.daemonThreads(daemonThreads);
            return self();
        }

        /** See {@link ServerOptions.AbstractBuilder#blockedLoopWarning(Duration)}. */
        public B blockedLoopWarning(Duration threshold) {
            connection.blockedLoopWarning(threshold);
            return self();
        }

        /** TCP_NODELAY; default {@code true}. */
        public B tcpNoDelay(boolean tcpNoDelay) {
            connection.tcpNoDelay(tcpNoDelay);
            return self();
        }

        /** SO_KEEPALIVE; default {@code false}. */
        public B keepAlive(boolean keepAlive) {
            connection.keepAlive(keepAlive);
            return self();
        }

        /** SO_SNDBUF in bytes; 0 (default) keeps the system's. */
        public B sendBufferSize(int bytes) {
            connection.sendBufferSize(bytes);
            return self();
        }

        /** SO_RCVBUF in bytes; 0 (default) keeps the system's. */
        public B receiveBufferSize(int bytes) {
            connection.receiveBufferSize(bytes);
            return self();
        }

        /** See {@link ServerOptions.AbstractBuilder#readBufferSize(int)}. */
        public B readBufferSize(int bytes) {
            connection.readBufferSize(bytes);
            return self();
        }

        /** See {@link ServerOptions.AbstractBuilder#readBufferLimit(int)}. */
        public B readBufferLimit(int bytes) {
            connection.readBufferLimit(bytes);
            return self();
        }

        /** See {@link Connection#isWritable()}. */
        public B writeBufferHighWaterMark(int bytes) {
            connection.writeBufferHighWaterMark(bytes);
            return self();
        }

        /** See {@link Connection#isWritable()}. */
        public B writeBufferLowWaterMark(int bytes) {
            connection.writeBufferLowWaterMark(bytes);
            return self();
        }

        /** See {@link ServerOptions.AbstractBuilder#writeBufferLimit(int)}. */
        public B writeBufferLimit(int bytes) {
            connection.writeBufferLimit(bytes);
            return self();
        }

        /** A connection that receives nothing for this long is closed ({@link CloseReason#IDLE}); default never. */
        public B idleTimeout(Duration idleTimeout) {
            connection.idleTimeout(idleTimeout);
            return self();
        }

        /** Grace period of {@link Client#close()}; default 30 s. */
        public B shutdownTimeout(Duration shutdownTimeout) {
            connection.shutdownTimeout(shutdownTimeout);
            return self();
        }

        /** Where the handler's callbacks run; see {@link HandlerExecution}. */
        public B handlerExecution(HandlerExecution handlerExecution) {
            connection.handlerExecution(handlerExecution);
            return self();
        }

        /**
         * Speaks TLS on every connection, as a client ({@link TlsOptions#clientBuilder()});
         * {@code null} (default) for plain TCP.
         *
         * @throws IllegalArgumentException when the options were built for a server
         */
        public B tls(TlsOptions tls) {
            if (tls != null && !tls.isClient()) {
                throw new IllegalArgumentException("tls must be built for a client (TlsOptions.clientBuilder()), "
                        + "not for a server");
            }
            connection.clientTls(tls);
            return self();
        }

        /**
         * Time an attempt has to connect, from the socket's creation to the TCP handshake's end (a
         * TLS handshake has {@link TlsOptions#handshakeTimeout()} after it); default
         * {@link ClientOptions#DEFAULT_CONNECT_TIMEOUT 10 seconds}; {@link Duration#ZERO} for no
         * limit but the system's.
         */
        public B connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Arguments.requireNonNegative(connectTimeout, "connectTimeout");
            return self();
        }

        /** Connects again after a loss (see {@link Reconnect}); {@code null} (default) never does. */
        public B reconnect(Reconnect reconnect) {
            this.reconnect = reconnect;
            return self();
        }

        /**
         * The options set so far, checked against each other.
         *
         * @throws IllegalArgumentException when the water marks and the write limit contradict each other
         */
        final ClientOptions toOptions() {
            return new ClientOptions(this);
        }
    }

    /** Builds {@link ClientOptions}; see {@link AbstractBuilder} for the setters. Not thread-safe. */
    public static final class Builder extends AbstractBuilder<Builder> {

        private Builder() {
        }

        /**
         * Creates the options.
         *
         * @throws IllegalArgumentException when options contradict each other (the message names them)
         */
        public ClientOptions build() {
            return toOptions();
        }
    }
}
