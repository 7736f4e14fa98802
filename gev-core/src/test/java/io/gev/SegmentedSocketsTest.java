package io.gev;

import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import com.google.protobuf.Empty;
import com.google.protobuf.Int64Value;
import com.google.protobuf.Message;
import com.google.protobuf.StringValue;
import io.gev.loop.Transport;
import io.gev.protocol.LengthFieldProtocol;
import io.gev.protocol.LineProtocol;
import io.gev.protocol.protobuf.ProtobufProtocol;
import io.gev.testing.SegmentedExchange;
import io.gev.testing.SegmentedExchange.Script;
import io.gev.testing.SegmentedExchange.Size;
import io.gev.testing.SegmentedRuns;
import io.gev.testing.SegmentedSocket;
import io.gev.testing.TestCertificates;
import io.gev.testing.TestClient;
import io.gev.testing.TestServers;
import io.gev.testing.TlsTestClient;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;

import static io.gev.testing.Await.await;
import static io.gev.testing.SegmentedExchange.concat;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gev's framings over real sockets when the client cuts what it sends into TCP segments at
 * seeded-random points (1 to 3,000 bytes, or one byte at a time) with a short pause after each:
 * raw echo, length-field, line and protobuf frames, and echo over TLS, on epoll and NIO. Each
 * server has one loop and serves conversations in sequence and at once on it (see
 * {@link SegmentedRuns}), so state left behind by one connection would show on the next; every
 * reply must come back byte for byte and in order, followed by a clean end of the stream.
 * Failures name their seed; {@code -Dgev.test.seed=} replays a run.
 */
@Timeout(60)
class SegmentedSocketsTest {

    private static final long SEED = Long.getLong("gev.test.seed", 13L);
    private static final String INT64 = Int64Value.getDescriptor().getFullName();

    @RegisterExtension
    final TestServers servers = new TestServers();

    private Server start(Server.Builder builder) {
        return servers.start(builder.loops(1));
    }

    /** The index of the message being answered on {@code connection}: 0, 1, 2 and so on. */
    private static int nextIndex(Connection connection) {
        Integer index = connection.attribute("index");
        int next = index == null ? 0 : index;
        connection.setAttribute("index", next + 1);
        return next;
    }

    /** Answers each frame with {@code #<index> <payload>}. */
    private static final Handler<ByteBuffer> NUMBERED = (connection, context, payload) -> {
        byte[] prefix = ("#" + nextIndex(connection) + " ").getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(prefix.length + payload.remaining()).put(prefix).put(payload).flip();
    };

    private static byte[] numbered(int index, byte[] payload) {
        return concat(("#" + index + " ").getBytes(StandardCharsets.US_ASCII), payload);
    }

    /** Runs the plan of plain-TCP conversations of {@code scripts} against {@code server}. */
    private static long converse(Server server, String name, ScriptMaker scripts) throws Exception {
        return SegmentedRuns.run(name, SEED, (seed, step, label) -> {
            Script script = scripts.make(new Random(seed), step.size());
            try (SegmentedSocket socket = SegmentedSocket.connect(server.port(), SegmentedRuns.cutSeed(seed), step.cuts())) {
                SegmentedExchange.run(socket, script, label);
                return socket.segments();
            }
        });
    }

    @FunctionalInterface
    private interface ScriptMaker {
        Script make(Random random, Size size);
    }

