package io.gev.example;

import io.gev.Connection;
import io.gev.Handler;
import io.gev.Server;
import io.gev.ServerOptions;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The original gev's echo example in Java: {@code nc localhost 1833} and type. Options as system
 * properties: {@code -Dport=1833 -Dloops=0}. Stop with Ctrl-C.
 */
public final class EchoServer {

    private EchoServer() {
    }

    public static void main(String[] args) {
        AtomicInteger connections = new AtomicInteger();
        Handler<ByteBuffer> echo = new Handler<ByteBuffer>() {
            @Override
            public void onConnect(Connection connection) {
                connections.incrementAndGet();
            }

            @Override
            public Object onMessage(Connection connection, Object context, ByteBuffer payload) {
                return payload;
            }

            @Override
            public void onClose(Connection connection) {
                connections.decrementAndGet();
            }
        };
        Server server = Server.builder(echo)
                .name("echo")
                .port(Integer.getInteger("port", ServerOptions.DEFAULT_PORT))
                .loops(Integer.getInteger("loops", 0))
                .idleTimeout(Duration.ofMinutes(5))
                .build();
        server.start();
        server.runEvery(Duration.ofSeconds(10), () ->
                org.slf4j.LoggerFactory.getLogger(EchoServer.class).info("connections: {}", connections.get()));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(Duration.ofSeconds(5)), "echo-shutdown"));
    }
}
