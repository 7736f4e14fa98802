package io.gev.bench.cluster;

import io.gev.EventLoops;
import io.gev.Server;
import io.gev.websocket.WebSocketClient;
import io.gev.websocket.WebSocketGroup;
import io.gev.websocket.WebSocketHandler;
import io.gev.websocket.WebSocketMessage;
import io.gev.websocket.WebSocketOptions;
import io.gev.websocket.WebSocketServer;
import io.gev.websocket.WebSocketSession;
import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Broadcast to N local WebSocket sessions: one server (gev's {@link WebSocketGroup} or Netty's
 * ChannelGroup, both on one epoll loop) and N gev WebSocket clients in a second JVM on one loop,
 * which says when every session has the message. Each round broadcasts one 64-byte text and waits until every client has it; the time
 * per broadcast covers encoding, queueing to N connections, writing and the clients' reading.
 *
 * <pre>java -cp gev-benchmarks.jar io.gev.bench.cluster.GroupBench broadcast gev|netty SESSIONS ROUNDS</pre>
 *
 * Prints one {@code GROUP ...} line.
 */
public final class GroupBench {

    private GroupBench() {
    }

    /** A server whose members all get {@link #broadcast(String)}. */
    interface BroadcastServer extends AutoCloseable {
        int port();

        int members();

        void broadcast(String text);

        @Override
        void close();
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("redis")) {
            RedisLatencyBench.main(args);
            return;
        }
        if (args.length == 3 && args[0].equals("clients")) {
            clients(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            return;
        }
        if (args.length != 4 || !args[0].equals("broadcast")) {
            System.err.println("usage: GroupBench broadcast gev|netty SESSIONS ROUNDS | redis REDIS_PORT MESSAGES");
            System.exit(2);
        }
        String impl = args[1];
        int sessions = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        try (BroadcastServer server = impl.equals("netty") ? new NettyBroadcastServer() : new GevBroadcastServer()) {
            broadcast(impl, server, sessions, rounds);
        }
    }

    private static void broadcast(String impl, BroadcastServer server, int sessions, int rounds) throws Exception {
        // The clients run in a JVM of their own: 10,000 sessions on both sides of one process would
        // need twice the descriptors a process may have here.
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>();
        String cpu = System.getProperty("gev.bench.client.cpu");
        if (cpu != null && !cpu.isEmpty()) {
            // The clients on the load generator's CPU, as in the other rows; the server keeps its own.
            command.addAll(List.of("taskset", "-c", cpu));
        }
        command.addAll(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                GroupBench.class.getName(), "clients", Integer.toString(server.port()), Integer.toString(sessions)));
        Process clients = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader replies = new BufferedReader(new InputStreamReader(clients.getInputStream(), StandardCharsets.US_ASCII))) {
            expect(replies, "READY");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (server.members() < sessions) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + server.members() + " of " + sessions + " joined");
                }
                Thread.onSpinWait();
            }
            String text = "x".repeat(64);
            int warmup = Math.max(20, rounds / 4);
            Histogram perBroadcast = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            for (int r = 0; r < warmup + rounds; r++) {
                long start = System.nanoTime();
                server.broadcast(text);
                expect(replies, "GOT");
                if (r >= warmup) {
                    perBroadcast.recordValue(System.nanoTime() - start);
                }
            }
            double p50 = perBroadcast.getValueAtPercentile(50);
            System.out.printf(Locale.ROOT, "GROUP scenario=broadcast sessions=%d label=%s rounds=%d p50_us=%.0f p99_us=%.0f"
                    + " ns_per_delivery=%.0f%n", sessions, impl, rounds, p50 / 1000,
                    perBroadcast.getValueAtPercentile(99) / 1000.0, p50 / sessions);
        } finally {
            clients.destroy();
            clients.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void expect(BufferedReader replies, String line) throws IOException {
        String got = replies.readLine();
        if (!line.equals(got)) {
            throw new IllegalStateException("the clients said " + got + ", not " + line);
        }
    }

    /** The client JVM: SESSIONS sessions; prints READY, then GOT whenever every session got one more message. */
    private static void clients(int port, int sessions) throws Exception {
        AtomicInteger arrived = new AtomicInteger();
        EventLoops clientLoops = EventLoops.builder().loops(1).build();
        WebSocketClient client = WebSocketClient.builder(new WebSocketHandler() {
            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                if (arrived.incrementAndGet() == sessions) {
                    arrived.set(0);
                    System.out.println("GOT");
                    System.out.flush();
                }
                return null;
            }
        }).options(WebSocketOptions.defaults()).eventLoops(clientLoops).build();
        URI uri = URI.create("ws://127.0.0.1:" + port + "/");
        List<CompletableFuture<WebSocketSession>> batch = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            batch.add(client.connect(uri));
            if (batch.size() == 200 || i == sessions - 1) {
                CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                batch.clear();
            }
        }
        System.out.println("READY");
        System.out.flush();
        // Until the benchmark ends this process.
        new CountDownLatch(1).await();
    }

    /** gev's WebSocket server with a local group. */
    static final class GevBroadcastServer implements BroadcastServer {

        private final WebSocketGroup group = new WebSocketGroup();
        private final Server server;

        GevBroadcastServer() {
            this.server = WebSocketServer.builder(new WebSocketHandler() {
                @Override
                public void onOpen(WebSocketSession session) {
                    group.add(session);
                }
            }, WebSocketOptions.defaults()).address("127.0.0.1").port(0).loops(1).maxConnections(0).build();
            this.server.start();
        }

        @Override
        public int port() {
            return server.port();
        }

        @Override
        public int members() {
            return group.size();
        }

        @Override
        public void broadcast(String text) {
            group.broadcastText(text);
        }

        @Override
        public void close() {
            server.stop(Duration.ZERO);
        }
    }
}
