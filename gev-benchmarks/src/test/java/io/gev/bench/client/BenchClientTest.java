package io.gev.bench.client;

import io.gev.bench.load.LoadGenerator;
import io.gev.bench.load.LoadOptions;
import io.gev.bench.load.Report;
import io.gev.bench.server.ControlPort;
import io.gev.bench.server.NettyEchoServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both benchmark clients bounce messages off Netty's echo server, and the client row's runner reports them. */
@Timeout(60)
class BenchClientTest {

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private int echoServer() throws Exception {
        NettyEchoServer server = new NettyEchoServer();
        resources.add(server);
        return server.start(0, 1);
    }

    private BenchClient client(String impl, int port, int connections, int size) throws Exception {
        BenchClient.Counter counter = new BenchClient.Counter();
        BenchClient.Peer peer = BenchClient.create(impl, counter);
        resources.add(peer);
        peer.connect(port, connections, 1);
        return new BenchClient(peer, counter, size);
    }

    private static Map<String, Long> parse(String answer) {
        Map<String, Long> values = new java.util.HashMap<>();
        for (String kv : answer.split(" ")) {
            String[] p = kv.split("=");
            values.put(p[0], Long.parseLong(p[1]));
        }
        return values;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gev", "netty"})
    void bouncesWholeMessagesUntilPausedAndAgainAfterGo(String impl) throws Exception {
        BenchClient client = client(impl, echoServer(), 8, 512);
        assertEquals(Map.of("messages", 0L, "errors", 0L), parse(client.command("count")));
        client.command("go");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (parse(client.command("count")).get("messages") < 1000 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Map<String, Long> paused = parse(client.command("pause"));
        assertTrue(paused.get("messages") >= 1000, impl + ": " + paused);
        assertEquals(0L, paused.get("errors"), impl + ": " + paused);
        Thread.sleep(50);
        assertEquals(paused, parse(client.command("count")), impl + ": nothing bounces while paused");
        client.command("go");
        Map<String, Long> again = parse(client.command("pause"));
        assertTrue(again.get("messages") >= paused.get("messages") + 8, impl + ": every connection echoes again " + again);
        assertEquals("error=1", client.command("bogus"));
    }

    @Test
    void theClientRowReportsBothClientsMessagesCpuAndHeap() throws Exception {
        int port = echoServer();
        ControlPort gev = new ControlPort(client("gev", port, 4, 64)::command);
        ControlPort netty = new ControlPort(client("netty", port, 4, 64)::command);
        String pid = Long.toString(ProcessHandle.current().pid());
        LoadOptions options = LoadOptions.parse("--mode", "client", "--port", Integer.toString(port),
                "--port-b", Integer.toString(port), "-c", "4",
                "-m", "64", "--warmup", "0.2", "-d", "0.4", "--slice", "0.1",
                "--label", "gev", "--control-port", Integer.toString(gev.port()), "--server-pid", pid,
                "--label-b", "netty", "--control-port-b", Integer.toString(netty.port()), "--server-pid-b", pid);
        Report[] reports = LoadGenerator.runAll(options);
        assertEquals(2, reports.length);
        for (Report r : reports) {
            assertEquals("client-echo c=4 m=64", r.scenario);
            assertEquals(0, r.errors, r.firstError);
            assertTrue(r.ops > 100, r.label + " ops " + r.ops);
            assertTrue(r.serverCpuNanosPerOp > 0, r.label + " cpu " + r.serverCpuNanosPerOp);
            assertTrue(r.serverAllocBytesPerOp >= 0, r.label + " alloc " + r.serverAllocBytesPerOp);
            assertEquals(r.scenario, Report.parse(r.line()).scenario);
        }
        assertEquals("gev", reports[0].label);
        assertEquals("netty", reports[1].label);
    }

    @Test
    void theClientModeNeedsBothClientsControlPorts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LoadOptions.parse("--mode", "client", "--control-port", "5000"));
        assertTrue(e.getMessage().contains("--control-port-b"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BenchClient.create("vertx", new BenchClient.Counter()));
    }
}
