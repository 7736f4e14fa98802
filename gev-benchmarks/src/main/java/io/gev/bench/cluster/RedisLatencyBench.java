package io.gev.bench.cluster;

import io.gev.Server;
import io.gev.cluster.ClusterOptions;
import io.gev.spring.boot.cluster.RedisGroupBroker;
import io.gev.websocket.WebSocketClient;
import io.gev.websocket.WebSocketGroup;
import io.gev.websocket.WebSocketGroups;
import io.gev.websocket.WebSocketHandler;
import io.gev.websocket.WebSocketMessage;
import io.gev.websocket.WebSocketOptions;
import io.gev.websocket.WebSocketServer;
import io.gev.websocket.WebSocketSession;
import org.HdrHistogram.Histogram;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/**
 * The latency of a cluster-wide group message: instance A (a {@link WebSocketGroups} on the
 * starter's {@link RedisGroupBroker}) broadcasts its send time, Redis carries it to instance B,
 * whose group queues it to its one member, a gev WebSocket client in this process that records
 * the time it arrived. One message in flight at a time, so this is the unloaded latency of the
 * whole path: envelope, publish, Redis, subscription, decode, WebSocket write and read.
 *
 * <pre>java -cp gev-benchmarks.jar io.gev.bench.cluster.GroupBench redis MESSAGES</pre>
 *
 * Starts its own {@code /usr/bin/redis-server} on a free port; prints one {@code GROUP ...} line.
 */
final class RedisLatencyBench {

    private RedisLatencyBench() {
    }

    static void main(String[] args) throws Exception {
        int messages = Integer.parseInt(args[1]);
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Process redis = new ProcessBuilder("/usr/bin/redis-server", "--port", Integer.toString(port), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no").redirectErrorStream(true).start();
        try {
            BufferedReader log = new BufferedReader(new InputStreamReader(redis.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = log.readLine()) != null && !line.contains("Ready to accept connections");) {
                // Skips redis-server's banner.
            }
            Thread drain = new Thread(() -> {
                try {
                    while (log.readLine() != null) {
                        // Keeps the pipe from filling.
                    }
                } catch (java.io.IOException ignored) {
                    // redis-server exited.
                }
            });
            drain.setDaemon(true);
            drain.start();
            run(port, messages);
        } finally {
            redis.destroyForcibly();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void run(int redisPort, int messages) throws Exception {
        LettuceConnectionFactory factoryA = factory(redisPort);
        LettuceConnectionFactory factoryB = factory(redisPort);
        RedisGroupBroker brokerA = broker(factoryA, "a");
        RedisGroupBroker brokerB = broker(factoryB, "b");
        WebSocketGroups groupsA = new WebSocketGroups(brokerA, options("a"));
        WebSocketGroups groupsB = new WebSocketGroups(brokerB, options("b"));
        WebSocketGroup fromA = groupsA.group("bench");
        WebSocketGroup atB = groupsB.group("bench");
        Server serverB = WebSocketServer.builder(new WebSocketHandler() {
            @Override
            public void onOpen(WebSocketSession session) {
                atB.add(session);
            }
        }, WebSocketOptions.defaults()).address("127.0.0.1").port(0).loops(1).build();
        serverB.start();
        SynchronousQueue<Long> arrivals = new SynchronousQueue<>();
        WebSocketClient client = WebSocketClient.builder(new WebSocketHandler() {
            @Override
            public Object onMessage(WebSocketSession session, WebSocketMessage message) {
                long now = System.nanoTime();
                long sent = Long.parseLong(message.text());
                try {
                    arrivals.put(now - sent);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }
        }).build();
        try {
            CompletableFuture<WebSocketSession> session = client.connect(URI.create("ws://127.0.0.1:" + serverB.port() + "/"));
            session.get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (atB.size() < 1 || !brokerA.isAvailable() || !brokerB.isAvailable()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Redis or the member did not come up");
                }
                Thread.onSpinWait();
            }
            int warmup = Math.max(500, messages / 4);
            Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            for (int i = 0; i < warmup + messages; i++) {
                fromA.broadcastText(Long.toString(System.nanoTime()));
                Long took = arrivals.poll(10, TimeUnit.SECONDS);
                if (took == null) {
                    throw new IllegalStateException("message " + i + " did not arrive; dropped " + groupsA.dropped());
                }
                if (i >= warmup) {
                    latency.recordValue(took);
                }
            }
            System.out.printf(Locale.ROOT, "GROUP scenario=redis-latency label=gev messages=%d p50_us=%.0f p99_us=%.0f"
                    + " max_us=%.0f%n", messages, latency.getValueAtPercentile(50) / 1000.0,
                    latency.getValueAtPercentile(99) / 1000.0, latency.getMaxValue() / 1000.0);
        } finally {
            client.stop(Duration.ZERO);
            serverB.stop(Duration.ZERO);
            groupsA.close();
            groupsB.close();
            brokerA.close();
            brokerB.close();
            factoryA.destroy();
            factoryB.destroy();
        }
    }

    private static ClusterOptions options(String id) {
        return ClusterOptions.builder().instanceId(id).channelPrefix("bench:").build();
    }

    private static LettuceConnectionFactory factory(int port) {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", port));
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    private static RedisGroupBroker broker(LettuceConnectionFactory factory, String id) {
        RedisGroupBroker broker = new RedisGroupBroker(factory, factory, "bench:\u0000probe:" + id,
                Duration.ofSeconds(1), Duration.ofSeconds(2));
        broker.start();
        return broker;
    }
}
