package io.gev.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real HAProxy (Debian's {@code haproxy}) in TCP mode on a free port of 127.0.0.1, balancing
 * round robin over the servers given, each sent the PROXY protocol header of the version asked
 * for. Started with a generated configuration, stopped on {@link #close()}. Tests that need it
 * skip, saying why, only where the binary is absent; CI installs it.
 */
public final class RunningHaproxy implements AutoCloseable {

    private static final Path BINARY = Path.of("/usr/sbin/haproxy");

    private final Process process;
    private final Path config;
    private final int port;

    private RunningHaproxy(Process process, Path config, int port) {
        this.process = process;
        this.config = config;
        this.port = port;
    }

    /**
     * Starts HAProxy in front of {@code backends} (ports on 127.0.0.1) with {@code send-proxy}
     * (v1) or {@code send-proxy-v2}, and waits until it accepts connections.
     */
    public static RunningHaproxy start(List<Integer> backends, int proxyVersion) throws IOException, InterruptedException {
        List<String> servers = new ArrayList<>();
        for (int port : backends) {
            // The balancer connects from 127.0.0.1: the address the servers trust.
            servers.add("127.0.0.1:" + port + " source 127.0.0.1");
        }
        return startTo(servers, proxyVersion);
    }

    /** Starts HAProxy as {@link #start} does, in front of servers on the Unix domain sockets {@code files}. */
    public static RunningHaproxy startInFrontOf(List<Path> files, int proxyVersion) throws IOException, InterruptedException {
        List<String> servers = new ArrayList<>();
        for (Path file : files) {
            servers.add("unix@" + file);
        }
        return startTo(servers, proxyVersion);
    }

    private static RunningHaproxy startTo(List<String> servers, int proxyVersion) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(BINARY), "HAProxy is not installed (" + BINARY + "): apt-get install haproxy");
        int port = freePort();
        StringBuilder cfg = new StringBuilder()
                .append("global\n  maxconn 512\n")
                .append("defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n")
                .append("frontend front\n  bind 127.0.0.1:").append(port).append("\n  default_backend gev\n")
                .append("backend gev\n  balance roundrobin\n");
        for (int i = 0; i < servers.size(); i++) {
            String address = servers.get(i);
            int options = address.indexOf(' ');
            cfg.append("  server gev").append(i).append(' ').append(options < 0 ? address : address.substring(0, options))
                    .append(proxyVersion == 1 ? " send-proxy" : " send-proxy-v2")
                    .append(options < 0 ? "" : address.substring(options)).append('\n');
        }
        Path config = Files.createTempFile("gev-haproxy", ".cfg");
        Files.writeString(config, cfg, StandardCharsets.US_ASCII);
        Process process = new ProcessBuilder(BINARY.toString(), "-db", "-f", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .start();
        RunningHaproxy haproxy = new RunningHaproxy(process, config, port);
        try {
            haproxy.awaitListening(Duration.ofSeconds(10));
        } catch (IOException | RuntimeException e) {
            haproxy.close();
            throw e;
        }
        return haproxy;
    }

    /** The port clients connect to. */
    public int port() {
        return port;
    }

    private void awaitListening(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("HAProxy exited with " + process.exitValue() + " (its output is above)");
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("HAProxy does not listen on " + port + " after " + timeout, notYet);
                }
                // The process is starting: poll its port again, as a client would.
                process.waitFor(20, TimeUnit.MILLISECONDS);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(config);
    }
}
