package io.gev.testing;

import io.gev.Handler;
import io.gev.Server;
import io.gev.loop.Transport;
import io.gev.protocol.Protocol;
import io.gev.protocol.RawProtocol;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts servers for a test and stops them after it, whatever happened:
 * {@code @RegisterExtension final TestServers servers = new TestServers();}.
 */
public final class TestServers implements AfterEachCallback {

    /** How long a {@link #bounded()} extension waits for a server to stop. */
    public static final int STOP_TIMEOUT_MILLIS = 3_000;

    private final List<Server> started = new ArrayList<>();
    private final boolean bounded;

    public TestServers() {
        this(false);
    }

    private TestServers(boolean bounded) {
        this.bounded = bounded;
    }

    /**
     * Like {@code new TestServers()}, but gives up on a server whose loop does not stop within
     * {@value #STOP_TIMEOUT_MILLIS} ms (a loop stuck in a callback) instead of waiting forever,
     * and fails then.
     */
    public static TestServers bounded() {
        return new TestServers(true);
    }

    /** A raw-bytes server builder on 127.0.0.1, any free port, two loops and daemon threads. */
    public static Server.Builder local(Handler<ByteBuffer> handler, Transport transport) {
        return local(RawProtocol.INSTANCE, handler, transport);
    }

    /** A builder for a server of {@code protocol} on 127.0.0.1, any free port, two loops and daemon threads. */
    public static <M> Server.Builder local(Protocol<M> protocol, Handler<? super M> handler, Transport transport) {
        return Server.builder(protocol, handler).address("127.0.0.1").port(0).loops(2).transport(transport)
                .daemonThreads(true);
    }

    /**
     * Runs a throwaway server of {@code transport} with one echo: the first server of a JVM loads
     * native libraries, opens jars and seeds random generators once, which leak checks must not
     * count.
     */
    public static void warmUp(Transport transport) throws IOException {
        Server warmUp = local((c, ctx, p) -> p, transport).name("warm-up").build();
        warmUp.start();
        try (TestClient client = TestClient.connect(warmUp)) {
            client.write("warm");
            if (!client.readString(4).equals("warm")) {
                throw new IllegalStateException("the warm-up server does not echo");
            }
        } finally {
            warmUp.stop(Duration.ofSeconds(1));
        }
    }

    /** Builds and starts a server that is stopped after the test. */
    public Server start(Server.Builder builder) {
        return start(builder.build());
    }

    /** Starts {@code server} (again, if it ran before) and stops it after the test. */
    public Server start(Server server) {
        if (!started.contains(server)) {
            started.add(server);
        }
        server.start();
        return server;
    }

    /**
     * Stops every server now, for an {@code @AfterEach} method that must run after them (it runs
     * before this extension's own stop).
     */
    public void stopAll() {
        for (Server server : started) {
            server.stop(Duration.ZERO);
        }
        started.clear();
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        if (!bounded) {
            stopAll();
            return;
        }
        List<String> stuck = new ArrayList<>();
        for (Server server : started) {
            Thread stopper = new Thread(() -> server.stop(Duration.ZERO), "stop " + server.name());
            stopper.setDaemon(true);
            stopper.start();
            stopper.join(STOP_TIMEOUT_MILLIS);
            if (stopper.isAlive()) {
                stuck.add(server.toString());
            }
        }
        started.clear();
        if (!stuck.isEmpty()) {
            throw new AssertionError("not stopped within " + STOP_TIMEOUT_MILLIS + " ms (a loop is stuck): " + stuck);
        }
    }
}
