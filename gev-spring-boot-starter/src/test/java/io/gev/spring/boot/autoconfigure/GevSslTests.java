package io.gev.spring.boot.autoconfigure;

import io.gev.TlsOptions;
import io.gev.spring.boot.autoconfigure.GevAutoConfigurationTests.EchoConfiguration;
import io.gev.spring.boot.autoconfigure.GevAutoConfigurationTests.TwoHandlersConfiguration;
import io.gev.spring.boot.autoconfigure.GevAutoConfigurationTests.WebSocketEchoConfiguration;
import io.gev.spring.boot.context.GevServers;
import io.gev.spring.boot.testing.Clients;
import io.gev.testing.TestCertificates;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Servers over TLS from Spring Boot's SSL bundles ({@code spring.ssl.bundle.*}); the handler
 * configurations are those of {@link GevAutoConfigurationTests}.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(value = TlsOptions.Provider.class, names = {"JDK", "OPENSSL"})
class GevSslTests {

    @TempDir
    static Path directory;

    private static TestCertificates certificates;
    private static String serverKeyStore;
    private static String clientTrustStore;
    private static String serverCertificatePem;
    private static String serverKeyPem;

    private final TlsOptions.Provider provider;
    private final ApplicationContextRunner runner;

    /** Every test runs on both engines, chosen by the provider properties. */
    GevSslTests(TlsOptions.Provider provider) {
        this.provider = provider;
        this.runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(GevAutoConfiguration.class, SslAutoConfiguration.class))
                .withPropertyValues("gev.server.port=0", "gev.server.loops=1", "gev.server.address=127.0.0.1",
                        "gev.websocket.port=0", "gev.websocket.address=127.0.0.1",
                        "gev.server.ssl.provider=" + provider, "gev.websocket.ssl.provider=" + provider,
                        "spring.ssl.bundle.jks.server.keystore.location=" + serverKeyStore,
                        "spring.ssl.bundle.jks.server.keystore.password=" + TestCertificates.PASSWORD,
                        "spring.ssl.bundle.jks.server.keystore.type=PKCS12");
    }

    /** The server's key and certificate as PEM files, and a trust store with the client's certificate. */
    @BeforeAll
    static void stores() throws Exception {
        certificates = TestCertificates.get();
        serverKeyStore = "file:" + certificates.keyStore("server");
        KeyStore server = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(certificates.keyStore("server"))) {
            server.load(in, TestCertificates.PASSWORD.toCharArray());
        }
        Path key = directory.resolve("server-key.pem");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'})
                        .encodeToString(server.getKey("server", TestCertificates.PASSWORD.toCharArray()).getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        serverKeyPem = "file:" + key;
        serverCertificatePem = "file:" + certificates.serverCertificatePem();
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("client", certificates.clientCertificate());
        Path trustStore = directory.resolve("trust.p12");
        try (OutputStream out = Files.newOutputStream(trustStore)) {
            trust.store(out, TestCertificates.PASSWORD.toCharArray());
        }
        clientTrustStore = "file:" + trustStore;
    }

    @Test
    void servesTcpOverTlsFromAJksBundle() {
        this.runner.withUserConfiguration(EchoConfiguration.class).withPropertyValues("gev.server.ssl.bundle=server")
                .run((context) -> {
                    int port = context.getEnvironment().getProperty("local.gev.server.port", Integer.class);
                    assertThat(Clients.tlsEcho(port, certificates.clientContext(), "secret")).isEqualTo("secret");
                });
    }

    @Test
    void servesTcpOverTlsFromAPemBundle() {
        this.runner.withUserConfiguration(EchoConfiguration.class)
                .withPropertyValues("spring.ssl.bundle.pem.web.keystore.certificate=" + serverCertificatePem,
                        "spring.ssl.bundle.pem.web.keystore.private-key=" + serverKeyPem,
                        "gev.server.ssl.bundle=web")
                .run((context) -> {
                    int port = context.getEnvironment().getProperty("local.gev.server.port", Integer.class);
                    assertThat(Clients.tlsEcho(port, certificates.clientContext(), "pem")).isEqualTo("pem");
                });
    }

    @Test
    void appliesBundleOptionsAndTlsSettings() {
        this.runner.withUserConfiguration(EchoConfiguration.class)
                .withPropertyValues("gev.server.ssl.bundle=server", "gev.server.ssl.client-auth=want",
                        "gev.server.ssl.handshake-timeout=3", "gev.server.ssl.session-cache-size=100",
                        "gev.server.ssl.session-timeout=5m", "gev.server.ssl.ticket-key-rotation=1h",
                        "spring.ssl.bundle.jks.server.options.enabled-protocols=TLSv1.2")
                .run((context) -> {
                    TlsOptions tls = context.getBean(GevServers.class).get("echo-handler").options().tls().orElseThrow();
                    assertThat(tls.provider()).isEqualTo(provider);
                    assertThat(tls.sessionCacheSize()).isEqualTo(100);
                    assertThat(tls.sessionTimeout()).isEqualTo(Duration.ofMinutes(5));
                    assertThat(tls.ticketKeyRotation()).isEqualTo(Duration.ofHours(1));
                    assertThat(tls.protocols()).containsExactly("TLSv1.2");
                    assertThat(tls.clientAuth()).isEqualTo(TlsOptions.ClientAuth.WANT);
                    assertThat(tls.handshakeTimeout()).isEqualTo(Duration.ofSeconds(3));
                    int port = context.getEnvironment().getProperty("local.gev.server.port", Integer.class);
                    assertThat(Clients.tlsEcho(port, certificates.clientContext(), "1.2")).isEqualTo("1.2");
                });
    }

    @Test
    void needClientAuthTrustsTheBundlesTrustStore() {
        this.runner.withUserConfiguration(EchoConfiguration.class)
                .withPropertyValues("gev.server.ssl.bundle=server", "gev.server.ssl.client-auth=need",
                        "spring.ssl.bundle.jks.server.truststore.location=" + clientTrustStore,
                        "spring.ssl.bundle.jks.server.truststore.password=" + TestCertificates.PASSWORD)
                .run((context) -> {
                    assertThat(context.getBean(GevServers.class).get("echo-handler").options().tls())
                            .hasValueSatisfying((tls) -> assertThat(tls.clientAuth()).isEqualTo(TlsOptions.ClientAuth.NEED));
                    int port = context.getEnvironment().getProperty("local.gev.server.port", Integer.class);
                    assertThat(Clients.tlsEcho(port, certificates.clientContextWithCertificate(), "me"))
                            .isEqualTo("me");
                    assertThatExceptionOfType(IOException.class)
                            .isThrownBy(() -> Clients.tlsEcho(port, certificates.strangerContext(), "stranger"));
                });
    }

    @Test
    void serversInheritTheBundleAndMayTurnItOff() {
        this.runner.withUserConfiguration(TwoHandlersConfiguration.class)
                .withPropertyValues("gev.server.ssl.bundle=server", "gev.servers.echo-handler.port=0",
                        "gev.servers.upper-handler.port=0", "gev.servers.upper-handler.ssl.bundle=")
                .run((context) -> {
                    int secure = context.getEnvironment().getProperty("local.gev.servers.echo-handler.port",
                            Integer.class);
                    int plain = context.getEnvironment().getProperty("local.gev.servers.upper-handler.port",
                            Integer.class);
                    assertThat(Clients.tlsEcho(secure, certificates.clientContext(), "tls")).isEqualTo("tls");
                    assertThat(Clients.echo(plain, "tcp")).isEqualTo("tcp");
                });
    }

    @Test
    void servesWssOnTheWebSocketPort() {
        this.runner.withUserConfiguration(WebSocketEchoConfiguration.class)
                .withPropertyValues("gev.websocket.ssl.bundle=server")
                .run((context) -> {
                    assertThat(context.getBean(GevServers.class).asMap()).containsOnlyKeys("webSocketEcho");
                    int port = context.getEnvironment().getProperty("local.gev.websocket.port", Integer.class);
                    assertThat(Clients.secureWebSocketEcho(port, "/", certificates.clientContext(), "wss"))
                            .isEqualTo("wss");
                });
    }

    @Test
    void servesWsAndWssSideBySideWithSslPort() {
        this.runner.withUserConfiguration(WebSocketEchoConfiguration.class)
                .withPropertyValues("gev.websocket.ssl.bundle=server", "gev.websocket.ssl.port=0")
                .run((context) -> {
                    assertThat(context.getBean(GevServers.class).asMap()).containsOnlyKeys("webSocketEcho",
                            "webSocketEcho-tls");
                    int ws = context.getEnvironment().getProperty("local.gev.websocket.port", Integer.class);
                    int wss = context.getEnvironment().getProperty("local.gev.websocket.ssl.port", Integer.class);
                    assertThat(Clients.webSocketEcho(ws, "/", "ws")).isEqualTo("ws");
                    assertThat(Clients.secureWebSocketEcho(wss, "/", certificates.clientContext(), "wss"))
                            .isEqualTo("wss");
                });
    }

    @Test
    void failsWithAnExplanationWhenTheBundleIsMissing() {
        this.runner.withUserConfiguration(EchoConfiguration.class).withPropertyValues("gev.server.ssl.bundle=missing")
                .run((context) -> {
                    GevServerConfigurationException failure = cause(context.getStartupFailure());
                    assertThat(failure).hasMessage("gev server 'echo-handler' is configured with SSL bundle 'missing' "
                            + "(gev.server.ssl.bundle), but there is no such bundle; the bundles are [server].")
                            .hasCauseInstanceOf(NoSuchSslBundleException.class);
                    assertThat(failure.action()).contains("spring.ssl.bundle.jks.missing.*")
                            .contains("spring.ssl.bundle.pem.missing.*");
                });
        this.runner.withUserConfiguration(WebSocketEchoConfiguration.class)
                .withPropertyValues("gev.websocket.ssl.bundle=nope")
                .run((context) -> assertThat(cause(context.getStartupFailure()))
                        .hasMessageContaining("(gev.websocket.ssl.bundle)"));
    }

    @Test
    void failsWhenSslPortHasNoBundle() {
        this.runner.withUserConfiguration(WebSocketEchoConfiguration.class)
                .withPropertyValues("gev.websocket.ssl.port=1854")
                .run((context) -> assertThat(cause(context.getStartupFailure()))
                        .hasMessageContaining("gev.websocket.ssl.bundle is not set"));
    }

    @Test
    void failsWithoutSslBundles() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GevAutoConfiguration.class))
                .withUserConfiguration(EchoConfiguration.class)
                .withPropertyValues("gev.server.port=0", "gev.server.ssl.bundle=server")
                .run((context) -> assertThat(cause(context.getStartupFailure()))
                        .hasMessageContaining("has no SslBundles bean"));
    }

    private static GevServerConfigurationException cause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof GevServerConfigurationException) {
                return (GevServerConfigurationException) t;
            }
        }
        throw new AssertionError("no GevServerConfigurationException in " + failure, failure);
    }
}
