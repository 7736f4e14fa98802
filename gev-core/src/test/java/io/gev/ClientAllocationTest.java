package io.gev;

import io.gev.loop.Transport;
import io.gev.testing.LoopAllocations;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client's steady-state echo allocates nothing per message on epoll: a gev client bounces
 * what it reads back to an echo server, and its loop thread's allocated bytes are counted over
 * many messages after a warm-up. EPOLL only, for the reason ServerLoadTest gives: the JDK
 * selector boxes ready descriptors.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClientAllocationTest {

    private static final int WARM_UP = 20_000;
    private static final int MEASURED = 50_000;

    /**
     * Sends back every view it reads until {@code stopAt} bytes arrived in this phase; counts on
     * the loop thread only, so counting allocates nothing.
     */
    private static final class Bouncer implements Handler<ByteBuffer> {
        private long received;
        private long stopAt;
        private CompletableFuture<Long> done;

        /** A phase of {@code bytes}; called while no bytes are in flight. */
        void phase(long bytes, CompletableFuture<Long> done) {
            this.received = 0;
            this.stopAt = bytes;
            this.done = done;
        }

        @Override
        public Object onMessage(Connection connection, Object context, ByteBuffer payload) {
            received += payload.remaining();
            if (received >= stopAt) {
                done.complete(received);
                return null;
            }
            return payload;
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 4096})
    void steadyStateEchoAllocatesNothingPerMessage(int size) throws Exception {
        Server server = Server.builder((c, ctx, p) -> p).address("127.0.0.1").port(0).loops(1)
                .transport(Transport.EPOLL).build();
        server.start();
        Bouncer bouncer = new Bouncer();
        Client client = Client.builder(bouncer).transport(Transport.EPOLL).shutdownTimeout(Duration.ofSeconds(3)).build();
        try {
            Connection connection = client.connect("127.0.0.1", server.port()).get(20, TimeUnit.SECONDS);
            assertEquals(Transport.EPOLL, client.transport());
            LoopAllocations allocations = LoopAllocations.of(client.loops().get(0));
            byte[] message = new byte[size];
            new Random(size).nextBytes(message);

            long warmedUp = bounce(connection, bouncer, message, WARM_UP);
            long allocated0 = allocations.bytes();
            long t0 = System.nanoTime();
            long measured = bounce(connection, bouncer, message, MEASURED);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            long allocated = allocations.bytes() - allocated0;

            double perMessage = (double) allocated / MEASURED;
            String report = String.format("%d-byte messages: client loop thread allocated %d bytes over %d echoed"
                            + " messages in %d ms: %.4f bytes/message (warm-up: %d bytes)",
                    size, allocated, MEASURED, millis, perMessage, warmedUp);
            System.out.println("ClientAllocationTest " + report);
            assertEquals((long) MEASURED * size, measured, report);
            assertTrue(perMessage < 1.0, "the client's echo path allocates per message: " + report);
        } finally {
            client.close();
            server.stop(Duration.ofSeconds(1));
        }
    }

    /** Bounces {@code messages} messages of {@code message}'s size; returns the bytes that came back. */
    private static long bounce(Connection connection, Bouncer bouncer, byte[] message, int messages) throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        CompletableFuture<Void> set = new CompletableFuture<>();
        connection.loop().execute(() -> {
            bouncer.phase((long) messages * message.length, done);
            set.complete(null);
        });
        set.get(10, TimeUnit.SECONDS);
        connection.send(ByteBuffer.wrap(message));
        return done.get(60, TimeUnit.SECONDS);
    }
}
