package io.gev.embedded;

import io.gev.CloseReason;
import io.gev.Server;
import io.gev.protocol.LengthFieldProtocol;
import io.gev.protocol.Protocol;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The README's example of testing a protocol on the embedded server, as it stands there. */
class ReadmeExampleTest {

    @Test
    void echoesFramesCutAnywhere() {
        Protocol<ByteBuffer> protocol = LengthFieldProtocol.builder().maxFrameLength(1024).build(); // or your own
        try (EmbeddedServer server = EmbeddedServer.start(Server.builder(protocol, (c, ctx, body) -> body))) {
            byte[] frame = {0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'};
            for (Segmentation cuts : List.of(Segmentation.byteByByte(), Segmentation.whole(),
                    Segmentation.random(new Random(42), 4))) {
                EmbeddedConnection c = server.connect();
                c.receive(frame, cuts);                        // each segment is one read event
                assertArrayEquals(frame, c.takeSent());        // what the connection wrote
            }
            EmbeddedConnection bad = server.connect();
            bad.receive(new byte[] {0x7F, 0, 0, 0});           // a length over maxFrameLength
            assertEquals(CloseReason.PROTOCOL_ERROR, bad.closeReason());
        }
    }
}
