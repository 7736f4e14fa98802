package io.gev.testing;

import io.gev.CloseReason;
import io.gev.Server;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Starts servers and stops them after each test, like {@link TestServers}, but gives up on a
 * server whose loop does not stop within {@value #STOP_TIMEOUT_MILLIS} ms (a loop stuck in a
 * callback) instead of waiting forever, and fails then. Its static helpers describe such a
 * server, and what it sent, in failure messages.
 */
public final class BoundedServers implements AfterEachCallback {
    public static final int STOP_TIMEOUT_MILLIS = 3_000;

    private final List<Server> started = new ArrayList<>();

    public Server start(Server.Builder builder) {
        Server server = builder.build();
        started.add(server);
        server.start();
        return server;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
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

    /** How many connections the server closed for each reason, for failure messages. */
    public static String closeCounts(Server server) {
        StringBuilder sb = new StringBuilder();
        for (CloseReason reason : CloseReason.values()) {
            long n = server.stats().closedConnections(reason);
            if (n > 0) {
                sb.append(sb.length() == 0 ? "" : ", ").append(reason).append('=').append(n);
            }
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }

    /** Whether the server's first loop runs a task within a second (a stuck loop fails every later conversation). */
    public static boolean loopResponds(Server server) {
        CompletableFuture<Void> ran = new CompletableFuture<>();
        server.loops().get(0).execute(() -> ran.complete(null));
        try {
            ran.get(1, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** {@code null} when equal, else where they first differ, with a few bytes of each around it. */
    public static String difference(byte[] expected, byte[] got) {
        int n = Math.min(expected.length, got.length);
        int at = 0;
        while (at < n && expected[at] == got[at]) {
            at++;
        }
        if (at == n && expected.length == got.length) {
            return null;
        }
        int from = Math.max(0, at - 4);
        return "wrong bytes: " + got.length + " received where " + expected.length + " were expected, first"
                + " difference at offset " + at + ": expected " + hex(expected, from, at + 12) + ", got "
                + hex(got, from, at + 12) + " (from offset " + from + ")";
    }

    private static String hex(byte[] bytes, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < Math.min(to, bytes.length); i++) {
            sb.append(String.format(Locale.ROOT, "%02x", bytes[i] & 0xFF));
        }
        return sb.length() == 0 ? "(nothing)" : sb.toString();
    }
}
