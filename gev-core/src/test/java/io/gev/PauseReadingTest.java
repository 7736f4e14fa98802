package io.gev;

import io.gev.loop.Transport;
import io.gev.testing.Stall;
import io.gev.testing.TestCertificates;
import io.gev.testing.TestServers;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Connection#pauseReading()} over real sockets: a paused connection holds a fast writer back
 * through TCP flow control (the writer stalls, the handler hears nothing), and a resume from
 * another thread delivers everything in order. On epoll (edge-triggered on a plain socket,
 * level-triggered under TLS) and NIO, with and without TLS.
 */
@Timeout(60)
class PauseReadingTest {

    /** Far more than the socket buffers of both ends hold (a writer stalled after 4 MiB here). */
    private static final int SIZE = 16 * 1024 * 1024;

    @RegisterExtension
    final TestServers servers = new TestServers();

    static Stream<Arguments> transports() {
        return Stream.of(Arguments.of(Transport.EPOLL, false), Arguments.of(Transport.EPOLL, true),
                Arguments.of(Transport.NIO, false), Arguments.of(Transport.NIO, true));
    }

    @ParameterizedTest(name = "{0}, TLS {1}")
    @MethodSource("transports")
    void aPausedConnectionStallsItsWriterAndAResumeDeliversEverythingInOrder(Transport transport, boolean tls)
            throws Exception {
        AtomicReference<Connection> paused = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();
        Handler<ByteBuffer> echoThatPausesFirst = (c, ctx, payload) -> {
            calls.incrementAndGet();
            if (paused.compareAndSet(null, c)) {
                c.pauseReading();
            }
            return payload;
        };
        Server.Builder builder = TestServers.local(echoThatPausesFirst, transport)
                .writeBufferLimit(SIZE); // the test's reader may fall behind the echo for a while
        if (tls) {
            builder.tls(TestCertificates.get().serverOptions().build());
        }
        Server server = servers.start(builder);
        byte[] data = new byte[SIZE];
        new Random(SIZE).nextBytes(data);

        try (Socket socket = tls ? TestCertificates.get().connect(server.port())
                : new Socket("127.0.0.1", server.port())) {
            AtomicLong written = new AtomicLong();
            CompletableFuture<Void> writer = Stall.writeAll(socket, data, written);
            AtomicLong read = new AtomicLong();
            CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    InputStream in = socket.getInputStream();
                    byte[] echoed = new byte[SIZE];
                    int off = 0;
                    while (off < SIZE) {
                        int n = in.read(echoed, off, SIZE - off);
                        if (n < 0) {
                            break;
                        }
                        off += n;
                        read.set(off);
                    }
                    return Arrays.copyOf(echoed, off);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });

            Stall.await(written, writer);
            assertFalse(writer.isDone(), "the writer finished: the paused server went on reading");
            Connection c = paused.get();
            assertTrue(c.isReadingPaused());
            assertEquals(1, calls.get(), "the handler heard nothing after the pause");
            Stall.await(read, reader);
            long echoedWhilePaused = read.get();
            assertTrue(echoedWhilePaused < SIZE / 2, "echoed while paused: " + echoedWhilePaused);

            CompletableFuture.runAsync(c::resumeReading).join();

            writer.get(30, TimeUnit.SECONDS);
            byte[] echoed = reader.get(30, TimeUnit.SECONDS);
            assertEquals(SIZE, echoed.length);
            for (int i = 0; i < SIZE; i++) {
                if (echoed[i] != data[i]) {
                    assertEquals(data[i], echoed[i], "byte " + i);
                }
            }
            assertTrue(calls.get() > 1);
            assertFalse(c.isReadingPaused());
        }
    }
}

