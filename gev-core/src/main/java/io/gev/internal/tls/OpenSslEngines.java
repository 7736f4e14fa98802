package io.gev.internal.tls;

import io.gev.TlsOptions;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import java.security.SecureRandom;

/**
 * OpenSSL's (BoringSSL's) engines for one server, from Netty's reference-counted context: each
 * engine holds native memory until {@link TlsContext#release released}, the context until
 * {@link #release()}. Loaded only when a server may use OpenSSL, so that nothing of tcnative is
 * touched otherwise.
 */
final class OpenSslEngines {

    private final SslContext context;
    private final long rotationNanos;
    private final SecureRandom random;
    /** When the ticket key changes next (System.nanoTime); guarded by this. */
    private long nextRotation;
    private OpenSslSessionTicketKey currentKey;

    private OpenSslEngines(SslContext context, long rotationNanos) {
        this.context = context;
        this.rotationNanos = rotationNanos;
        this.random = rotationNanos > 0 ? new SecureRandom() : null;
        if (rotationNanos > 0) {
            synchronized (this) {
                rotate(System.nanoTime());
            }
        }
    }

    /** Whether tcnative loaded; {@code null} if so, else why not. */
    static Throwable unavailability() {
        if (OpenSsl.isAvailable()) {
            return null;
        }
        Throwable cause = OpenSsl.unavailabilityCause();
        return cause != null ? cause : new IllegalStateException("OpenSSL is not available");
    }

    static String version() {
        return OpenSsl.versionString();
    }

    /** A server's or client's context with {@code options}' key, trust, protocols, ciphers, client auth, ALPN and sessions. */
    static OpenSslEngines create(TlsOptions options) throws SSLException {
        SslContextBuilder builder = options.isClient()
                ? SslContextBuilder.forClient().keyManager(options.keyManagers())
                : SslContextBuilder.forServer(options.keyManagers())
                        .clientAuth(clientAuth(options.clientAuth()))
                        .sessionCacheSize(options.sessionCacheSize())
                        .sessionTimeout(options.sessionTimeout().getSeconds());
        builder.sslProvider(SslProvider.OPENSSL_REFCNT)
                .trustManager(options.trustManagers())
                .protocols(options.protocols());
        if (!options.cipherSuites().isEmpty()) {
            builder.ciphers(options.cipherSuites());
        }
        if (!options.applicationProtocols().isEmpty()) {
            // OpenSSL's server cannot fail a handshake over ALPN: NO_ADVERTISE is the nearest.
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    options.applicationProtocols()));
        }
        return new OpenSslEngines(builder.build(), options.isClient() ? 0 : options.ticketKeyRotation().toNanos());
    }

    private static ClientAuth clientAuth(TlsOptions.ClientAuth clientAuth) {
        switch (clientAuth) {
            case NEED:
                return ClientAuth.REQUIRE;
            case WANT:
                return ClientAuth.OPTIONAL;
            default:
                return ClientAuth.NONE;
        }
    }

    /**
     * A server engine; the caller releases it. Changes the ticket key first when its time has come,
     * so rotation needs no timer of its own: an idle server issues no tickets.
     */
    SSLEngine newEngine() {
        if (rotationNanos > 0) {
            long now = System.nanoTime();
            synchronized (this) {
                if (now - nextRotation >= 0) {
                    rotate(now);
                }
            }
        }
        return context.newEngine(ByteBufAllocator.DEFAULT);
    }

    /** A client engine for a connection to {@code host} at {@code port}; the caller releases it. */
    SSLEngine newEngine(String host, int port) {
        return context.newEngine(ByteBufAllocator.DEFAULT, host, port);
    }

    /** A new key encrypts tickets from now on; the last one still opens those it issued. Holds this. */
    private void rotate(long now) {
        OpenSslSessionTicketKey key = new OpenSslSessionTicketKey(bytes(OpenSslSessionTicketKey.NAME_SIZE),
                bytes(OpenSslSessionTicketKey.HMAC_KEY_SIZE), bytes(OpenSslSessionTicketKey.AES_KEY_SIZE));
        OpenSslSessionContext sessions = (OpenSslSessionContext) context.sessionContext();
        if (currentKey == null) {
            sessions.setTicketKeys(key);
        } else {
            sessions.setTicketKeys(key, currentKey);
        }
        currentKey = key;
        nextRotation = now + rotationNanos;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** Frees the context once its engines are released. */
    void release() {
        ReferenceCountUtil.release(context);
    }
}
