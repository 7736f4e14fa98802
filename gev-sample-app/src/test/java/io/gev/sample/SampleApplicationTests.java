package io.gev.sample;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "gev.servers.echo.port=0",
        "gev.servers.tls-echo.port=0", "gev.servers.length-field-demo.port=0", "gev.servers.lookup.port=0", "gev.servers.relay.port=0", "gev.servers.unix-echo.unix-socket=target/unix-echo-${random.uuid}.sock", "gev.websocket.port=0", "gev.udp.port=0",
        "gev.websocket.ssl.port=0", "gev.server.loops=1", "sample.heartbeat-interval=200ms",
        "sample.demo-certificate=target/demo-certificate/demo.p12" })
@Timeout(60)
class SampleApplicationTests {

    private final HttpClient http = HttpClient.newHttpClient();

    @Value("${local.server.port}")
    int httpPort;

    @Value("${local.gev.servers.echo.port}")
    int echoPort;

    @Value("${local.gev.servers.length-field-demo.port}")
    int lengthFieldPort;

    @Value("${local.gev.servers.lookup.port}")
    int lookupPort;

    @Value("${local.gev.websocket.port}")
    int webSocketPort;

    @Value("${local.gev.servers.relay.port}")
    int relayPort;

    @Value("${local.gev.servers.unix-echo.unix-socket}")
    Path unixEchoSocket;

    @Autowired
    io.gev.Client relayUpstream;

    @Value("${local.gev.servers.tls-echo.port}")
    int tlsEchoPort;

    @Value("${local.gev.websocket.ssl.port}")
    int secureWebSocketPort;

    @Value("${sample.demo-certificate}")
    Path demoCertificate;

    @Value("${spring.ssl.bundle.jks.demo.keystore.password}")
    String demoPassword;

    @Value("${local.gev.udp.port}")
    int udpPort;

