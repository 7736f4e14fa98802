package io.gev.bench.server;

import io.gev.udp.DatagramServer;

/**
 * gev's UDP echo: the handler returns the payload view as the reply. One socket on one loop, or
 * with more than one loop a socket per loop on the port (reuse-port), as {@link NettyUdpEchoServer}.
 */
public final class GevUdpEchoServer implements BenchServer.Peer {

    private DatagramServer server;

    @Override
    public int start(int port, int loops) {
        server = DatagramServer.builder((out, sender, payload) -> payload).name("bench-udp").host("127.0.0.1")
                .port(port).loops(loops).reusePort(loops > 1).receiveBufferSize(4 << 20).sendBufferSize(4 << 20)
                .build();
        server.start();
        return server.port();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop();
        }
    }
}
