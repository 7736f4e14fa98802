package io.gev.loop;

/**
 * The built-in ways of spreading accepted connections over a server's loops, for configuration
 * that names one (such as {@code gev.server.load-balance: least-connections}).
 *
 * <p>A server given a strategy makes its own balancer from it ({@link #newLoadBalancer()}), so
 * servers built from the same options never share a balancer's state.
 */
public enum LoadBalancing {

    /** Each loop in turn: {@link LoadBalancer#roundRobin()}. */
    ROUND_ROBIN,

    /** The loop that owns the fewest connections: {@link LoadBalancer#leastConnections()}. */
    LEAST_CONNECTIONS;

    /** A new balancer of this strategy, for one server. */
    public LoadBalancer newLoadBalancer() {
        return this == ROUND_ROBIN ? LoadBalancer.roundRobin() : LoadBalancer.leastConnections();
    }
}
