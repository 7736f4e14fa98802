package io.gev.bench.server;

import javax.net.ssl.KeyManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;

/**
 * The key and self-signed certificate of the TLS benchmark servers: an EC P-256 key for
 * {@code localhost} and {@code 127.0.0.1} made by the JDK's {@code keytool}, so no private key
 * is kept in the repository and nothing beyond the JDK is needed.
 *
 * <p>Both servers of a run must present the same certificate: {@code run.sh} makes one key store
 * per run ({@code java -cp gev-benchmarks.jar io.gev.bench.server.BenchCertificate FILE}) and hands
 * it to every server as the system property {@value #PROPERTY}. Without the property a server (or
 * a test) makes its own in a temporary file, once per JVM.
 */
public final class BenchCertificate {

    /** System property naming the PKCS12 key store to use. */
    public static final String PROPERTY = "gev.bench.keystore";
    /** Password of the key store and of its key: a throwaway key for loopback benchmarks. */
    static final char[] PASSWORD = "gev-bench".toCharArray();
    static final String ALIAS = "bench";

    private static KeyStore keyStore;

    private BenchCertificate() {
    }

    /** The key store: the file of {@value #PROPERTY}, or one made for this JVM. */
    public static synchronized KeyStore keyStore() throws IOException, GeneralSecurityException {
        if (keyStore == null) {
            String file = System.getProperty(PROPERTY);
            Path path;
            if (file != null) {
                path = Path.of(file);
            } else {
                Path dir = Files.createTempDirectory("gev-bench-tls");
                path = dir.resolve("bench.p12");
                generate(path);
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(path)) {
                store.load(in, PASSWORD);
            }
            if (file == null) {
                Files.delete(path);
                Files.delete(path.getParent());
            }
            keyStore = store;
        }
        return keyStore;
    }

    /** The password of {@link #keyStore()}'s key. */
    public static char[] password() {
        return PASSWORD.clone();
    }

    /** Key managers serving the benchmark key, for servers built on an {@code SSLContext}. */
    public static KeyManagerFactory keyManagers() throws IOException, GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore(), PASSWORD);
        return kmf;
    }

    /** Makes a new key store at {@code store} with keytool; the file appears complete or not at all. */
    public static void generate(Path store) throws IOException {
        Path dir = store.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path partial = Files.createTempFile(dir, "bench", ".p12");
        Files.delete(partial); // keytool creates it.
        try {
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", ALIAS, "-keyalg", "EC",
                    "-groupname", "secp256r1", "-dname", "CN=localhost, O=gev benchmarks",
                    "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "30", "-storetype", "PKCS12",
                    "-keystore", partial.toString(), "-storepass", new String(PASSWORD),
                    "-keypass", new String(PASSWORD), "-noprompt")
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException("keytool failed: " + output);
            }
            Files.move(partial, store, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool ran", e);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** Makes the key store named by the only argument. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: BenchCertificate FILE.p12");
            System.exit(2);
        }
        generate(Path.of(args[0]));
    }
}
