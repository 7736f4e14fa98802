package io.gev.loop;

import java.util.List;

/**
 * Chooses the loop that will own a newly accepted connection.
 *
 * <p>Called on the accepting thread only, so an implementation may keep unsynchronized state; it
 * must be fast and must not block. One instance serves one server: to give several servers the
 * same built-in strategy, name it with {@link LoadBalancing} and each server makes its own.
 *
 * <p>A balancer that returns something other than one of the loops it was given, or that throws,
 * costs the connection it was asked about: the server closes it (counted as
 * {@link io.gev.CloseReason#REJECTED rejected}), logs an error at most once a second, and goes on
 * accepting.
 */
@FunctionalInterface
public interface LoadBalancer {

    /**
     * @param loops the server's loops, never empty
     * @return one of {@code loops}
     */
    EventLoop select(List<? extends EventLoop> loops);

    /** Each loop in turn; a new balancer with its own position, for one server. */
    static LoadBalancer roundRobin() {
        return new LoadBalancer() {
            private int next;

            @Override
            public EventLoop select(List<? extends EventLoop> loops) {
                int i = next;
                next = i + 1 >= loops.size() ? 0 : i + 1;
                return loops.get(i < loops.size() ? i : 0);
            }

            @Override
            public String toString() {
                return "roundRobin";
            }
        };
    }

    /** The loop that owns the fewest connections; ties go to the lowest index. */
    static LoadBalancer leastConnections() {
        return new LoadBalancer() {
            @Override
            public EventLoop select(List<? extends EventLoop> loops) {
                EventLoop best = loops.get(0);
                int min = best.connectionCount();
                for (int i = 1; i < loops.size() && min > 0; i++) {
                    EventLoop loop = loops.get(i);
                    int count = loop.connectionCount();
                    if (count < min) {
                        best = loop;
                        min = count;
                    }
                }
                return best;
            }

            @Override
            public String toString() {
                return "leastConnections";
            }
        };
    }
}
