package io.gev.protocol.protobuf;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.gev.Connection;
import io.gev.buffer.RingBuffer;
import io.gev.protocol.Frame;
import io.gev.protocol.Protocol;
import io.gev.protocol.ProtocolException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Protocol Buffers messages framed as in the original gev's {@code plugins/protobuf}:
 * <pre>
 * [length: uint32, big-endian][name length: uint16, big-endian][type name: UTF-8][message bytes]
 * </pre>
 * where {@code length} counts everything after itself ({@code 2 + name length + message bytes})
 * and the type name is the message's full name, {@code Descriptor.getFullName()}, for example
 * {@code google.protobuf.StringValue}, or a name registered for the type.
 *
 * <p><b>Decoding</b> parses each frame with the parser {@link Builder#register registered} for
 * its type name. The handler, a {@code Handler<Message>}, gets the type name (the registered
 * {@code String} instance) as its context and the parsed {@link Message} as its message, of the
 * class the registered parser makes:
 * <pre>{@code
 * Server.builder(protocol, (connection, typeName, message) ->
 *         message instanceof StringValue s ? StringValue.of(s.getValue().toUpperCase()) : null)
 * }</pre>
 * A frame longer than {@link Builder#maxFrameLength(int) maxFrameLength} (checked as soon as its
 * first four bytes arrive), a type name nobody registered (checked as soon as the name arrives),
 * an inconsistent name length or bytes that do not parse are {@link ProtocolException}s, which
 * close the connection. Parsed messages never share memory with gev's buffers: the handler may keep them.
 *
 * <p><b>Packing</b> accepts {@link Message}s, registered or not, and serializes them straight into
 * the connection's buffer, under the name their type was {@link Builder#register(String, Message)
 * registered} with, or else their full name.
 *
 * <p>{@code protobuf-java} is an optional dependency of gev-core: add it to use this class; the
 * rest of gev does not need it. Instances are immutable and shared by every connection and loop;
 * they keep no per-connection state.
 */
public final class ProtobufProtocol implements Protocol<Message> {

    /** Default {@link Builder#maxFrameLength(int)}: 1 MiB. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 1024 * 1024;

    /** The length field and the name length field. */
    private static final int HEADER_LENGTH = 6;
    /** Unknown type names quoted in error messages are cut to this many characters. */
    private static final int MAX_QUOTED_NAME = 100;
    /** Registered names listed in an unknown-type error. */
    private static final int MAX_LISTED_NAMES = 5;

    /** Keyed by the UTF-8 name, so a frame's name is looked up in place, without decoding it. */
    private final Map<ByteBuffer, MessageType> byEncodedName;
    private final Map<String, MessageType> byName;
    /** The types packed under a name of their own, by full name. */
    private final Map<String, MessageType> byFullName;
    private final int longestName;
    private final int maxFrameLength;

    private ProtobufProtocol(Builder b) {
        this.byName = Collections.unmodifiableMap(new LinkedHashMap<>(b.types));
        this.byFullName = new HashMap<>(b.packedAs);
        Map<ByteBuffer, MessageType> encoded = new HashMap<>();
        int longest = 0;
        for (MessageType type : byName.values()) {
            encoded.put(ByteBuffer.wrap(type.encodedName), type);
            longest = Math.max(longest, type.encodedName.length);
        }
        this.byEncodedName = encoded;
        this.longestName = longest;
        this.maxFrameLength = b.maxFrameLength;
    }

    /** A builder with no types registered and frames of up to 1 MiB. */
    public static Builder builder() {
        return new Builder();
    }

    /** The registered type names, in registration order. */
    public Set<String> typeNames() {
        return byName.keySet();
    }

    /** The largest frame accepted, its length field included. */
    public int maxFrameLength() {
        return maxFrameLength;
    }

