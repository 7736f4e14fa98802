package io.gev.bench.server;

import io.gev.Server;

import java.nio.file.Path;
import java.time.Duration;

/**
 * gev's echo of {@link GevEchoServer} on a Unix domain socket instead of TCP loopback: the same
 * handler, loops and buffers, so the row beside it measures the transport alone.
 */
public final class GevUnixEchoServer implements BenchServer.Peer {

    private final Path file = Path.of(System.getProperty("java.io.tmpdir"),
            "gev-bench-" + ProcessHandle.current().pid() + ".sock");
    private Server server;

    /** Listens on {@link #unixSocket()}; the port is not used. */
    @Override
    public int start(int port, int loops) {
        server = Server.builder((connection, context, payload) -> payload).name("bench-unix").unixSocket(file)
                .unixSocketPermissions(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))
                .loops(loops).build();
        server.start();
        return -1;
    }

    @Override
    public String unixSocket() {
        return file.toString();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(Duration.ofSeconds(1));
        }
    }
}
