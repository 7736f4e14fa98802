package io.gev.websocket;

import io.gev.Server;
import io.gev.TlsOptions;
import io.gev.loop.Transport;
import io.gev.testing.TestCertificates;
import io.gev.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocket;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** WebSocket over TLS ({@code wss://}) with clients nobody here wrote: the JDK's. */
@Timeout(60)
@ParameterizedClass(name = "{0}")
@EnumSource(value = TlsOptions.Provider.class, names = {"JDK", "OPENSSL"})
class WssInteropTest {

    /** Every test runs on both engines. */
    @Parameter
    TlsOptions.Provider provider;

    private static final String TEXT = "abcdefghijklmnopqrstuvwxyz0123456789 \u00e9\u00fc\u20ac\u6f22\u5b57\uD83D\uDE00";

    @RegisterExtension
    final TestServers servers = new TestServers();

    private final TestCertificates certificates = TestCertificates.get();

    private Server start(WebSocketHandler handler, Transport transport, TlsOptions tls) {
        WebSocketOptions options = WebSocketOptions.builder().paths("/echo").maxFrameSize(1 << 20).maxMessageSize(1 << 20).build();
        return servers.start(WebSocketServer.builder(handler, options)
                .address("127.0.0.1").port(0).loops(2).transport(transport).daemonThreads(true).tls(tls));
    }

    private WebSocket connect(Server server, JdkClientInteropTest.Collector collector) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(certificates.clientContext()).build();
        return client.newWebSocketBuilder()
                .buildAsync(URI.create("wss://127.0.0.1:" + server.port() + "/echo"), collector)
                .get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void echoesThousandsOfRandomMessagesOverWss(Transport transport) throws Exception {
        Recorder handler = new Recorder();
        Server server = start(handler, transport, certificates.serverOptions().provider(provider).build());
        JdkClientInteropTest.Collector collector = new JdkClientInteropTest.Collector();
        WebSocket ws = connect(server, collector);
        WebSocketSession session = handler.nextOpened();
        assertNotNull(session.request().tls(), "the handshake request shows the TLS session");
        assertEquals("TLSv1.3", session.connection().tls().protocol());

        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 2000; i++) {
            int size = random.nextInt(10) == 0 ? random.nextInt(100_000) : random.nextInt(2000);
            String where = "message " + i + " of " + size + " (seed " + seed + ")";
            if (random.nextBoolean()) {
                StringBuilder text = new StringBuilder(size);
                while (text.length() < size) {
                    text.appendCodePoint(TEXT.codePointAt(TEXT.offsetByCodePoints(0, random.nextInt(TEXT.codePointCount(0,
                            TEXT.length())))));
                }
                ws.sendText(text, true).get(10, TimeUnit.SECONDS);
                assertEquals(text.toString(), collector.next(), where);
            } else {
                byte[] bytes = new byte[size];
                random.nextBytes(bytes);
                ws.sendBinary(ByteBuffer.wrap(bytes), true).get(10, TimeUnit.SECONDS);
                assertArrayEquals(bytes, (byte[]) collector.next(), where);
            }
        }
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        assertEquals("1000 ", collector.closed.get(10, TimeUnit.SECONDS));
        handler.expectClosed(1000, "done");
    }

    @Test
    void plainHttpsRequestGets426FromHttpsUrlConnection() throws Exception {
        Server server = start(new Recorder(), Transport.AUTO, certificates.serverOptions().provider(provider).build());
        HttpsURLConnection https = (HttpsURLConnection) URI.create("https://127.0.0.1:" + server.port() + "/echo")
                .toURL().openConnection();
        https.setSSLSocketFactory(certificates.clientContext().getSocketFactory());
        https.setConnectTimeout(10_000);
        https.setReadTimeout(10_000);
        try {
            assertEquals(426, https.getResponseCode());
            assertEquals("websocket", https.getHeaderField("Upgrade"));
            assertEquals("13", https.getHeaderField("Sec-WebSocket-Version"));
            try (InputStream body = https.getErrorStream()) {
                assertTrue(body.readAllBytes().length > 0, "an explanation in the body");
            }
        } finally {
            https.disconnect();
        }
    }

    @Test
    void handshakeHookSeesTheClientCertificate() throws Exception {
        WebSocketHandler handler = new Recorder() {
            @Override
            public void onHandshake(HandshakeRequest request) {
                if (request.tls().peerCertificates().isEmpty()) {
                    request.reject(403, "a client certificate is required");
                }
            }
        };
        Server server = start(handler, Transport.AUTO,
                certificates.serverOptions().provider(provider).clientAuth(TlsOptions.ClientAuth.WANT).build());
        try (SSLSocket socket = (SSLSocket) certificates.clientContext().getSocketFactory()
                .createSocket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /echo HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(response.startsWith("HTTP/1.1 403"), response);
        }
        JdkClientInteropTest.Collector collector = new JdkClientInteropTest.Collector();
        WebSocket ws = HttpClient.newBuilder().sslContext(certificates.clientContextWithCertificate()).build()
                .newWebSocketBuilder()
                .buildAsync(URI.create("wss://127.0.0.1:" + server.port() + "/echo"), collector)
                .get(10, TimeUnit.SECONDS);
        ws.sendText("with a certificate", true).get(10, TimeUnit.SECONDS);
        assertEquals("with a certificate", collector.next());
        ws.abort();
    }
}
