/**
 * Cluster-wide WebSocket groups over Redis pub/sub: {@link io.gev.spring.boot.cluster.RedisGroupBroker},
 * gev's {@link io.gev.cluster.GroupBroker} on Spring Data Redis, and its health indicator.
 */
package io.gev.spring.boot.cluster;
