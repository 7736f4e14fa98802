package io.gev.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real {@code redis-server} on 127.0.0.1 and a free port, without persistence, that a test can
 * stop and start again on the same port. Skips the test (with the reason) only where the binary
 * is absent; CI installs it.
 */
public final class RedisServer implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/bin/redis-server");

    private final int port;
    private Process process;

    private RedisServer(int port) {
        this.port = port;
    }

    /** Starts a server on a free port, or skips the test when redis-server is not installed. */
    public static RedisServer start() throws Exception {
        assumeTrue(Files.isExecutable(BINARY), "redis-server is not installed at " + BINARY + "; skipping");
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        RedisServer server = new RedisServer(port);
        server.restart();
        return server;
    }

    public int port() {
        return this.port;
    }

    /** Starts the server (again) on its port and returns once it answers PING. */
    public synchronized void restart() throws Exception {
        if (this.process != null && this.process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        this.process = new ProcessBuilder(BINARY.toString(), "--port", Integer.toString(this.port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "notice")
                .redirectErrorStream(true).start();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Process p = this.process;
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                StringBuilder log = new StringBuilder();
                for (String line; (line = lines.readLine()) != null;) {
                    if (!ready.isDone()) {
                        log.append(line).append('\n');
                        if (line.contains("Ready to accept connections")) {
                            ready.complete(null);
                        }
                    }
                }
                ready.completeExceptionally(new IllegalStateException("redis-server exited:\n" + log));
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
        }, "redis-server-" + this.port);
        reader.setDaemon(true);
        reader.start();
        ready.get(20, TimeUnit.SECONDS);
        String reply = command("PING");
        if (!reply.equals("+PONG")) {
            throw new IllegalStateException("redis-server answered PING with " + reply);
        }
    }

    /** Kills the server and waits until it has exited; its port is free again then. */
    public synchronized void stop() throws InterruptedException {
        if (this.process != null) {
            this.process.destroyForcibly();
            this.process.waitFor(20, TimeUnit.SECONDS);
        }
    }

    /** Sends one inline command and returns the first reply line. */
    public String command(String command) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
