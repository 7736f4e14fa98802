package io.gev;

import io.gev.loop.Transport;
import io.gev.testing.TestClient;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SmokeTest {
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void echo(Transport transport) throws Exception {
        Server server = Server.builder((c, ctx, p) -> p).address("127.0.0.1").port(0).loops(2).transport(transport).build();
        server.start();
        try (TestClient client = TestClient.connect(server)) {
            client.write("hello");
            assertEquals("hello", client.readString(5));
        } finally {
            server.stop(Duration.ofSeconds(1));
        }
    }
}