    @Override
    public boolean unpack(Connection connection, RingBuffer in, Frame<Message> frame) {
        int available = in.length();
        if (available < 4) {
            return false;
        }
        long length = in.getInt(0) & 0xFFFF_FFFFL;
        if (length + 4 > maxFrameLength) {
            throw new ProtocolException("frame length " + (length + 4) + " (length field " + length
                    + ") exceeds maxFrameLength " + maxFrameLength);
        }
        if (length < 2) {
            throw new ProtocolException("length field " + length + " leaves no room for the 2-byte type name length");
        }
        if (available < HEADER_LENGTH) {
            return false;
        }
        int nameLength = in.getShort(4) & 0xFFFF;
        if (nameLength > length - 2) {
            throw new ProtocolException("type name length " + nameLength + " exceeds the " + (length - 2)
                    + " bytes the frame has left");
        }
        if (nameLength > longestName) {
            throw new ProtocolException("unknown message type: a name of " + nameLength
                    + " bytes, longer than any registered " + registered());
        }
        if (available < HEADER_LENGTH + nameLength) {
            return false;
        }
        MessageType type = lookUp(in, nameLength);
        if (available < length + 4) {
            return false;
        }
        int messageLength = (int) (length - 2 - nameLength);
        in.retrieve(HEADER_LENGTH + nameLength);
        ByteBuffer bytes = in.peekView(messageLength);
        in.retrieve(messageLength);
        frame.set(type.name, parse(type, bytes));
        return true;
    }

    private MessageType lookUp(RingBuffer in, int nameLength) {
        ByteBuffer name = in.peekView(HEADER_LENGTH + nameLength);
        name.position(name.position() + HEADER_LENGTH);
        MessageType type = byEncodedName.get(name);
        if (type == null) {
            throw new ProtocolException("unknown message type '" + quote(name) + "' " + registered());
        }
        return type;
    }

    private static Message parse(MessageType type, ByteBuffer bytes) {
        int position = bytes.position();
        int limit = bytes.limit();
        try {
            return type.parser.parseFrom(bytes);
        } catch (IOException | RuntimeException e) {
            // Any failure here is the peer's bytes, not gev's or the handler's.
            throw new ProtocolException(bytes.remaining() + " bytes of " + type.name + " do not parse: "
                    + e.getMessage(), e);
        } finally {
            bytes.limit(limit).position(position);
        }
    }

    @Override
    public void pack(Connection connection, Object message, RingBuffer out) {
        if (!(message instanceof Message)) {
            throw Protocol.cannotPack(message, "com.google.protobuf.Message");
        }
        Message m = (Message) message;
        String name = m.getDescriptorForType().getFullName();
        MessageType type = byFullName.get(name);
        byte[] encodedName = type != null ? type.encodedName : encodeName(name);
        int size = m.getSerializedSize();
        out.writeInt((int) (2L + encodedName.length + size));
        out.writeShort(encodedName.length);
        out.write(encodedName);
        CodedOutputStream stream = CodedOutputStream.newInstance(out.writableSegment(size));
        try {
            m.writeTo(stream);
            stream.flush();
        } catch (IOException e) {
            throw new IllegalStateException("Serializing " + name + " failed", e);
        }
        out.advanceWriter(size);
    }

    @Override
    public String toString() {
        return "ProtobufProtocol[types=" + byName.keySet() + ", maxFrameLength=" + maxFrameLength + "]";
    }

    private String registered() {
        if (byName.isEmpty()) {
            return "(none are registered)";
        }
        StringBuilder s = new StringBuilder("(registered: ");
        int listed = 0;
        for (String name : byName.keySet()) {
            if (listed == MAX_LISTED_NAMES) {
                s.append(", ... ").append(byName.size() - listed).append(" more");
                break;
            }
            s.append(listed++ == 0 ? "" : ", ").append(name);
        }
        return s.append(')').toString();
    }

