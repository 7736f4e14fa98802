/**
 * The Protocol SPI that frames byte streams into messages, and the built-in protocols:
 * {@link io.gev.protocol.RawProtocol} (no framing), {@link io.gev.protocol.LengthFieldProtocol}
 * and {@link io.gev.protocol.LineProtocol}; Protocol Buffers framing is in
 * {@code io.gev.protocol.protobuf}. Protocols use only the public API and {@link io.gev.buffer},
 * exactly as a user's own protocol would.
 */
package io.gev.protocol;
