/**
 * Protocol Buffers framing ({@link io.gev.protocol.protobuf.ProtobufProtocol}); needs
 * {@code com.google.protobuf:protobuf-java}, an optional dependency of gev-core.
 */
package io.gev.protocol.protobuf;
