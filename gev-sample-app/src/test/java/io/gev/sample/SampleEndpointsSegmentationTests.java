package io.gev.sample;

import io.gev.testing.SegmentedExchange;
import io.gev.testing.SegmentedExchange.Script;
import io.gev.testing.SegmentedRuns;
import io.gev.testing.SegmentedSocket;
import io.gev.testing.TestClient;
import io.gev.testing.TlsTestClient;
import io.gev.websocket.SegmentedWebSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import javax.net.ssl.SSLContext;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

/**
 * The sample application's gev endpoints when clients cut what they send into TCP segments at
 * seeded-random points (1 to 3,000 bytes, or one byte at a time) with a short pause after each:
 * the raw echo, the length-field demo ({@code OK <payload>}), the offloaded lookup (a line
 * protocol whose handler blocks), the TLS echo with the demo
 * certificate, and the WebSocket {@code /echo} over ws and wss, with and without
 * permessage-deflate. They are gev-core's segmented conversations ({@link SegmentedRuns}: in
 * sequence, then at once) against the real application, its servers on one loop; every reply
 * must come back byte for byte and in order, then a clean end. Failures name their seed;
 * {@code -Dgev.test.seed=} replays a run.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "gev.servers.echo.port=0",
        "gev.servers.tls-echo.port=0", "gev.servers.length-field-demo.port=0", "gev.servers.lookup.port=0", "gev.servers.relay.port=0", "gev.servers.unix-echo.unix-socket=target/unix-echo-${random.uuid}.sock", "gev.websocket.port=0", "gev.udp.port=0",
        "gev.websocket.ssl.port=0", "gev.server.loops=1", "sample.heartbeat-interval=200ms",
        "sample.demo-certificate=target/demo-certificate/demo.p12" })
@Timeout(120)
class SampleEndpointsSegmentationTests {

    private static final long SEED = Long.getLong("gev.test.seed", 19L);
    /** The sample's gev.websocket.max-message-size, 64KB: the largest message it takes. */
    private static final int MAX_MESSAGE = 64 * 1024;

    @Value("${local.gev.servers.echo.port}")
    int echoPort;

    @Value("${local.gev.servers.length-field-demo.port}")
    int lengthFieldPort;

    @Value("${local.gev.servers.tls-echo.port}")
    int tlsEchoPort;

    @Value("${local.gev.servers.lookup.port}")
    int lookupPort;

    @Value("${local.gev.websocket.port}")
    int webSocketPort;

    @Value("${local.gev.websocket.ssl.port}")
    int secureWebSocketPort;

    @Value("${sample.demo-certificate}")
    Path demoCertificate;

    @Value("${spring.ssl.bundle.jks.demo.keystore.password}")
    String demoPassword;

    @Test
    void rawEcho() throws Exception {
        converse("raw echo", this.echoPort, SegmentedExchange::echo);
    }

    @Test
    void lengthFieldDemoAnswersOkAndThePayload() throws Exception {
        byte[] ok = "OK ".getBytes(StandardCharsets.US_ASCII);
        converse("length-field demo", this.lengthFieldPort,
                (random, size) -> SegmentedExchange.lengthField(random, size, (index, payload) -> SegmentedExchange.concat(ok, payload)));
    }

    @Test
    void offloadedLookupAnswersEveryLineInOrder() throws Exception {
        converse("offloaded lookup", this.lookupPort, (random, size) -> {
            StringBuilder request = new StringBuilder();
            StringBuilder replies = new StringBuilder();
            int lines = SegmentedExchange.messages(random, size);
            for (int i = 0; i < lines; i++) {
                StringBuilder item = new StringBuilder("item-");
                for (int n = 1 + random.nextInt(size == SegmentedExchange.Size.LONG ? 200 : 20); n > 0; n--) {
                    item.append((char) ('a' + random.nextInt(26)));
                }
                request.append(item).append('\n');
                replies.append(item).append(' ').append(Math.floorMod(item.toString().hashCode(), 100)).append('\n');
            }
            return new Script(request.toString().getBytes(StandardCharsets.US_ASCII),
                    replies.toString().getBytes(StandardCharsets.US_ASCII), lines);
        });
    }

    @Test
    void tlsEchoWithTheDemoCertificate() throws Exception {
        SSLContext demo = trustingTheDemo();
        SegmentedRuns.run("TLS echo", SEED, (seed, step, label) -> {
            Random random = new Random(seed);
            byte[] data = SegmentedExchange.echo(random, step.size()).request();
            try (SegmentedSocket socket = SegmentedSocket.connect(this.tlsEchoPort, SegmentedRuns.cutSeed(seed), step.cuts());
                    TlsTestClient client = TlsTestClient.over(new TestClient(socket), demo)) {
                SegmentedExchange.runTlsEcho(client, data, random, label);
                return socket.segments();
            }
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({ "ws, permessage-deflate", "ws, no compression", "wss, permessage-deflate", "wss, no compression" })
    void webSocketEcho(String scheme, String compression) throws Exception {
        boolean secure = scheme.equals("wss");
        boolean deflate = compression.equals("permessage-deflate");
        SSLContext demo = secure ? trustingTheDemo() : null;
        int port = secure ? this.secureWebSocketPort : this.webSocketPort;
        SegmentedRuns.run(scheme + " /echo with " + compression, SEED, (seed, step, label) -> {
            try (SegmentedSocket tcp = SegmentedSocket.connect(port, SegmentedRuns.cutSeed(seed), step.cuts());
                    Socket socket = secure ? tcp.tls(demo) : tcp) {
                SegmentedWebSocket.converse(socket, "/echo", deflate, step.size(), MAX_MESSAGE, seed, label);
                return tcp.segments();
            }
        });
    }

    @FunctionalInterface
    private interface ScriptMaker {
        Script make(Random random, SegmentedExchange.Size size);
    }

    private static void converse(String name, int port, ScriptMaker scripts) throws Exception {
        SegmentedRuns.run(name, SEED, (seed, step, label) -> {
            Script script = scripts.make(new Random(seed), step.size());
            try (SegmentedSocket socket = SegmentedSocket.connect(port, SegmentedRuns.cutSeed(seed), step.cuts())) {
                SegmentedExchange.run(socket, script, label);
                return socket.segments();
            }
        });
    }

    /** A client context that trusts the demo's self-signed certificate, as a user of the demo would. */
    private SSLContext trustingTheDemo() throws Exception {
        return DemoTrust.context(this.demoCertificate, this.demoPassword);
    }
}
