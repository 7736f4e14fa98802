package io.gev.sample;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;

/** Trust in the demo's self-signed certificate, for the tests that talk TLS to the sample. */
final class DemoTrust {

    private DemoTrust() {
    }

    /**
     * A client context that trusts the demo's self-signed certificate, as a user of the demo
     * would: the entry "demo" of the PKCS12 store {@code certificate}, opened with {@code password}.
     */
    static SSLContext context(Path certificate, String password) throws Exception {
        KeyStore demo = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(certificate)) {
            demo.load(in, password.toCharArray());
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("demo", demo.getCertificate("demo"));
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers.getTrustManagers(), null);
        return context;
    }
}
