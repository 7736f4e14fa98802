package io.gev;

import io.gev.testing.TestCertificates;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TlsOptionsTest {

    private static SSLContext context() throws Exception {
        return SSLContext.getDefault();
    }

    @Test
    void defaults() throws Exception {
        SSLContext context = context();
        TlsOptions options = TlsOptions.builder(context).build();
        assertSame(context, options.sslContext());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), options.protocols());
        assertEquals(List.of(), options.cipherSuites());
        assertEquals(TlsOptions.ClientAuth.NONE, options.clientAuth());
        assertEquals(List.of(), options.applicationProtocols());
        assertEquals(Duration.ofSeconds(10), options.handshakeTimeout());
        SSLParameters parameters = options.sslParameters();
        assertArrayEquals(new String[] {"TLSv1.3", "TLSv1.2"}, parameters.getProtocols());
        assertArrayEquals(context.getDefaultSSLParameters().getCipherSuites(), parameters.getCipherSuites());
        assertFalse(parameters.getNeedClientAuth());
        assertFalse(parameters.getWantClientAuth());
    }

    @Test
    void settingsBecomeEngineParameters() throws Exception {
        TlsOptions options = TlsOptions.builder(context())
                .protocols("TLSv1.2")
                .cipherSuites("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
                .clientAuth(TlsOptions.ClientAuth.NEED)
                .applicationProtocols("h2", "http/1.1")
                .handshakeTimeout(Duration.ZERO)
                .build();
        SSLParameters parameters = options.sslParameters();
        assertArrayEquals(new String[] {"TLSv1.2"}, parameters.getProtocols());
        assertArrayEquals(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}, parameters.getCipherSuites());
        assertTrue(parameters.getNeedClientAuth());
        assertArrayEquals(new String[] {"h2", "http/1.1"}, parameters.getApplicationProtocols());
        assertEquals(Duration.ZERO, options.handshakeTimeout());
        assertTrue(TlsOptions.builder(context()).clientAuth(TlsOptions.ClientAuth.WANT).build().sslParameters()
                .getWantClientAuth());
    }

    @Test
    void rejectsWhatTheContextCannotDo() throws Exception {
        TlsOptions.Builder builder = TlsOptions.builder(context());
        assertEquals("unsupported protocol 'SSLv2'; the SSLContext supports ",
                assertThrows(IllegalArgumentException.class, () -> builder.protocols("TLSv1.3", "SSLv2"))
                        .getMessage().replaceAll("\\[.*", ""));
        assertThrows(IllegalArgumentException.class, () -> builder.protocols());
        assertThrows(IllegalArgumentException.class, () -> builder.cipherSuites("TLS_NO_SUCH_SUITE"));
        assertThrows(IllegalArgumentException.class, () -> builder.applicationProtocols("h2", " "));
        assertThrows(IllegalArgumentException.class, () -> builder.handshakeTimeout(Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> builder.clientAuth(null));
        assertThrows(NullPointerException.class, () -> TlsOptions.builder((SSLContext) null));
    }

    @Test
    void buildsFromAKeyStore() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (var in = java.nio.file.Files.newInputStream(TestCertificates.get().keyStore("server"))) {
            store.load(in, TestCertificates.PASSWORD.toCharArray());
        }
        TlsOptions options = TlsOptions.builder(store, TestCertificates.PASSWORD.toCharArray()).build();
        assertEquals("TLS", options.sslContext().getProtocol());
        assertThrows(IllegalArgumentException.class, () -> TlsOptions.builder(store, "wrong".toCharArray()));
    }

    @Test
    void sessionAndEngineDefaults() throws Exception {
        TlsOptions options = TestCertificates.get().serverOptions().build();
        assertEquals(TlsOptions.Provider.AUTO, options.provider());
        assertEquals(TlsOptions.DEFAULT_SESSION_CACHE_SIZE, options.sessionCacheSize());
        assertEquals(Duration.ofHours(1), options.sessionTimeout());
        assertEquals(Duration.ZERO, options.ticketKeyRotation());
        assertTrue(options.keyManagers() != null, "built from a key store, the options keep the key for OpenSSL");
    }

    /** Each limit at its bound, below it and above it. */
    @Test
    void checksTheSessionSettingsAtTheirBounds() {
        TlsOptions.Builder builder = TestCertificates.get().serverOptions();
        assertEquals(1, builder.sessionCacheSize(1).build().sessionCacheSize());
        assertEquals("sessionCacheSize must be at least 1: 0",
                assertThrows(IllegalArgumentException.class, () -> builder.sessionCacheSize(0)).getMessage());
        assertEquals(Integer.MAX_VALUE, builder.sessionCacheSize(Integer.MAX_VALUE).build().sessionCacheSize());
        assertEquals(Duration.ofSeconds(1), builder.sessionTimeout(Duration.ofSeconds(1)).build().sessionTimeout());
        assertThrows(IllegalArgumentException.class, () -> builder.sessionTimeout(Duration.ofMillis(999)));
        assertThrows(IllegalArgumentException.class, () -> builder.sessionTimeout(Duration.ofSeconds(Integer.MAX_VALUE + 1L)));
        assertEquals(Duration.ofSeconds(Integer.MAX_VALUE),
                builder.sessionTimeout(Duration.ofSeconds(Integer.MAX_VALUE)).build().sessionTimeout());
        assertEquals(Duration.ofSeconds(1), builder.ticketKeyRotation(Duration.ofSeconds(1)).build().ticketKeyRotation());
        assertEquals(Duration.ZERO, builder.ticketKeyRotation(Duration.ZERO).build().ticketKeyRotation());
        assertThrows(IllegalArgumentException.class, () -> builder.ticketKeyRotation(Duration.ofMillis(500)));
        assertThrows(IllegalArgumentException.class, () -> builder.ticketKeyRotation(Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> builder.provider(null));
    }

    @Test
    void openSslNeedsTheKeyThatAnSslContextHides() throws Exception {
        TlsOptions.Builder fromContext = TlsOptions.builder(context());
        String message = assertThrows(IllegalArgumentException.class,
                () -> fromContext.provider(TlsOptions.Provider.OPENSSL)).getMessage();
        assertTrue(message.contains("provider OPENSSL needs the key material"), message);
        assertEquals(TlsOptions.Provider.JDK, fromContext.provider(TlsOptions.Provider.JDK).build().provider());
        assertEquals(TlsOptions.Provider.OPENSSL,
                TestCertificates.get().serverOptions().provider(TlsOptions.Provider.OPENSSL).build().provider());
    }

    @Test
    void clientOptionsVerifyHostNamesUnlessTurnedOff() throws Exception {
        TlsOptions client = TlsOptions.clientBuilder().build();
        assertTrue(client.isClient());
        assertTrue(client.hostnameVerification());
        assertEquals("HTTPS", client.sslParameters().getEndpointIdentificationAlgorithm());
        TlsOptions unverified = client.toBuilder().hostnameVerification(false).build();
        assertTrue(unverified.isClient());
        assertEquals(false, unverified.hostnameVerification());
        assertEquals(null, unverified.sslParameters().getEndpointIdentificationAlgorithm());
        assertTrue(unverified.toString().contains("client, hostnameVerification=false"), unverified.toString());
        assertEquals(false, TestCertificates.get().serverOptions().build().isClient());
    }

    @Test
    void aClientFromAnSslContextRunsOnTheJdksEngineOnly() throws Exception {
        TlsOptions.Builder fromContext = TlsOptions.clientBuilder(context());
        String message = assertThrows(IllegalArgumentException.class,
                () -> fromContext.provider(TlsOptions.Provider.OPENSSL)).getMessage();
        assertTrue(message.contains("provider OPENSSL needs the trust material"), message);
        assertEquals(false, fromContext.build().openSslCapable());
        assertTrue(TlsOptions.clientBuilder().build().openSslCapable());
        assertTrue(TlsOptions.clientBuilder().provider(TlsOptions.Provider.OPENSSL).build().isClient());
    }

    @Test
    void serversAndClientsRefuseEachOthersOptions() {
        TlsOptions client = TlsOptions.clientBuilder().build();
        TlsOptions server = TestCertificates.get().serverOptions().build();
        String refused = assertThrows(IllegalArgumentException.class, () -> ServerOptions.builder().tls(client))
                .getMessage();
        assertTrue(refused.contains("must be built for a server"), refused);
        refused = assertThrows(IllegalArgumentException.class, () -> ClientOptions.builder().tls(server)).getMessage();
        assertTrue(refused.contains("must be built for a client"), refused);
        assertEquals(client, ClientOptions.builder().tls(client).build().tls().orElseThrow());
        assertEquals(server, ServerOptions.builder().tls(server).build().tls().orElseThrow());
    }

    @Test
    void toBuilderKeepsEverySetting() {
        TlsOptions options = TestCertificates.get().serverOptions().protocols("TLSv1.2")
                .clientAuth(TlsOptions.ClientAuth.WANT).applicationProtocols("h2").handshakeTimeout(Duration.ofSeconds(3))
                .provider(TlsOptions.Provider.OPENSSL).sessionCacheSize(7).sessionTimeout(Duration.ofMinutes(2))
                .ticketKeyRotation(Duration.ofMinutes(5)).build();
        TlsOptions copy = options.toBuilder().build();
        assertEquals(options.toString(), copy.toString());
        assertSame(options.sslContext(), copy.sslContext());
        assertSame(options.keyManagers(), copy.keyManagers());
        assertEquals(9, options.toBuilder().sessionCacheSize(9).build().sessionCacheSize());
        assertEquals(7, options.sessionCacheSize(), "the original is unchanged");
    }

    @Test
    void serverBuilderKeepsTheOptions() throws Exception {
        TlsOptions options = TlsOptions.builder(context()).build();
        Server.Builder builder = Server.builder((c, ctx, p) -> p);
        assertTrue(builder.build().options().tls().isEmpty());
        assertSame(options, builder.tls(options).build().options().tls().orElseThrow());
        assertTrue(builder.tls(null).build().options().tls().isEmpty(), "null turns TLS off again");
    }
}
