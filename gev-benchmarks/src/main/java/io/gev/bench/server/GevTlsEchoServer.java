package io.gev.bench.server;

import io.gev.Server;
import io.gev.TlsOptions;

import java.io.IOException;
import java.security.GeneralSecurityException;

/**
 * gev's echo over TLS: {@link GevEchoServer}'s handler with {@link TlsOptions} from the
 * benchmark's key store, gev's default protocols and the engine's default cipher suites, on the
 * JDK's {@code SSLEngine} ({@code gev-tls}) or OpenSSL's ({@code gev-tls-openssl}).
 */
public final class GevTlsEchoServer extends GevEchoServer {

    private final TlsOptions.Provider provider;

    public GevTlsEchoServer(TlsOptions.Provider provider) {
        this.provider = provider;
    }

    @Override
    protected Server.Builder builder() {
        TlsOptions tls;
        try {
            tls = TlsOptions.builder(BenchCertificate.keyStore(), BenchCertificate.password()).provider(provider).build();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the benchmark key store", e);
        }
        return super.builder().name("bench-tls").tls(tls);
    }
}
