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
 * TLS settings of a {@link Server}: with them every connection of the server runs TLS (the JDK's
 * {@link javax.net.ssl.SSLEngine}) between the socket and the server's protocol, so raw TCP, every
 * built-in protocol and WebSocket ({@code wss://}) work unchanged over it. Immutable.
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
 */
public final class TlsOptions {

    /** Protocol versions enabled when none are set, those of them the context supports. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** Time a client has to complete the handshake when none is set. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

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

    private TlsOptions(Builder builder) {
        this.sslContext = builder.sslContext;
        this.protocols = builder.protocols;
        this.cipherSuites = builder.cipherSuites;
        this.clientAuth = builder.clientAuth;
        this.applicationProtocols = builder.applicationProtocols;
        this.handshakeTimeout = builder.handshakeTimeout;
    }

    /** Options for a server whose key, certificates and trusted issuers {@code sslContext} holds. */
    public static Builder builder(SSLContext sslContext) {
        return new Builder(Objects.requireNonNull(sslContext, "sslContext"));
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
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
            return builder(context);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the key store cannot be used for TLS: " + e.getMessage(), e);
        }
    }

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
        if (clientAuth == ClientAuth.NEED) {
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
        return "TlsOptions[protocols=" + protocols + ", cipherSuites=" + (cipherSuites.isEmpty() ? "default" : cipherSuites)
                + ", clientAuth=" + clientAuth + ", applicationProtocols=" + applicationProtocols
                + ", handshakeTimeout=" + handshakeTimeout + "]";
    }

    /** Builds {@link TlsOptions}; each setter checks its argument. Not thread-safe. */
    public static final class Builder {

        private final SSLContext sslContext;
        private List<String> protocols;
        private List<String> cipherSuites = List.of();
        private ClientAuth clientAuth = ClientAuth.NONE;
        private List<String> applicationProtocols = List.of();
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;

        private Builder(SSLContext sslContext) {
            this.sslContext = sslContext;
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
         * offers is chosen and shown by {@link TlsInfo#applicationProtocol()}; a client that offers
         * only others fails the handshake. Default none (ALPN offers are ignored).
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
