package io.gev.internal.engine;

import io.gev.Connection;
import io.gev.Handler;
import io.gev.Server;
import io.gev.embedded.EmbeddedConnection;
import io.gev.embedded.EmbeddedServer;
import io.gev.embedded.EmbeddedServer.Polling;
import io.gev.protocol.LineProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Connection#pauseReading()} on the real read path, over in-memory sockets whose bytes wait
 * "in the kernel" while read interest is off: a pause from {@code onMessage} stops decoding before
 * the next frame of the same read, and a resume decodes what waited in gev's buffer before it
 * reads the socket, whatever the segmentation and triggering.
 */
class ReadPauseTest {

    private static final int LINES = 60;
    /** The handler pauses after every line whose number is a multiple of this. */
    private static final int PAUSE_EVERY = 7;

    static Stream<Arguments> cuts() {
        return PollingCuts.of(8);
    }

    @ParameterizedTest(name = "{0}, {1} {2}")
    @MethodSource("cuts")
    void aPauseFromOnMessageHoldsTheRestUntilResumedAndNothingIsLostOrReordered(Polling polling, String cut,
            long seed) {
        List<String> received = new ArrayList<>();
        Handler<ByteBuffer> handler = (c, ctx, line) -> {
            String text = StandardCharsets.UTF_8.decode(line).toString();
            received.add(text);
            if (received.size() % PAUSE_EVERY == 0) {
                c.pauseReading();
            }
            return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        };
        byte[] input = lines(LINES);
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(LineProtocol.builder().build(), handler),
                polling)) {
            EmbeddedConnection c = server.connect();
            Random random = new Random(seed);
            int off = 0;
            int pauses = 0;
            while (off < input.length || c.connection().isReadingPaused()) {
                if (c.connection().isReadingPaused()) {
                    pauses++;
                    assertFalse(c.isReading(), "read interest is off while paused");
                    int seen = received.size();
                    assertEquals(0, seen % PAUSE_EVERY, "stopped right after the pausing line");
                    if (off < input.length) {
                        int n = Math.min(input.length - off, 5);
                        c.receive(input, off, n); // waits in the socket
                        off += n;
                        assertEquals(seen, received.size(), "nothing decoded while paused");
                    }
                    c.connection().resumeReading();
                    c.runPendingTasks();
                    continue;
                }
                int n = switch (cut) {
                    case "whole" -> input.length - off;
                    case "byte by byte" -> 1;
                    default -> 1 + random.nextInt(Math.min(40, input.length - off));
                };
                c.receive(input, off, n);
                off += n;
            }
            assertEquals(LINES / PAUSE_EVERY, pauses);
            assertEquals(expected(LINES), received);
            assertEquals(new String(input, StandardCharsets.UTF_8), new String(c.takeSent(), StandardCharsets.UTF_8));
            assertTrue(c.isOpen());
            assertTrue(c.isReading());
        }
    }

    @Test
    void aPauseAndResumeFromAnotherThreadTakeEffectOnTheLoop() {
        List<String> received = new ArrayList<>();
        Handler<ByteBuffer> handler = (c, ctx, line) -> {
            received.add(StandardCharsets.UTF_8.decode(line).toString());
            return null;
        };
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(LineProtocol.builder().build(), handler))) {
            EmbeddedConnection c = server.connect();
            Connection connection = c.connection();
            CompletableFuture.runAsync(connection::pauseReading).join();
            c.runPendingTasks();
            assertTrue(connection.isReadingPaused());
            assertFalse(c.isReading());

            c.receive("a\nb\n".getBytes(StandardCharsets.UTF_8));
            assertEquals(List.of(), received);

            CompletableFuture.runAsync(connection::resumeReading).join();
            c.runPendingTasks();
            assertFalse(connection.isReadingPaused());
            assertEquals(List.of("a", "b"), received);
        }
    }

    @Test
    void aSecondPauseOrResumeDoesNothingAndSendsAndClosesGoOnWhilePaused() {
        Handler<ByteBuffer> handler = (c, ctx, line) -> line;
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(LineProtocol.builder().build(), handler))) {
            EmbeddedConnection c = server.connect();
            Connection connection = c.connection();
            connection.resumeReading();
            assertFalse(connection.isReadingPaused());
            assertTrue(c.isReading());

            connection.pauseReading();
            connection.pauseReading();
            assertTrue(connection.isReadingPaused());
            connection.send(ByteBuffer.wrap("out".getBytes(StandardCharsets.UTF_8)));
            assertEquals("out\n", new String(c.takeSent(), StandardCharsets.UTF_8));

            connection.resumeReading();
            c.runPendingTasks();
            assertFalse(connection.isReadingPaused(), "one resume undoes any number of pauses");

            connection.pauseReading();
            connection.close();
            c.runPendingTasks();
            assertFalse(c.isOpen());
            connection.resumeReading();
            c.runPendingTasks();
            assertFalse(c.isReading(), "a closed connection does not read again");
        }
    }

    private static byte[] lines(int count) {
        StringBuilder s = new StringBuilder();
        for (String line : expected(count)) {
            s.append(line).append('\n');
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> expected(int count) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            lines.add("line " + i);
        }
        return lines;
    }
}
