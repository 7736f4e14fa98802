/**
 * Byte buffers: the {@link io.gev.buffer.RingBuffer} that holds each connection's inbound and
 * outbound bytes, and helpers for the payload views handed to handlers.
 */
package io.gev.buffer;
