package io.gev.testing;

import io.gev.CloseReason;
import io.gev.ServerStats;
import io.gev.testing.SegmentedExchange.Size;
import io.gev.testing.SegmentedSocket.Cuts;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The plan every segmentation test follows against one server: three conversations one after
 * the other (random cuts, byte by byte, random cuts), each on a connection of its own, then three
 * at once (two with random cuts, one byte by byte). Conversation {@code i} draws everything from
 * seed {@code base + i}, which its label names.
 */
public final class SegmentedRuns {

    /** How one conversation cuts what it sends and how much it sends. */
    public record Step(Cuts cuts, Size size) {
    }

    public static final List<Step> IN_SEQUENCE = List.of(new Step(Cuts.random(), Size.LONG),
            new Step(Cuts.byteByByte(), Size.SHORT), new Step(Cuts.random(), Size.LONG));
    public static final List<Step> AT_ONCE = List.of(new Step(Cuts.random(), Size.LONG),
            new Step(Cuts.random(), Size.LONG), new Step(Cuts.byteByByte(), Size.SHORT));
    /** Conversations per run. */
    public static final int CONVERSATIONS = IN_SEQUENCE.size() + AT_ONCE.size();

    private SegmentedRuns() {
    }

    /** One conversation on a connection of its own. */
    @FunctionalInterface
    public interface Conversation {
        /**
         * @param label names the conversation and its seed, for failure messages
         * @return the segments the client sent
         */
        long run(long seed, Step step, String label) throws Exception;
    }

    /**
     * Runs the plan; a failure names the conversation, its seed and how to replay the run.
     *
     * @return the segments the clients sent
     */
    public static long run(String name, long baseSeed, Conversation conversation) throws Exception {
        long segments = 0;
        int index = 0;
        for (Step step : IN_SEQUENCE) {
            segments += runOne(name, baseSeed, index++, step, conversation);
        }
        ExecutorService pool = Executors.newFixedThreadPool(AT_ONCE.size());
        try {
            List<Future<Long>> running = new ArrayList<>();
            for (Step step : AT_ONCE) {
                int i = index++;
                running.add(pool.submit(() -> runOne(name, baseSeed, i, step, conversation)));
            }
            AssertionError failure = null;
            for (Future<Long> future : running) {
                try {
                    segments += future.get(60, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                    AssertionError error = cause instanceof AssertionError ? (AssertionError) cause
                            : new AssertionError(name + ": " + cause, cause);
                    if (failure == null) {
                        failure = error;
                    } else {
                        failure.addSuppressed(error);
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            pool.shutdownNow();
        }
        return segments;
    }

    private static long runOne(String name, long baseSeed, int index, Step step, Conversation conversation)
            throws Exception {
        long seed = baseSeed + index;
        String label = name + ", conversation " + index + " (" + step.cuts() + ", seed " + seed
                + "; replay with -Dgev.test.seed=" + baseSeed + ")";
        try {
            return conversation.run(seed, step, label);
        } catch (AssertionError e) {
            if (e.getMessage() != null && e.getMessage().contains(label)) {
                throw e;
            }
            throw new AssertionError(label + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new AssertionError(label + ": " + e, e);
        }
    }

    /** A seed for the cuts of a conversation, apart from the one its content is drawn from. */
    public static long cutSeed(long seed) {
        return seed * 0x9E3779B97F4A7C15L + 1;
    }

    /**
     * After a run on a server with these {@code stats}: it closed no connection for a reason
     * other than {@code allowed}, and accepted {@value #CONVERSATIONS} connections.
     */
    public static void assertClosedOnlyAs(ServerStats stats, String name, long seed, CloseReason... allowed) {
        List<CloseReason> expected = List.of(allowed);
        for (CloseReason reason : CloseReason.values()) {
            if (!expected.contains(reason)) {
                assertEquals(0, stats.closedConnections(reason), name + ": connections closed as " + reason
                        + "; seed " + seed);
            }
        }
        assertEquals(CONVERSATIONS, stats.acceptedConnections(), name);
    }
}