    @Test
    void udpEchoAnswersPythonsSocket() throws Exception {
        // Python's stdlib socket, a client nobody here wrote; the JDK's when there is no python3.
        if (java.nio.file.Files.isExecutable(Path.of("/usr/bin/python3"))) {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", String.join("\n",
                    "import socket, sys",
                    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
                    "s.settimeout(10)",
                    "s.sendto(b'hello udp', ('127.0.0.1', int(sys.argv[1])))",
                    "print(s.recvfrom(4096)[0].decode())"), Integer.toString(this.udpPort))
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(output).isEqualTo("hello udp");
        }
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket()) {
            socket.setSoTimeout(10_000);
            byte[] bytes = "hello jdk".getBytes(StandardCharsets.UTF_8);
            socket.send(new java.net.DatagramPacket(bytes, bytes.length, new InetSocketAddress("127.0.0.1", this.udpPort)));
            java.net.DatagramPacket reply = new java.net.DatagramPacket(new byte[100], 100);
            socket.receive(reply);
            assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8)).isEqualTo("hello jdk");
        }
    }

    @Test
    void tcpEcho() throws Exception {
        try (Socket socket = connect(this.echoPort)) {
            socket.getOutputStream().write("hello gev\n".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(socket.getInputStream().readNBytes(10), StandardCharsets.UTF_8)).isEqualTo("hello gev\n");
        }
    }

    @Test
    void unixSocketEchoToSocat() throws Exception {
        Path socat = Path.of("/usr/bin/socat");
        assumeTrue(Files.isExecutable(socat), "/usr/bin/socat is missing (apt-get install socat, as .ci/run does)");
        Process client = new ProcessBuilder(socat.toString(), "-", "UNIX-CONNECT:" + this.unixEchoSocket)
                .redirectErrorStream(true).start();
        try {
            client.getOutputStream().write("hello unix\n".getBytes(StandardCharsets.UTF_8));
            client.getOutputStream().flush();
            assertThat(new String(client.getInputStream().readNBytes(11), StandardCharsets.UTF_8)).isEqualTo("hello unix\n");
        } finally {
            client.destroyForcibly();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(this.unixEchoSocket))).isEqualTo("rw-rw----");
    }

    @Test
    void tlsEchoWithTheGeneratedDemoCertificate() throws Exception {
        try (SSLSocket socket = (SSLSocket) trustingTheDemo().getSocketFactory().createSocket("127.0.0.1",
                this.tlsEchoPort)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("hello tls\n".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(socket.getInputStream().readNBytes(10), StandardCharsets.UTF_8)).isEqualTo("hello tls\n");
            assertThat(socket.getSession().getPeerPrincipal().getName()).contains("CN=localhost");
        }
    }

    @Test
    void theOffloadedLookupAnswersManyConnectionsInOrderWhileTheEchoStaysQuick() throws Exception {
        int connections = 20;
        int lines = 5;
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int c = 0; c < connections; c++) {
                Socket socket = connect(this.lookupPort);
                sockets.add(socket);
                StringBuilder request = new StringBuilder();
                for (int l = 0; l < lines; l++) {
                    request.append("item-").append(c).append('-').append(l).append('\n');
                }
                socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
            }
            // The echo shares the loops with the lookup, whose 100 lookups of 20 ms are under way.
            try (Socket echo = connect(this.echoPort)) {
                echo.getOutputStream().write("still here".getBytes(StandardCharsets.UTF_8));
                assertThat(new String(echo.getInputStream().readNBytes(10), StandardCharsets.UTF_8))
                        .isEqualTo("still here");
            }
            for (int c = 0; c < connections; c++) {
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(sockets.get(c).getInputStream(), StandardCharsets.UTF_8));
                for (int l = 0; l < lines; l++) {
                    String item = "item-" + c + "-" + l;
                    assertThat(in.readLine()).isEqualTo(item + " " + Math.floorMod(item.hashCode(), 100));
                }
            }
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    @Test
    void lengthFieldServerAnswersEachFrame() throws Exception {
        try (Socket socket = connect(this.lengthFieldPort)) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            for (String command : new String[] { "status", "reboot" }) {
                byte[] payload = command.getBytes(StandardCharsets.UTF_8);
                out.writeInt(payload.length);
                out.write(payload);
            }
            out.flush();
            for (String command : new String[] { "status", "reboot" }) {
                byte[] reply = new byte[in.readInt()];
                in.readFully(reply);
                assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("OK " + command);
            }
        }
    }

    @Test
    void webSocketEcho() throws Exception {
        Client client = new Client("/echo");
        client.socket.sendText("ping over websocket", true);
        assertThat(client.next((m) -> true)).isEqualTo("ping over websocket");
        client.close();
    }

    @Test
    void webSocketEchoOverWss() throws Exception {
        Client client = new Client(secureWebSocket(), "/echo");
        client.socket.sendText("ping over wss", true);
        assertThat(client.next((m) -> true)).isEqualTo("ping over wss");
        client.close();
    }

    @Test
    void chatJoinsWsAndWssClientsInOneRoom() throws Exception {
        Client alice = new Client("/chat?name=alice");
        alice.next((m) -> m.contains("alice joined"));
        Client bob = new Client(secureWebSocket(), "/chat?name=bob");
        assertThat(alice.next((m) -> m.contains("\"notice\""))).contains("bob joined");
        bob.socket.sendText("hi from wss", true);
        assertThat(alice.next((m) -> m.contains("\"message\"")))
                .isEqualTo("{\"type\":\"message\",\"from\":\"bob\",\"text\":\"hi from wss\"}");
        bob.close();
        alice.close();
    }

    @Test
    void chatBroadcastsBetweenClientsWithNoticesAndHeartbeat() throws Exception {
        Client alice = new Client("/chat?name=alice");
        alice.next((m) -> m.contains("alice joined"));
        Client bob = new Client("/chat?name=bob");
        assertThat(alice.next((m) -> m.contains("\"notice\""))).contains("bob joined");
        alice.socket.sendText("hi bob", true);
        assertThat(bob.next((m) -> m.contains("\"message\"")))
                .isEqualTo("{\"type\":\"message\",\"from\":\"alice\",\"text\":\"hi bob\"}");
        alice.socket.sendText("say \"hi\"\n\\o/", true);
        assertThat(bob.next((m) -> m.contains("say")))
                .isEqualTo("{\"type\":\"message\",\"from\":\"alice\",\"text\":\"say \\\"hi\\\"\\n\\\\o/\"}");
        assertThat(bob.next((m) -> m.contains("\"heartbeat\""))).contains("\"members\":2");
        bob.close();
        assertThat(alice.next((m) -> m.contains("\"notice\""))).contains("bob left");
        alice.close();
    }

    @Test
    void aNicknameChangeAppliesWithoutAReconnect() throws Exception {
        Client alice = new Client("/chat?name=alice");
        alice.next((m) -> m.contains("alice joined"));
        Client bob = new Client("/chat?name=bob");
        alice.next((m) -> m.contains("bob joined"));
        alice.socket.sendText("/nick alicia", true);
        assertThat(bob.next((m) -> m.contains(" is now "))).contains("alice is now alicia");
        alice.socket.sendText("hi again", true);
        assertThat(bob.next((m) -> m.contains("\"message\"")))
                .isEqualTo("{\"type\":\"message\",\"from\":\"alicia\",\"text\":\"hi again\"}");
        alice.socket.sendText("/nick " + "x".repeat(ChatHandler.MAX_NAME_LENGTH + 1), true);
        assertThat(alice.next((m) -> m.contains("nickname")))
                .isEqualTo("{\"type\":\"notice\",\"text\":\"a nickname has 1 to 32 characters\"}");
        alice.socket.sendText("still alicia", true);
        assertThat(bob.next((m) -> m.contains("\"message\""))).contains("\"from\":\"alicia\"");
        bob.close();
        assertThat(alice.next((m) -> m.contains("\"notice\""))).contains("bob left");
        alice.close();
    }

    @Test
    void echoAndChatAreTwoRoutesOfOnePortAndOtherPathsGet404() throws Exception {
        assertThat(upgradeStatus("/nowhere", null)).isEqualTo(404);
        assertThat(upgradeStatus("/echo/", null)).isEqualTo(404);
        Client echo = new Client("/echo");
        echo.socket.sendText("/nick is no command here", true);
        assertThat(echo.next((m) -> true)).isEqualTo("/nick is no command here");
        echo.close();
    }

    @Test
    void thePagesOriginMayConnectAndOthersMayNot() throws Exception {
        assertThat(upgradeStatus("/echo", "http://localhost:" + this.httpPort)).isEqualTo(101);
        assertThat(upgradeStatus("/echo", "http://127.0.0.1:" + this.httpPort)).isEqualTo(101);
        assertThat(upgradeStatus("/chat?name=eve", "https://evil.example")).isEqualTo(403);
        assertThat(upgradeStatus("/chat?name=eve", "http://localhost.evil.example:" + this.httpPort)).isEqualTo(403);
    }

    /** 101 when the upgrade with this {@code Origin} (none for null) was accepted, else the HTTP status. */
    private int upgradeStatus(String pathAndQuery, String origin) throws Exception {
        WebSocket.Builder builder = this.http.newWebSocketBuilder();
        if (origin != null) {
            builder.header("Origin", origin);
        }
        try {
            WebSocket socket = builder.buildAsync(URI.create("ws://127.0.0.1:" + this.webSocketPort + pathAndQuery),
                    new WebSocket.Listener() {
                    }).get(10, TimeUnit.SECONDS);
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
            return 101;
        } catch (ExecutionException ex) {
            Throwable cause = (ex.getCause() instanceof CompletionException) ? ex.getCause().getCause() : ex.getCause();
            assertThat(cause).isInstanceOf(WebSocketHandshakeException.class);
            return ((WebSocketHandshakeException) cause).getResponse().statusCode();
        }
    }

    @Test
    void actuatorShowsGevMetricsAndHealth() throws Exception {
        try (Socket socket = connect(this.echoPort)) {
            socket.getOutputStream().write('x');
            assertThat(socket.getInputStream().read()).isEqualTo('x');
            String metrics = get("/actuator/metrics/gev.connections?tag=server:echo");
            assertThat(metrics).contains("\"name\":\"gev.connections\"").contains("\"value\":1.0");
        }
        String health = get("/actuator/health");
        assertThat(health).contains("\"gev\"").contains("\"length-field-demo\"").contains("\"websocket\"")
                .contains("\"tls-echo\"").contains("\"websocket-tls\"");
        assertThat(get("/actuator/metrics")).contains("gev.bytes.in");
        assertThat(get("/api/stats")).contains("\"echo\"").contains("\"websocket\"");
        assertThat(get("/api/config")).contains("\"webSocketPort\":" + this.webSocketPort)
                .contains("\"secureWebSocketPort\":" + this.secureWebSocketPort);
    }

    @Test
    void prometheusListsTheGevSeries() throws Exception {
        String scrape = get("/actuator/prometheus");
        assertThat(scrape).contains("gev_connections{").contains("server=\"echo\"").contains("gev_bytes_in_bytes_total{")
                .contains("gev_loop_blocked");
        // The relay's client shares the meters and tag keys of the servers, told apart by side.
        assertThat(scrape).containsPattern("gev_connections\\{[^}]*server=\"relay-upstream\"[^}]*side=\"client\"")
                .containsPattern("gev_connections\\{[^}]*server=\"echo\"[^}]*side=\"server\"");
    }

    @Test
    void tcpRelayForwardsBothWaysThroughAGevClientToTheEcho() throws Exception {
        long openedBefore = this.relayUpstream.stats().acceptedConnections();
        try (Socket socket = connect(this.relayPort)) {
            socket.getOutputStream().write("hello relay\n".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(socket.getInputStream().readNBytes(12), StandardCharsets.UTF_8))
                    .isEqualTo("hello relay\n");

            // More than the water marks and the socket buffers hold, read while it is written: the
            // relay's pausing and resuming on the way must lose, reorder and duplicate nothing.
            byte[] payload = new byte[4 * 1024 * 1024];
            new Random(1838).nextBytes(payload);
            CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> {
                try {
                    return socket.getInputStream().readNBytes(payload.length);
                } catch (java.io.IOException ex) {
                    throw new java.io.UncheckedIOException(ex);
                }
            });
            for (int offset = 0; offset < payload.length; offset += 64 * 1024) {
                socket.getOutputStream().write(payload, offset, 64 * 1024);
            }
            assertThat(echoed.get(30, TimeUnit.SECONDS)).isEqualTo(payload);
        }
        assertThat(this.relayUpstream.stats().acceptedConnections()).isEqualTo(openedBefore + 1);
        assertThat(this.relayUpstream.eventLoops()).as("on the servers' shared loops").isPresent();
    }

    @Test
    void closingTheRelayedConnectionClosesItsUpstreamHalf() throws Exception {
        try (Socket socket = connect(this.relayPort)) {
            socket.getOutputStream().write("x".getBytes(StandardCharsets.UTF_8));
            assertThat(socket.getInputStream().read()).isEqualTo('x');
            assertThat(this.relayUpstream.stats().activeConnections()).isPositive();
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(this.relayUpstream.stats().activeConnections())
                        .as("upstream halves left open").isZero());
    }

    @Test
    void theGevEndpointDescribesEveryServer() throws Exception {
        String gev = get("/actuator/gev");
        assertThat(gev).contains("\"echo\"").contains("\"websocket\"").contains("\"websocket-tls\"")
                .contains("\"port\":" + this.echoPort);
    }

    @Test
    void servesThePage() throws Exception {
        assertThat(get("/")).contains("<title>gev chat</title>").contains("new WebSocket(");
    }

    private String get(String path) throws Exception {
        HttpResponse<String> response = this.http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.httpPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return response.body();
    }

    /** A client context that trusts the demo's self-signed certificate, as a user of the demo would. */
    private SSLContext trustingTheDemo() throws Exception {
        return DemoTrust.context(this.demoCertificate, this.demoPassword);
    }

    private URI secureWebSocket() {
        return URI.create("wss://localhost:" + this.secureWebSocketPort);
    }

    private static Socket connect(int port) throws Exception {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** A client of the sample's WebSocket server, ws:// or wss://. */
    private final class Client extends TextClient {

        Client(String pathAndQuery) throws Exception {
            this(URI.create("ws://127.0.0.1:" + SampleApplicationTests.this.webSocketPort), pathAndQuery);
        }

        Client(URI server, String pathAndQuery) throws Exception {
            super(server.getScheme().equals("wss") ? HttpClient.newBuilder().sslContext(trustingTheDemo()).build()
                    : SampleApplicationTests.this.http, server.resolve(pathAndQuery));
        }
    }
}
