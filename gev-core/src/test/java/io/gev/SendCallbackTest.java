package io.gev;

import io.gev.embedded.EmbeddedConnection;
import io.gev.embedded.EmbeddedServer;
import io.gev.embedded.WriteAcceptance;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When send callbacks run, through the real connection and write path on the embedded server. */
class SendCallbackTest {

    /** A message that packs to no bytes is written as soon as it is packed: nothing waits for the socket. */
    @Test
    void theCallbackOfAMessageOfNoBytesRunsWithoutWaitingForAnotherWrite() {
        List<String> completed = new ArrayList<>();
        Handler<ByteBuffer> handler = (c, ctx, payload) -> {
            // From inside a read event: the callback runs once the event flushed.
            c.send(new byte[0], (conn, failure) -> completed.add("from the handler: " + failure));
            return null;
        };
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(handler))) {
            EmbeddedConnection c = server.connect();
            c.connection().send(new byte[0], (conn, failure) -> completed.add("empty: " + failure));
            assertEquals(List.of("empty: null"), completed, "from the test's thread, outside any event");

            c.receive(new byte[] {1});
            assertEquals(List.of("empty: null", "from the handler: null"), completed);

            // Behind a message the socket does not take yet, it waits for that one.
            c.acceptWrites(WriteAcceptance.none());
            c.connection().send("queued".getBytes(StandardCharsets.US_ASCII),
                    (conn, failure) -> completed.add("queued: " + failure));
            c.connection().send(new byte[0], (conn, failure) -> completed.add("empty after it: " + failure));
            assertEquals(2, completed.size(), "nothing is written yet");
            c.acceptWrites(WriteAcceptance.all()).writable();
            assertEquals(List.of("empty: null", "from the handler: null", "queued: null", "empty after it: null"),
                    completed);
            assertArrayEquals("queued".getBytes(StandardCharsets.US_ASCII), c.takeSent());
            assertTrue(c.isOpen());
        }
    }
}
