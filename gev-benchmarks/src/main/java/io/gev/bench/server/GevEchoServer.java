package io.gev.bench.server;

import io.gev.Server;

import java.time.Duration;

/** gev's echo: the handler returns the payload view as the reply, as the README shows. */
public class GevEchoServer implements BenchServer.Peer {

    private Server server;

    /** The server to start, before address, port and loops are set. */
    protected Server.Builder builder() {
        return Server.builder((connection, context, payload) -> payload).name("bench");
    }

    @Override
    public final int start(int port, int loops) {
        server = builder().address("127.0.0.1").port(port).loops(loops).build();
        server.start();
        return server.port();
    }

    @Override
    public final void close() {
        if (server != null) {
            server.stop(Duration.ofSeconds(1));
        }
        stopped();
    }

    /** After the server stopped (or never started): frees what {@link #builder()} made. */
    protected void stopped() {
    }
}