    /** The name bytes as text fit for a log line: control characters escaped, cut short. */
    private static String quote(ByteBuffer name) {
        String text = StandardCharsets.UTF_8.decode(name.duplicate()).toString();
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            if (i == MAX_QUOTED_NAME) {
                return s.append("...").toString();
            }
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7F || c == '\'' || c == '\\') {
                s.append(String.format("\\x%02x", (int) c));
            } else {
                s.append(c);
            }
        }
        return s.toString();
    }

    private static byte[] encodeName(String typeName) {
        byte[] encoded = typeName.getBytes(StandardCharsets.UTF_8);
        if (encoded.length > 0xFFFF) {
            throw new IllegalArgumentException("typeName must fit 65535 bytes in UTF-8: " + encoded.length);
        }
        return encoded;
    }

    private static final class MessageType {
        final String name;
        final byte[] encodedName;
        final Parser<? extends Message> parser;

        MessageType(String name, Parser<? extends Message> parser) {
            this.name = name;
            this.encodedName = encodeName(name);
            this.parser = parser;
        }
    }

    /**
     * Options of a {@link ProtobufProtocol}. Each method validates its arguments and names them
     * when they are wrong. Not thread-safe; the protocol it builds is.
     */
    public static final class Builder {

        private final Map<String, MessageType> types = new LinkedHashMap<>();
        private final Map<String, MessageType> packedAs = new HashMap<>();
        private int maxFrameLength = DEFAULT_MAX_FRAME_LENGTH;

        private Builder() {
        }

        /**
         * Registers a message type under its full name, parsed by its own parser: pass the
         * generated class's {@code getDefaultInstance()}.
         *
         * @throws IllegalArgumentException when the name is already registered
         */
        public Builder register(Message prototype) {
            Objects.requireNonNull(prototype, "prototype");
            return register(prototype.getDescriptorForType().getFullName(), prototype);
        }

        /**
         * Registers a message type under a name of its own, such as the original gev example's
         * {@code "msg1"}: frames with that name are parsed by the type's parser, and messages of
         * the type are packed with that name.
         *
         * @throws IllegalArgumentException when {@code typeName} is empty, longer than 65535 bytes
         *         in UTF-8 or already registered, or the type is already packed under another name
         */
        public Builder register(String typeName, Message prototype) {
            Objects.requireNonNull(prototype, "prototype");
            String fullName = prototype.getDescriptorForType().getFullName();
            MessageType packed = packedAs.get(fullName);
            if (packed != null) {
                throw new IllegalArgumentException("prototype " + fullName + " is already registered as "
                        + packed.name);
            }
            register(typeName, prototype.getParserForType());
            packedAs.put(fullName, types.get(typeName));
            return this;
        }

        /**
         * Registers a parser for frames named {@code typeName}; only for decoding: messages the
         * parser returns are packed under their full name unless their type is registered with
         * {@link #register(String, Message)}.
         *
         * @throws IllegalArgumentException when {@code typeName} is empty, longer than 65535 bytes
         *         in UTF-8 or already registered
         */
        public Builder register(String typeName, Parser<? extends Message> parser) {
            Objects.requireNonNull(typeName, "typeName");
            Objects.requireNonNull(parser, "parser");
            if (typeName.isEmpty()) {
                throw new IllegalArgumentException("typeName must not be empty");
            }
            if (types.containsKey(typeName)) {
                throw new IllegalArgumentException("typeName is already registered: " + typeName);
            }
            types.put(typeName, new MessageType(typeName, parser));
            return this;
        }

        /**
         * The largest frame accepted, its 4-byte length field included; default 1 MiB. A frame
         * declaring more closes the connection as soon as its length arrives.
         */
        public Builder maxFrameLength(int bytes) {
            if (bytes < HEADER_LENGTH) {
                throw new IllegalArgumentException("maxFrameLength must be >= " + HEADER_LENGTH + ": " + bytes);
            }
            this.maxFrameLength = bytes;
            return this;
        }

        /** Creates the protocol; with no type registered it can only send. */
        public ProtobufProtocol build() {
            return new ProtobufProtocol(this);
        }
    }
}
