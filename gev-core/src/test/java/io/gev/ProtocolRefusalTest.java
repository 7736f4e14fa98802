package io.gev;

import io.gev.buffer.RingBuffer;
import io.gev.loop.Transport;
import io.gev.protocol.Frame;
import io.gev.protocol.Protocol;
import io.gev.protocol.RawProtocol;
import io.gev.testing.Await;
import io.gev.testing.CountingHandler;
import io.gev.testing.TestClient;
import io.gev.testing.TestServers;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A protocol that refuses a connection in its {@code onConnect}, by closing it or by throwing:
 * the handler never hears of that connection, neither its open nor its close; the protocol hears
 * of its close, to free what it set up.
 */
class ProtocolRefusalTest {

    @RegisterExtension
    final TestServers servers = new TestServers();

    private final AtomicInteger protocolCloses = new AtomicInteger();

    /** Raw bytes, but every second connection is refused in onConnect: closed, or by throwing. */
    private Protocol<ByteBuffer> refusingEverySecond(boolean byThrowing) {
        AtomicInteger connections = new AtomicInteger();
        return new Protocol<>() {
            @Override
            public void onConnect(Connection connection) {
                if (connections.incrementAndGet() % 2 == 0) {
                    if (byThrowing) {
                        throw new IllegalStateException("refused by the protocol");
                    }
                    connection.close();
                }
            }

            @Override
            public void onClose(Connection connection) {
                protocolCloses.incrementAndGet();
            }

            @Override
            public boolean unpack(Connection connection, RingBuffer in, Frame<ByteBuffer> frame) {
                return RawProtocol.INSTANCE.unpack(connection, in, frame);
            }

            @Override
            public void pack(Connection connection, Object message, RingBuffer out) {
                RawProtocol.INSTANCE.pack(connection, message, out);
            }
        };
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aConnectionClosedInTheProtocolsOnConnectIsNeverTheHandlers(Transport transport) throws Exception {
        for (boolean throwing : new boolean[] {false, true}) {
            CountingHandler counting = new CountingHandler();
            protocolCloses.set(0);
            Server s = servers.start(TestServers.local(refusingEverySecond(throwing), counting, transport)
                    .name("refusing-" + throwing));
            try (TestClient accepted = TestClient.connect(s)) {
                accepted.write("ping");
                assertEquals("ping", accepted.readString(4));
                try (TestClient refused = TestClient.connect(s)) {
                    assertTrue(refused.awaitClosed());
                }
                Await.await("the refused one's close reached the protocol", () -> protocolCloses.get() == 1);
                assertEquals(1, counting.connects.get());
                assertEquals(0, counting.closes.get(), "the handler never heard of the refused connection");
            }
            Await.await("the accepted one's close", () -> counting.closes.get() == 1 && protocolCloses.get() == 2);
            s.stop(Duration.ofSeconds(5));
        }
    }
}
