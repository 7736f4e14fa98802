package io.gev.bench.server;

import io.gev.Server;
import io.gev.TlsOptions;

import java.io.IOException;
import java.security.GeneralSecurityException;

/**
 * gev's echo over TLS: {@link GevEchoServer}'s handler with {@link TlsOptions} from the
 * benchmark's key store, the JDK's {@code SSLEngine} and its default protocols and cipher suites.
 */
public final class GevTlsEchoServer extends GevEchoServer {

    @Override
    protected Server.Builder builder() {
        TlsOptions tls;
        try {
            tls = TlsOptions.builder(BenchCertificate.keyStore(), BenchCertificate.password()).build();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the benchmark key store", e);
        }
        return super.builder().name("bench-tls").tls(tls);
    }
}
