/**
 * Benchmarks of WebSocket groups: a broadcast to many local sessions (gev's group against Netty's
 * ChannelGroup) and the latency of a cluster-wide group message through a real redis-server.
 */
package io.gev.bench.cluster;
