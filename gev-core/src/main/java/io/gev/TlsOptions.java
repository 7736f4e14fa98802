package io.gev;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * TLS settings of a {@link Server}: with them every connection of the server runs TLS (an
 * {@link javax.net.ssl.SSLEngine}, the JDK's or OpenSSL's, see {@link Provider}) between the
 * socket and the server's protocol, so raw TCP, every built-in protocol and WebSocket
 * ({@code wss://}) work unchanged over it. Immutable.
 *
 * <pre>{@code
 * Server server = Server.builder(handler)
 *         .port(1853)
 *         .tls(TlsOptions.builder(sslContext)                 // or builder(keyStore, password)
 *                 .clientAuth(TlsOptions.ClientAuth.NEED)      // mTLS
 *                 .applicationProtocols("my-protocol/1")       // ALPN
 *                 .build())
 *         .build();
 * }</pre>
 *
 * <p>Handlers see a TLS connection once its handshake is complete: {@link Handler#onConnect} is
 * called then, with {@link Connection#tls()} describing the session (protocol, cipher suite, ALPN
 * protocol, SNI host name, peer certificates). A connection whose handshake fails or times out,
 * that sends bytes that are not TLS, or that asks for a renegotiation is closed with a log line
 * saying why, counted as {@link CloseReason#TLS_ERROR}; its handler hears nothing of it.
 * {@link Connection#close()} and {@link Connection#shutdownWrite()} send {@code close_notify}; a
 * {@code close_notify} from the peer is its end of stream. Byte counters and the write buffer
 * count application bytes; a send's callback runs once its bytes are encrypted and handed on.
 *
 * <p>Sessions are resumable by default (TLS 1.3 tickets, TLS 1.2 session ids and tickets): a
 * client that comes back within {@link #sessionTimeout()} skips the certificate exchange. The
 * server keeps at most {@link #sessionCacheSize()} sessions.
 *
 * <p>A {@link Client}'s options come from {@link #clientBuilder()} and its overloads: the issuers
 * it trusts, a certificate for servers that ask for one, {@link Builder#hostnameVerification
 * host name verification} (on by default) and the ALPN protocols it offers. It sends the host
 * name it connects to by SNI. Client and server options are not interchangeable: each side
 * refuses the other's.
 */
public final class TlsOptions {

    /** Protocol versions enabled when none are set, those of them the context supports. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** Time a client has to complete the handshake when none is set. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** Sessions the server keeps for resumption when no size is set (the JDK's own default). */
    public static final int DEFAULT_SESSION_CACHE_SIZE = 20_480;
    /** How long a session stays resumable when no timeout is set. */
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofHours(1);

    /**
     * Which {@link javax.net.ssl.SSLEngine} runs the server's TLS. Both speak the same protocols,
     * cipher suites, client authentication, SNI and timeouts; OpenSSL's costs about half the CPU
     * and allocates nothing per record.
     */
    public enum Provider {
        /** The JDK's engine, always there. */
        JDK,
        /**
         * OpenSSL's (BoringSSL's) engine, from Netty: it needs {@code netty-tcnative-boringssl-static}
         * on the class path and the key material as a {@link KeyManagerFactory} (every builder but
         * {@link TlsOptions#builder(SSLContext)} keeps it); the server does not start otherwise.
         */
        OPENSSL,
        /** OpenSSL's engine where it can be used, else the JDK's; the server logs which it chose. */
        AUTO
    }

    /**
     * Whether the server asks clients for a certificate; named as the JDK's
     * {@link javax.net.ssl.SSLEngine#setWantClientAuth want} and
     * {@link javax.net.ssl.SSLEngine#setNeedClientAuth need} client authentication are, and as
     * Spring Boot's {@code server.ssl.client-auth} values.
     */
    public enum ClientAuth {
        /** Clients are not asked for a certificate. */
        NONE,
        /** Clients are asked; one that sends none is accepted, one that sends an untrusted one is not. */
        WANT,
        /** Clients must send a certificate the server trusts (mutual TLS). */
        NEED
    }

    private final SSLContext sslContext;
    private final List<String> protocols;
    private final List<String> cipherSuites;
    private final ClientAuth clientAuth;
    private final List<String> applicationProtocols;
    private final Duration handshakeTimeout;
    private final Provider provider;
    private final KeyManagerFactory keyManagers;
    private final TrustManagerFactory trustManagers;
    private final int sessionCacheSize;
    private final Duration sessionTimeout;
    private final Duration ticketKeyRotation;
    private final boolean client;
    private final boolean hostnameVerification;
    /** Made from key and trust managers, which OpenSSL's engine takes, rather than an {@link SSLContext}. */
    private final boolean fromFactories;

    private TlsOptions(Builder builder) {
        this.client = builder.client;
        this.fromFactories = builder.fromFactories;
        this.hostnameVerification = builder.hostnameVerification;
        this.sslContext = builder.sslContext;
        this.protocols = builder.protocols;
        this.cipherSuites = builder.cipherSuites;
        this.clientAuth = builder.clientAuth;
        this.applicationProtocols = builder.applicationProtocols;
        this.handshakeTimeout = builder.handshakeTimeout;
        this.provider = builder.provider;
        this.keyManagers = builder.keyManagers;
        this.trustManagers = builder.trustManagers;
        this.sessionCacheSize = builder.sessionCacheSize;
        this.sessionTimeout = builder.sessionTimeout;
        this.ticketKeyRotation = builder.ticketKeyRotation;
    }

    /** Options for a server whose key, certificates and trusted issuers {@code sslContext} holds. */
    public static Builder builder(SSLContext sslContext) {
        return new Builder(false, Objects.requireNonNull(sslContext, "sslContext"), null, null, false);
    }

    /**
     * Options for a {@link Client} that trusts the JDK's default issuers and has no certificate of
     * its own. Host names are verified: a server whose certificate does not name the host
     * connected to fails the handshake.
     */
    public static Builder clientBuilder() {
        return clientBuilder(null, null);
    }

    /**
     * Options for a {@link Client} that trusts the issuers in {@code trustStore} ({@code null}: the
     * JDK's defaults).
     *
     * @throws IllegalArgumentException when the store cannot be used
     */
    public static Builder clientBuilder(KeyStore trustStore) {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStore);
            return clientBuilder(null, trust);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the trust store cannot be used for TLS: " + e.getMessage(), e);
        }
    }

    /**
     * Options for a {@link Client} that shows the certificate in {@code keyManagers} when a server
     * asks for one (mutual TLS; {@code null}: none) and trusts the issuers {@code trustManagers}
     * trusts ({@code null}: the JDK's defaults). Both engines can use these; the factories must
     * be initialised.
     *
     * @throws IllegalArgumentException when the factories cannot make an {@link SSLContext}
     */
    public static Builder clientBuilder(KeyManagerFactory keyManagers, TrustManagerFactory trustManagers) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers == null ? null : keyManagers.getKeyManagers(),
                    trustManagers == null ? null : trustManagers.getTrustManagers(), null);
            return new Builder(true, context, keyManagers, trustManagers, true);
        } catch (GeneralSecurityException | IllegalStateException e) {
            throw new IllegalArgumentException("the key or trust managers cannot be used for TLS: " + e.getMessage(), e);
        }
    }

    /** Options for a {@link Client} whose trusted issuers (and certificate, if any) {@code sslContext} holds; the JDK's engine only. */
    public static Builder clientBuilder(SSLContext sslContext) {
        return new Builder(true, Objects.requireNonNull(sslContext, "sslContext"), null, null, false);
    }

    /**
     * Options for a server whose key and certificate chain {@code keyManagers} holds and which
     * trusts the client certificates {@code trustManagers} trusts ({@code null}: the JDK's default
     * issuers). Both engines can use these; the factories must be initialised.
     *
     * @throws IllegalArgumentException when the factories cannot make an {@link SSLContext}
     */
    public static Builder builder(KeyManagerFactory keyManagers, TrustManagerFactory trustManagers) {
        Objects.requireNonNull(keyManagers, "keyManagers");
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trustManagers == null ? null : trustManagers.getTrustManagers(),
                    null);
            return new Builder(false, context, keyManagers, trustManagers, true);
        } catch (GeneralSecurityException | IllegalStateException e) {
            throw new IllegalArgumentException("the key managers cannot be used for TLS: " + e.getMessage(), e);
        }
    }

    /**
     * Options for a server whose private key and certificate chain are in {@code keyStore},
     * trusting the JDK's default issuers for client certificates.
     *
     * @throws IllegalArgumentException when the key store cannot be used (wrong password, no key)
     */
    public static Builder builder(KeyStore keyStore, char[] keyPassword) {
        return builder(keyStore, keyPassword, null);
    }

    /**
     * Options for a server whose private key and certificate chain are in {@code keyStore} and
     * which trusts the client certificates issued by those in {@code trustStore} ({@code null}: the
     * JDK's default issuers).
     *
     * @throws IllegalArgumentException when a store cannot be used (wrong password, no key)
     */
    public static Builder builder(KeyStore keyStore, char[] keyPassword, KeyStore trustStore) {
        Objects.requireNonNull(keyStore, "keyStore");
        Objects.requireNonNull(keyPassword, "keyPassword");
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore, keyPassword);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStore);
            return builder(keys, trust);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the key store cannot be used for TLS: " + e.getMessage(), e);
        }
    }

    /** The JDK's context, which the JDK's engine uses. */
    public SSLContext sslContext() {
        return sslContext;
    }

    /** The enabled protocol versions, in order of preference. */
    public List<String> protocols() {
        return protocols;
    }

    /** The enabled cipher suites; empty for the context's defaults. */
    public List<String> cipherSuites() {
        return cipherSuites;
    }

    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /** The ALPN protocols the server speaks, in order of preference; empty when it offers none. */
    public List<String> applicationProtocols() {
        return applicationProtocols;
    }

    /** Time a client has to complete the handshake; {@link Duration#ZERO} for no limit. */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /** The engine asked for; {@link Provider#AUTO} is settled when the server starts. */
    public Provider provider() {
        return provider;
    }

    /**
     * The key material for OpenSSL's engine, or {@code null} for options made from an
     * {@link SSLContext}, which only the JDK's engine can use.
     */
    public KeyManagerFactory keyManagers() {
        return keyManagers;
    }

    /** The issuers trusted for client certificates; {@code null} for the JDK's defaults or an {@link SSLContext}'s. */
    public TrustManagerFactory trustManagers() {
        return trustManagers;
    }

    /**
     * Most sessions the server keeps for resumption. On the JDK's engine this and
     * {@link #sessionTimeout()} are set on the context's server session context when the server
     * starts, so servers sharing one {@link SSLContext} share them too.
     */
    public int sessionCacheSize() {
        return sessionCacheSize;
    }

    /** How long a session stays resumable (its cache entry and its tickets). */
    public Duration sessionTimeout() {
        return sessionTimeout;
    }

    /**
     * How often OpenSSL's engine changes the key that encrypts session tickets (the previous key
     * still opens tickets for one more period); {@link Duration#ZERO} leaves it to BoringSSL,
     * which rotates its own keys every two days. The JDK's engine rotates its ticket keys itself
     * ({@code jdk.tls.server.statelessKeyTimeout}) and ignores this.
     */
    public Duration ticketKeyRotation() {
        return ticketKeyRotation;
    }

    /** Whether these are a {@link Client}'s options ({@link #clientBuilder()}), not a server's. */
    public boolean isClient() {
        return client;
    }

    /**
     * On a client, whether the server's certificate must name the host connected to (HTTPS
     * endpoint identification); {@code true} unless turned off. Servers ignore it.
     */
    public boolean hostnameVerification() {
        return hostnameVerification;
    }

    /**
     * Whether OpenSSL's engine can use these options: made from key and trust managers (a
     * server's with its key), not from an {@link SSLContext}, which hides them.
     */
    public boolean openSslCapable() {
        return fromFactories && (client || keyManagers != null);
    }

    /** A builder holding these options, to change some of them. */
    public Builder toBuilder() {
        Builder builder = new Builder(client, sslContext, keyManagers, trustManagers, fromFactories);
        builder.hostnameVerification = hostnameVerification;
        builder.protocols = protocols;
        builder.cipherSuites = cipherSuites;
        builder.clientAuth = clientAuth;
        builder.applicationProtocols = applicationProtocols;
        builder.handshakeTimeout = handshakeTimeout;
        builder.provider = provider;
        builder.sessionCacheSize = sessionCacheSize;
        builder.sessionTimeout = sessionTimeout;
        builder.ticketKeyRotation = ticketKeyRotation;
        return builder;
    }

    /**
     * The engine parameters these options stand for: the context's defaults with the protocols,
     * cipher suites, client authentication and ALPN protocols set here.
     */
    public SSLParameters sslParameters() {
        SSLParameters parameters = sslContext.getDefaultSSLParameters();
        parameters.setProtocols(protocols.toArray(new String[0]));
        if (!cipherSuites.isEmpty()) {
            parameters.setCipherSuites(cipherSuites.toArray(new String[0]));
        }
        if (client) {
            if (hostnameVerification) {
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
            }
        } else if (clientAuth == ClientAuth.NEED) {
            parameters.setNeedClientAuth(true);
        } else if (clientAuth == ClientAuth.WANT) {
            parameters.setWantClientAuth(true);
        }
        if (!applicationProtocols.isEmpty()) {
            parameters.setApplicationProtocols(applicationProtocols.toArray(new String[0]));
        }
        return parameters;
    }

    @Override
    public String toString() {
        return "TlsOptions[" + (client ? "client, hostnameVerification=" + hostnameVerification + ", " : "")
                + "protocols=" + protocols + ", cipherSuites=" + (cipherSuites.isEmpty() ? "default" : cipherSuites)
                + ", clientAuth=" + clientAuth + ", applicationProtocols=" + applicationProtocols
                + ", handshakeTimeout=" + handshakeTimeout + ", provider=" + provider + ", sessionCacheSize="
                + sessionCacheSize + ", sessionTimeout=" + sessionTimeout + ", ticketKeyRotation=" + ticketKeyRotation
                + "]";
    }

    /** Builds {@link TlsOptions}; each setter checks its argument. Not thread-safe. */
    public static final class Builder {

        private final SSLContext sslContext;
        private List<String> protocols;
        private List<String> cipherSuites = List.of();
        private ClientAuth clientAuth = ClientAuth.NONE;
        private List<String> applicationProtocols = List.of();
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private Provider provider = Provider.AUTO;
        private final KeyManagerFactory keyManagers;
        private final TrustManagerFactory trustManagers;
        private int sessionCacheSize = DEFAULT_SESSION_CACHE_SIZE;
        private Duration sessionTimeout = DEFAULT_SESSION_TIMEOUT;
        private Duration ticketKeyRotation = Duration.ZERO;

        private final boolean client;
        private final boolean fromFactories;
        private boolean hostnameVerification = true;

        private Builder(boolean client, SSLContext sslContext, KeyManagerFactory keyManagers,
                TrustManagerFactory trustManagers, boolean fromFactories) {
            this.client = client;
            this.fromFactories = fromFactories;
            this.sslContext = sslContext;
            this.keyManagers = keyManagers;
            this.trustManagers = trustManagers;
        }

        /**
         * The engine: default {@link Provider#AUTO}, OpenSSL's where it loads.
         *
         * @return this builder
         * @throws IllegalArgumentException for {@link Provider#OPENSSL} on options made from an
         *         {@link SSLContext}, which hides the key OpenSSL needs
         */
        public Builder provider(Provider provider) {
            Objects.requireNonNull(provider, "provider");
            if (provider == Provider.OPENSSL && !fromFactories) {
                throw new IllegalArgumentException(client
                        ? "provider OPENSSL needs the trust material: make the options with clientBuilder(), "
                                + "clientBuilder(KeyStore) or clientBuilder(KeyManagerFactory, TrustManagerFactory), "
                                + "not from an SSLContext"
                        : "provider OPENSSL needs the key material: make the options with "
                                + "builder(KeyManagerFactory, TrustManagerFactory) or builder(KeyStore, ...), not from an "
                                + "SSLContext");
            }
            this.provider = provider;
            return this;
        }

        /**
         * Most sessions kept for resumption; the oldest go first. Default
         * {@link #DEFAULT_SESSION_CACHE_SIZE}.
         *
         * @return this builder
         * @throws IllegalArgumentException if the size is below 1
         */
        public Builder sessionCacheSize(int sessionCacheSize) {
            if (sessionCacheSize < 1) {
                throw new IllegalArgumentException("sessionCacheSize must be at least 1: " + sessionCacheSize);
            }
            this.sessionCacheSize = sessionCacheSize;
            return this;
        }

        /**
         * How long a session stays resumable, in whole seconds. Default
         * {@link #DEFAULT_SESSION_TIMEOUT}.
         *
         * @return this builder
         * @throws IllegalArgumentException if it is under a second or over {@link Integer#MAX_VALUE} seconds
         */
        public Builder sessionTimeout(Duration sessionTimeout) {
            Objects.requireNonNull(sessionTimeout, "sessionTimeout");
            if (sessionTimeout.getSeconds() < 1 || sessionTimeout.getSeconds() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("sessionTimeout must be from 1 s to " + Integer.MAX_VALUE + " s: "
                        + sessionTimeout);
            }
            this.sessionTimeout = sessionTimeout;
            return this;
        }

        /**
         * How often OpenSSL's engine changes its session ticket key; {@link Duration#ZERO}
         * (the default) leaves it to BoringSSL. See {@link TlsOptions#ticketKeyRotation()}.
         *
         * @return this builder
         * @throws IllegalArgumentException if it is negative or, when set, under a second
         */
        public Builder ticketKeyRotation(Duration ticketKeyRotation) {
            Objects.requireNonNull(ticketKeyRotation, "ticketKeyRotation");
            if (ticketKeyRotation.isNegative() || (!ticketKeyRotation.isZero() && ticketKeyRotation.getSeconds() < 1)) {
                throw new IllegalArgumentException("ticketKeyRotation must be 0 or at least 1 s: " + ticketKeyRotation);
            }
            this.ticketKeyRotation = ticketKeyRotation;
            return this;
        }

        /**
         * Protocol versions to enable, such as {@code TLSv1.3}; default {@link #DEFAULT_PROTOCOLS}
         * (those of them the context supports).
         *
         * @return this builder
         * @throws IllegalArgumentException if none are given or the context does not support one
         */
        public Builder protocols(String... protocols) {
            this.protocols = supported(protocols, sslContext.getSupportedSSLParameters().getProtocols(), "protocol");
            return this;
        }

        /**
         * Cipher suites to enable, such as {@code TLS_AES_128_GCM_SHA256}; default the context's.
         *
         * @return this builder
         * @throws IllegalArgumentException if none are given or the context does not support one
         */
        public Builder cipherSuites(String... cipherSuites) {
            this.cipherSuites = supported(cipherSuites, sslContext.getSupportedSSLParameters().getCipherSuites(),
                    "cipher suite");
            return this;
        }

        /**
         * On a client, whether the server's certificate must name the host connected to; default
         * {@code true}. Turn it off only for a peer known by other means (a test, a pinned
         * certificate): without it, anyone with a certificate from a trusted issuer can pose as
         * the server.
         *
         * @return this builder
         */
        public Builder hostnameVerification(boolean hostnameVerification) {
            this.hostnameVerification = hostnameVerification;
            return this;
        }

        /**
         * Whether clients are asked for a certificate; default {@link ClientAuth#NONE}.
         *
         * @return this builder
         */
        public Builder clientAuth(ClientAuth clientAuth) {
            this.clientAuth = Objects.requireNonNull(clientAuth, "clientAuth");
            return this;
        }

        /**
         * ALPN protocols the server speaks, in order of preference: the first the client also
         * offers is chosen and shown by {@link TlsInfo#applicationProtocol()}. A client that offers
         * only others fails the handshake on the JDK's engine; OpenSSL's cannot refuse it there, and
         * connects it with no protocol ({@code applicationProtocol()} is {@code null}), which a
         * handler that needs one should close. Default none (ALPN offers are ignored).
         *
         * @return this builder
         * @throws IllegalArgumentException if a protocol is blank
         */
        public Builder applicationProtocols(String... applicationProtocols) {
            Objects.requireNonNull(applicationProtocols, "applicationProtocols");
            for (String protocol : applicationProtocols) {
                if (protocol == null || protocol.isBlank()) {
                    throw new IllegalArgumentException("applicationProtocols must not be blank: "
                            + Arrays.toString(applicationProtocols));
                }
            }
            this.applicationProtocols = List.of(applicationProtocols);
            return this;
        }

        /**
         * Time a client has to complete the handshake after connecting, after which the connection
         * is closed; {@link Duration#ZERO} for no limit. Default {@link #DEFAULT_HANDSHAKE_TIMEOUT}.
         *
         * @return this builder
         * @throws IllegalArgumentException if the duration is negative
         */
        public Builder handshakeTimeout(Duration handshakeTimeout) {
            Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
            if (handshakeTimeout.isNegative()) {
                throw new IllegalArgumentException("handshakeTimeout must not be negative: " + handshakeTimeout);
            }
            this.handshakeTimeout = handshakeTimeout;
            return this;
        }

        /**
         * Creates the options.
         *
         * @throws IllegalArgumentException if the context supports none of the default protocols
         */
        public TlsOptions build() {
            if (protocols == null) {
                List<String> supported = List.of(sslContext.getSupportedSSLParameters().getProtocols());
                List<String> defaults = new ArrayList<>(DEFAULT_PROTOCOLS);
                defaults.retainAll(supported);
                if (defaults.isEmpty()) {
                    throw new IllegalArgumentException("the SSLContext supports none of " + DEFAULT_PROTOCOLS
                            + " (it supports " + supported + "); set protocols explicitly");
                }
                protocols = List.copyOf(defaults);
            }
            return new TlsOptions(this);
        }

        private static List<String> supported(String[] values, String[] supported, String what) {
            Objects.requireNonNull(values, what);
            if (values.length == 0) {
                throw new IllegalArgumentException("at least one " + what + " is needed");
            }
            List<String> known = Arrays.asList(supported);
            for (String value : values) {
                if (!known.contains(value)) {
                    throw new IllegalArgumentException("unsupported " + what + " '" + value + "'; the SSLContext supports "
                            + known);
                }
            }
            return List.of(values);
        }
    }
}
