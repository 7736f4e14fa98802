package io.gev.protocol.protobuf;

import io.gev.Server;
import io.gev.buffer.RingBuffer;
import io.gev.loop.Transport;
import io.gev.protocol.LengthFieldProtocol;
import io.gev.protocol.LineProtocol;
import io.gev.protocol.Protocol;
import io.gev.protocol.RawProtocol;
import io.gev.testing.TestClient;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Echoes a message through servers using each protocol that must work without protobuf-java;
 * {@link ProtobufOptionalTest} runs it in a class loader that cannot see protobuf-java. Returns
 * "ok" or what went wrong. It refers to no protobuf type, so loading it needs none.
 */
public final class EchoWithoutProtobuf implements Callable<String> {

    private final Transport transport;

    public EchoWithoutProtobuf(String transport) {
        this.transport = Transport.valueOf(transport);
    }

    @Override
    public String call() throws Exception {
        try {
            Class.forName("com.google.protobuf.Message", false, getClass().getClassLoader());
            return "protobuf-java is on the class path";
        } catch (ClassNotFoundException expected) {
            // The point of the exercise.
        }
        for (Protocol<ByteBuffer> protocol : List.of(RawProtocol.INSTANCE, LengthFieldProtocol.builder().build(),
                LineProtocol.builder().build())) {
            RingBuffer framed = RingBuffer.allocate(0);
            protocol.pack(null, "hello without protobuf", framed);
            byte[] request = framed.toByteArray();
            Server server = Server.builder(protocol, (c, ctx, payload) -> payload).address("127.0.0.1").port(0).loops(1)
                    .transport(transport).daemonThreads(true).build();
            server.start();
            try (TestClient client = TestClient.connect(server)) {
                client.write(request);
                byte[] reply = client.readExactly(request.length);
                if (!Arrays.equals(request, reply)) {
                    return protocol + " echoed " + Arrays.toString(reply);
                }
            } finally {
                server.stop(Duration.ZERO);
            }
        }
        return "ok";
    }
}
