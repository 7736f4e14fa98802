package io.gev.sample;

import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/**
 * Makes the demo's self-signed certificate when the key store that the {@code demo} SSL bundle
 * reads ({@code sample.demo-certificate}) does not exist yet: the JDK's {@code keytool} creates an
 * EC key and a certificate for {@code localhost} and {@code 127.0.0.1}, valid for a year. No
 * private key is shipped with the sample; delete the file for a new one.
 *
 * <p>It runs before the application context, so the SSL bundle finds the file. A real application
 * points its bundle at a certificate of its own and needs nothing of this.
 */
class DemoCertificate implements EnvironmentPostProcessor, Ordered {

    static final String LOCATION = "sample.demo-certificate";
    static final String PASSWORD = "spring.ssl.bundle.jks.demo.keystore.password";

    private final Log log;

    DemoCertificate(DeferredLogFactory logs) {
        this.log = logs.getLog(DemoCertificate.class);
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE; // After application.yml is loaded.
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String location = environment.getProperty(LOCATION);
        String password = environment.getProperty(PASSWORD);
        if (location == null || password == null) {
            return;
        }
        Path store = Path.of(location).toAbsolutePath();
        if (Files.exists(store)) {
            return;
        }
        try {
            generate(store, password);
            this.log.info("Generated the demo's self-signed certificate for localhost in " + store);
        } catch (IOException ex) {
            throw new IllegalStateException("Cannot generate the demo certificate " + store + " with keytool", ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while generating the demo certificate", ex);
        }
    }

    /** Runs keytool into a temporary file and moves it in place, so a concurrent start never sees half of it. */
    static void generate(Path store, String password) throws IOException, InterruptedException {
        Files.createDirectories(store.getParent());
        Path partial = Files.createTempFile(store.getParent(), "demo", ".p12");
        Files.delete(partial); // keytool creates it.
        try {
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "demo", "-keyalg", "EC",
                    "-groupname", "secp256r1", "-dname", "CN=localhost, O=gev sample",
                    "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "365", "-storetype", "PKCS12",
                    "-keystore", partial.toString(), "-storepass", password, "-keypass", password, "-noprompt")
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException("keytool failed: " + output);
            }
            Files.move(partial, store, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
    }
}
