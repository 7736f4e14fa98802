package io.gev.protocol;

import io.gev.CloseReason;
import io.gev.Server;
import io.gev.embedded.EmbeddedConnection;
import io.gev.embedded.EmbeddedServer;
import io.gev.protocol.protobuf.ProtobufProtocol;
import io.gev.websocket.WebSocketHandler;
import io.gev.websocket.WebSocketServer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * {@link Protocol#cannotPack} names the type given and what the protocol packs, and every
 * built-in protocol refuses what it cannot pack with it: the connection that sent it closes with
 * that exception as its cause.
 */
class CannotPackTest {

    private static final String BYTES = "byte[], ByteBuffer or CharSequence (UTF-8)";

    @Test
    void namesTheTypeGivenAndWhatTheProtocolPacks() {
        assertEquals("Cannot pack a java.lang.Integer: this protocol packs JSON trees",
                Protocol.cannotPack(42, "JSON trees").getMessage());
        assertEquals("Cannot pack a null message: this protocol packs JSON trees",
                Protocol.cannotPack(null, "JSON trees").getMessage());
    }

    @Test
    void everyBuiltInProtocolRefusesWithIt() {
        assertRefuses(Server.builder((c, ctx, p) -> null), BYTES);
        assertRefuses(Server.builder(LineProtocol.builder().build(), (c, ctx, p) -> null), BYTES);
        assertRefuses(Server.builder(LengthFieldProtocol.builder().build(), (c, ctx, p) -> null), BYTES);
        assertRefuses(Server.builder(ProtobufProtocol.builder().build(), (c, ctx, m) -> null),
                "com.google.protobuf.Message");
        assertRefuses(WebSocketServer.builder(new WebSocketHandler() { }),
                "a CharSequence (text), a ByteBuffer or byte[] (binary) or the WebSocketMessage received");
    }

    private static void assertRefuses(Server.Builder builder, String packs) {
        try (EmbeddedServer server = EmbeddedServer.start(builder)) {
            EmbeddedConnection c = server.connect();
            c.connection().send(42);
            assertEquals(CloseReason.HANDLER_ERROR, c.closeReason(), "closed for " + c.closeCause());
            assertEquals("Cannot pack a java.lang.Integer: this protocol packs " + packs,
                    assertInstanceOf(IllegalArgumentException.class, c.closeCause()).getMessage());
        }
    }
}
