/**
 * The broker SPI behind cluster-wide {@link io.gev.websocket.WebSocketGroup}s: gev publishes one
 * message per broadcast to a {@link io.gev.cluster.GroupBroker} (Redis pub/sub in the Spring Boot
 * starter) and delivers what other instances publish to its own members. gev-core depends on no
 * broker; {@link io.gev.cluster.ClusterOptions} holds the instance id, channel prefix and size
 * limit.
 */
package io.gev.cluster;
