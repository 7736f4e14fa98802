package io.gev.testing;

import io.gev.CloseReason;
import io.gev.Server;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What runs of conversations against a one-loop server report when they fail: how the server
 * closed its connections, whether its loop still runs, where bytes differ from those expected.
 */
public final class ServerRuns {

    private ServerRuns() {
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