    /** Every connection ended as the peer's, and none by an error. */
    private static void assertEndedCleanly(Server server, String name, CloseReason expected) {
        ServerStats stats = server.stats();
        await(Duration.ofSeconds(10), () -> stats.activeConnections() == 0
                        && stats.closedConnections(expected) == SegmentedRuns.CONVERSATIONS,
                () -> name + ": " + stats.activeConnections() + " connections open, "
                        + stats.closedConnections(expected) + " of " + SegmentedRuns.CONVERSATIONS + " closed as "
                        + expected + "; seed " + SEED);
        SegmentedRuns.assertClosedOnlyAs(stats, name, SEED, expected);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void rawEcho(Transport transport) throws Exception {
        Server server = start(TestServers.local((connection, context, payload) -> payload, transport));
        String name = "raw echo on " + transport;
        long segments = converse(server, name, SegmentedExchange::echo);
        assertEndedCleanly(server, name, CloseReason.PEER);
        // Raw framing hands over each read as a message, so this counts the server's reads: most
        // cuts are reads of their own (all of them on an idle machine); a loaded one merges more.
        long reads = server.stats().messagesIn();
        System.out.println(name + ": " + segments + " segments sent, " + reads + " reads; seed " + SEED);
        assertTrue(reads * 8 >= segments, name + ": only " + reads + " reads for " + segments
                + " segments, so the cuts did not reach the server as such; seed " + SEED);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void lengthFieldFrames(Transport transport) throws Exception {
        Server server = start(TestServers.local(LengthFieldProtocol.builder().build(), NUMBERED, transport));
        String name = "length-field frames on " + transport;
        converse(server, name, (random, size) -> SegmentedExchange.lengthField(random, size,
                SegmentedSocketsTest::numbered));
        assertEndedCleanly(server, name, CloseReason.PEER);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void crLfLines(Transport transport) throws Exception {
        LineProtocol crlf = LineProtocol.builder().delimiter("\r\n").build();
        Server server = start(TestServers.local(crlf, NUMBERED, transport));
        String name = "CRLF lines on " + transport;
        converse(server, name, (random, size) -> SegmentedExchange.lines(random, size, "\r\n",
                SegmentedSocketsTest::numbered));
        assertEndedCleanly(server, name, CloseReason.PEER);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void protobufMessages(Transport transport) throws Exception {
        ProtobufProtocol protocol = ProtobufProtocol.builder().register(StringValue.getDefaultInstance())
                .register(BytesValue.getDefaultInstance()).register(Int64Value.getDefaultInstance())
                .register(Empty.getDefaultInstance()).build();
        // Each message is answered by its index on the connection, then by itself.
        Handler<Message> numberedEcho = (connection, context, message) -> {
            connection.send(Int64Value.of(nextIndex(connection)));
            return message;
        };
        Server server = start(TestServers.local(protocol, numberedEcho, transport));
        String name = "protobuf messages on " + transport;
        converse(server, name, SegmentedSocketsTest::protobufScript);
        assertEndedCleanly(server, name, CloseReason.PEER);
    }

    private static Script protobufScript(Random random, Size size) {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        int messages = SegmentedExchange.messages(random, size);
        for (int i = 0; i < messages; i++) {
            int payload = SegmentedExchange.payloadSize(random, size);
            Message message;
            switch (random.nextInt(4)) {
                case 0:
                    message = StringValue.of(SegmentedExchange.text(random, payload));
                    break;
                case 1:
                    byte[] bytes = new byte[payload];
                    random.nextBytes(bytes);
                    message = BytesValue.of(ByteString.copyFrom(bytes));
                    break;
                case 2:
                    message = Int64Value.of(random.nextLong());
                    break;
                default:
                    message = Empty.getDefaultInstance();
            }
            byte[] frame = protobufFrame(message.getDescriptorForType().getFullName(), message.toByteArray());
            request.writeBytes(frame);
            reply.writeBytes(protobufFrame(INT64, Int64Value.of(i).toByteArray()));
            reply.writeBytes(frame);
        }
        return new Script(request.toByteArray(), reply.toByteArray(), messages);
    }

    /** The framing of ProtobufProtocol, written from its layout: length, name length, name, message. */
    private static byte[] protobufFrame(String typeName, byte[] message) {
        byte[] name = typeName.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(6 + name.length + message.length).putInt(2 + name.length + message.length)
                .putShort((short) name.length).put(name).put(message).array();
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void tlsEcho(Transport transport) throws Exception {
        TestCertificates certificates = TestCertificates.get();
        Server server = start(TestServers.local((connection, context, payload) -> payload, transport)
                .tls(certificates.serverOptions().build()));
        String name = "TLS echo on " + transport;
        SegmentedRuns.run(name, SEED, (seed, step, label) -> {
            Random random = new Random(seed);
            byte[] data = SegmentedExchange.echo(random, step.size()).request();
            // The handshake too is cut: the ClientHello and Finished reach the server in pieces.
            try (SegmentedSocket socket = SegmentedSocket.connect(server.port(), SegmentedRuns.cutSeed(seed), step.cuts());
                    TlsTestClient client = TlsTestClient.over(new TestClient(socket), certificates.clientContext())) {
                SegmentedExchange.runTlsEcho(client, data, random, label);
                return socket.segments();
            }
        });
        assertEndedCleanly(server, name, CloseReason.PEER);
    }
}
