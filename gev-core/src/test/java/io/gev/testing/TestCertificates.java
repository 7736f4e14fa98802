package io.gev.testing;

import io.gev.TlsOptions;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.net.Socket;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates for TLS tests, made once per JVM by the JDK's {@code keytool} in a
 * temporary directory (no network, no dependency): the server's (CN=localhost, SAN
 * {@code DNS:localhost, IP:127.0.0.1}), a client's the server trusts, and a stranger's it does not.
 */
public final class TestCertificates {

    public static final String PASSWORD = "changeit";
    /** The system property naming the engine of {@link #serverOptions()}. */
    public static final String PROVIDER_PROPERTY = "gev.test.tls.provider";

    private static TestCertificates instance;

    private final Path directory;
    private final KeyStore server;
    private final KeyStore client;
    private final KeyStore stranger;

    private TestCertificates(Path directory) throws Exception {
        this.directory = directory;
        List<Process> keytools = new ArrayList<>();
        for (String alias : new String[] {"server", "client", "stranger"}) {
            keytools.add(keytool(directory, alias));
        }
        for (int i = 0; i < keytools.size(); i++) {
            Process keytool = keytools.get(i);
            if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
                keytool.destroyForcibly();
                throw new IllegalStateException("keytool failed: "
                        + new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        this.server = load(keyStore("server"));
        this.client = load(keyStore("client"));
        this.stranger = load(keyStore("stranger"));
        Files.writeString(serverCertificatePem(), pem(certificate(server, "server")), StandardCharsets.US_ASCII);
        serverCertificatePem().toFile().deleteOnExit();
        Files.writeString(clientCertificatePem(), pem(certificate(client, "client")), StandardCharsets.US_ASCII);
        clientCertificatePem().toFile().deleteOnExit();
        Files.writeString(serverKeyPem(), keyPem(server, "server"), StandardCharsets.US_ASCII);
        serverKeyPem().toFile().deleteOnExit();
    }

    /** The certificates of this JVM, made on first use. */
    public static synchronized TestCertificates get() {
        if (instance == null) {
            try {
                Path directory = Files.createTempDirectory("gev-tls-test");
                directory.toFile().deleteOnExit();
                instance = new TestCertificates(directory);
            } catch (Exception e) {
                throw new IllegalStateException("cannot make test certificates with keytool", e);
            }
        }
        return instance;
    }

    /** Runs {@code keytool -genkeypair}: an EC key and a self-signed certificate valid for a month. */
    private static Process keytool(Path directory, String alias) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Path store = directory.resolve(alias + ".p12");
        store.toFile().deleteOnExit();
        return new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", alias, "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=" + (alias.equals("server") ? "localhost" : alias),
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "30", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD, "-noprompt")
                .redirectErrorStream(true)
                .start();
    }

    private static KeyStore load(Path path) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(path)) {
            store.load(in, PASSWORD.toCharArray());
        }
        return store;
    }

    private static X509Certificate certificate(KeyStore store, String alias) throws GeneralSecurityException {
        return (X509Certificate) store.getCertificate(alias);
    }

    private static String pem(X509Certificate certificate) throws GeneralSecurityException {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    private static String keyPem(KeyStore store, String alias) throws GeneralSecurityException {
        // PKCS#8, which openssl reads as "PRIVATE KEY".
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(
                        store.getKey(alias, PASSWORD.toCharArray()).getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** A trust store holding the certificates of {@code aliases}. */
    private KeyStore trusting(String... aliases) throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (String alias : aliases) {
            trust.setCertificateEntry(alias, certificate(load(keyStore(alias)), alias));
        }
        return trust;
    }

    /** The PKCS12 key store of {@code alias} ({@code server}, {@code client} or {@code stranger}). */
    public Path keyStore(String alias) {
        return directory.resolve(alias + ".p12");
    }

    /** The server's certificate in PEM, for {@code openssl s_client -CAfile}. */
    public Path serverCertificatePem() {
        return directory.resolve("server.pem");
    }

    /** The client's certificate in PEM, for {@code openssl s_server -CAfile}. */
    public Path clientCertificatePem() {
        return directory.resolve("client.pem");
    }

    /** The server's private key in PEM, for {@code openssl s_server -key}. */
    public Path serverKeyPem() {
        return directory.resolve("server-key.pem");
    }

    /**
     * Options for a gev client that trusts {@code trusted} ({@code server} or {@code stranger})
     * and, with {@code withCertificate}, shows the client's certificate, on {@code provider}.
     */
    public TlsOptions.Builder clientOptions(String trusted, boolean withCertificate, TlsOptions.Provider provider) {
        try {
            KeyManagerFactory keys = null;
            if (withCertificate) {
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(client, PASSWORD.toCharArray());
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusting(trusted));
            return TlsOptions.clientBuilder(keys, trust).provider(provider);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public X509Certificate clientCertificate() throws GeneralSecurityException {
        return certificate(client, "client");
    }

    /**
     * Options for a server with the server's key that trusts the client's certificate, on the
     * engine the system property {@value #PROVIDER_PROPERTY} names: AUTO (OpenSSL's, which the
     * tests have) unless the build's second run of the TLS tests asks for the JDK's.
     */
    public TlsOptions.Builder serverOptions() {
        try {
            return TlsOptions.builder(server, PASSWORD.toCharArray(), trusting("client"))
                    .provider(TlsOptions.Provider.valueOf(System.getProperty(PROVIDER_PROPERTY, "AUTO")));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client context that trusts the server and has no certificate of its own. */
    public SSLContext clientContext() {
        return context(null);
    }

    /** A socket to 127.0.0.1:{@code port} that trusts the test certificate, its handshake done. */
    public SSLSocket connect(int port) throws IOException {
        SSLSocket socket = (SSLSocket) clientContext().getSocketFactory().createSocket("127.0.0.1", port);
        socket.startHandshake();
        return socket;
    }

    /** A client context that trusts the server and presents the client's certificate. */
    public SSLContext clientContextWithCertificate() {
        return context(client);
    }

    /**
     * A client context that trusts the server and presents a certificate the server does not
     * trust, even though the server's list of accepted issuers does not name its issuer (the JDK's
     * own key manager would send no certificate then).
     */
    public SSLContext strangerContext() {
        return context(stranger);
    }

    private SSLContext context(KeyStore keys) {
        try {
            KeyManager[] keyManagers = null;
            if (keys != null) {
                KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                factory.init(keys, PASSWORD.toCharArray());
                String alias = keys.aliases().nextElement();
                keyManagers = new KeyManager[] {new FixedAlias((X509ExtendedKeyManager) factory.getKeyManagers()[0], alias)};
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusting("server"));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Presents its one key to any server, whichever issuers the server accepts. */
    private static final class FixedAlias extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager keys;
        private final String alias;

        FixedAlias(X509ExtendedKeyManager keys, String alias) {
            this.keys = keys;
            this.alias = alias;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return alias;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return alias;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {alias};
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return keys.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keys.getPrivateKey(alias);
        }
    }
}
