package io.gev.bench.server;

import io.gev.Server;

import java.time.Duration;

/** gev's echo: the handler returns the payload view as the reply, as the README shows. */
public final class GevEchoServer implements BenchServer.Peer {

    private Server server;

    @Override
    public int start(int port, int loops) {
        server = Server.builder((connection, context, payload) -> payload)
                .name("bench")
                .address("127.0.0.1")
                .port(port)
                .loops(loops)
                .build();
        server.start();
        return server.port();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(Duration.ofSeconds(1));
        }
    }
}
