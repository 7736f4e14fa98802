package io.gev.spring.boot.diagnostics;

import io.gev.Server;
import io.gev.ServerStartException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.context.ApplicationContextException;

import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class GevServerStartFailureAnalyzerTests {

    private final GevServerStartFailureAnalyzer analyzer = new GevServerStartFailureAnalyzer();

    @Test
    void explainsAPortInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            ServerStartException cause = startFailure("127.0.0.1", port);
            FailureAnalysis analysis = this.analyzer
                    .analyze(new ApplicationContextException("Failed to start bean", cause));
            assertThat(analysis.getDescription())
                    .isEqualTo("gev server failed to start. Port " + port + " on 127.0.0.1 was already in use.");
            assertThat(analysis.getAction())
                    .startsWith("Identify and stop the process that is listening on port " + port)
                    .contains("gev.server.port").contains("gev.servers.<server-name>.port")
                    .contains("0 picks a free port");
        }
    }

    @Test
    void explainsAUnixSocketSomebodyListensOn(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("app.sock");
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(file));
            ServerStartException cause = catchThrowableOfType(ServerStartException.class, () ->
                    Server.builder((c, ctx, p) -> p).unixSocket(file).loops(1).daemonThreads(true).build().start());
            FailureAnalysis analysis = this.analyzer.analyze(cause);
            assertThat(analysis.getDescription()).isEqualTo("gev server failed to start. Another process accepts on "
                    + "the Unix domain socket " + file + ".");
            assertThat(analysis.getAction()).contains("gev.server.unix-socket");
        }
    }

    @Test
    void explainsAUdpPortInUseWithTheUdpKey() throws Exception {
        try (java.net.DatagramSocket taken = new java.net.DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            io.gev.udp.DatagramServer server = io.gev.udp.DatagramServer.builder((out, sender, payload) -> payload)
                    .host("127.0.0.1").port(port).loops(1).daemonThreads(true).build();
            ServerStartException cause = catchThrowableOfType(ServerStartException.class, server::start);
            FailureAnalysis analysis = this.analyzer.analyze(cause);
            assertThat(analysis.getDescription())
                    .isEqualTo("gev datagram server failed to start. UDP port " + port + " on 127.0.0.1 was already in use.");
            assertThat(analysis.getAction()).contains("gev.udp.port").doesNotContain("gev.server.port");
        }
    }

    @Test
    void explainsAFileInTheWayOfAUnixSocket(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("app.sock"), "data");
        ServerStartException cause = catchThrowableOfType(ServerStartException.class, () ->
                Server.builder((c, ctx, p) -> p).unixSocket(file).loops(1).daemonThreads(true).build().start());
        FailureAnalysis analysis = this.analyzer.analyze(cause);
        assertThat(analysis.getDescription()).contains(file + " exists and is not a socket");
        assertThat(analysis.getAction()).startsWith("Move the file away");
    }

    @Test
    void explainsAnAddressThatIsNotThisHosts() {
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this host.
        ServerStartException cause = startFailure("192.0.2.1", 0);
        FailureAnalysis analysis = this.analyzer.analyze(cause);
        assertThat(analysis.getDescription()).contains("Address 192.0.2.1 is not an address of this host");
        assertThat(analysis.getAction()).contains("gev.server.address");
    }

    @Test
    void explainsAPortTheProcessMayNotBind() {
        // The build runs as root, which binds any port, so the operating system's refusal is
        // given as NIO reports it.
        ServerStartException cause = new ServerStartException("Cannot bind gev server 'echo' to 0.0.0.0:80",
                "0.0.0.0", 80, new BindException("Permission denied"));
        FailureAnalysis analysis = this.analyzer.analyze(cause);
        assertThat(analysis.getDescription()).contains("may not bind port 80").contains("permission denied");
        assertThat(analysis.getAction()).contains("1024").contains("CAP_NET_BIND_SERVICE");
    }

    @Test
    void explainsAnUnrelatedBindFailureWithoutGuessing() {
        ServerStartException cause = new ServerStartException("Cannot bind gev server 'echo' to ::1:1833: "
                + "Protocol family unavailable", "::1", 1833, new BindException("Protocol family unavailable"));
        FailureAnalysis analysis = this.analyzer.analyze(cause);
        assertThat(analysis.getDescription()).isEqualTo(
                "gev server failed to start: Cannot bind gev server 'echo' to ::1:1833: Protocol family unavailable");
        assertThat(analysis.getDescription()).doesNotContain("in use").doesNotContain("not an address")
                .doesNotContain("permission");
    }

    @Test
    void explainsOtherStartFailures() {
        ServerStartException cause = new ServerStartException("Transport EPOLL was requested but native epoll is "
                + "unavailable", null, 0, new UnsatisfiedLinkError("no epoll"));
        FailureAnalysis analysis = this.analyzer.analyze(cause);
        assertThat(analysis.getDescription()).isEqualTo(
                "gev server failed to start: Transport EPOLL was requested but native epoll is unavailable");
        assertThat(analysis.getAction()).contains("gev.server.*");
    }

    private static ServerStartException startFailure(String address, int port) {
        Server server = Server.builder((connection, context, payload) -> payload).address(address).port(port).loops(1)
                .build();
        ServerStartException failure = catchThrowableOfType(ServerStartException.class, server::start);
        assertThat(failure).as("start on " + address + ":" + port).isNotNull();
        return failure;
    }
}
