package io.gev.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Many connections to 127.0.0.1 held by a child JVM running {@link ConnectionHolder}, so that
 * neither their descriptors nor their threads count against the JVM of the server under test.
 *
 * <pre>{@code
 * try (HeldConnections idle = HeldConnections.open(Duration.ofMinutes(2),
 *         HeldConnections.group(port, 10_000, "idle", null))) {
 *     assertEquals(10_000, idle.connected());
 *     ...
 * }
 * }</pre>
 */
public final class HeldConnections implements AutoCloseable {

    private static final Pattern READY = Pattern.compile("READY connected=(\\d+) failed=(\\d+)");
    private static final Pattern STATUS = Pattern.compile("STATUS open=(\\d+) closed=(\\d+) failed=(\\d+)");

    private final Process process;
    private final PrintStream commands;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Duration lifetime;
    private int connected = -1;
    private int failed = -1;

    private HeldConnections(Process process, Duration lifetime) {
        this.process = process;
        this.lifetime = lifetime;
        this.commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // The child ended.
            }
        }, "held-connections-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Waits until every connect finished. */
    private HeldConnections awaitReady() throws IOException, InterruptedException {
        Matcher ready = READY.matcher(next(lifetime, "READY"));
        if (!ready.matches()) {
            throw new IOException("unexpected output of the connection holder");
        }
        connected = Integer.parseInt(ready.group(1));
        failed = Integer.parseInt(ready.group(2));
        return this;
    }

    /** A group of connections: {@code mode} is idle, partial or halfclose; {@code payload} may be null. */
    public static String group(int port, int count, String mode, byte[] payload) {
        return port + ":" + count + ":" + mode + (payload == null || payload.length == 0 ? ""
                : ":" + HexFormat.of().formatHex(payload));
    }

    /**
     * Starts the holder with {@code groups} and waits until every connect finished. The child ends
     * by itself after {@code lifetime} at the latest.
     */
    public static HeldConnections open(Duration lifetime, String... groups) throws IOException, InterruptedException {
        HeldConnections held = start(false, lifetime, groups);
        try {
            return held.awaitReady();
        } catch (IOException | InterruptedException | RuntimeException e) {
            held.process.destroyForcibly();
            throw e;
        }
    }

    /**
     * Starts the holder with {@code groups} but lets it connect only on {@link #connect()}: the
     * child is running, so this JVM may then run out of descriptors without hindering it.
     */
    public static HeldConnections prepare(Duration lifetime, String... groups) throws IOException {
        return start(true, lifetime, groups);
    }

    /** Lets a {@link #prepare prepared} holder connect and waits until every connect finished. */
    public HeldConnections connect() throws IOException, InterruptedException {
        commands.println("go");
        return awaitReady();
    }

    private static HeldConnections start(boolean gated, Duration lifetime, String... groups) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-Xss256k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dgev.holder.gate=" + gated,
                "-cp", classpath(), ConnectionHolder.class.getName(), Long.toString(lifetime.toSeconds())));
        command.addAll(List.of(groups));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return new HeldConnections(process, lifetime);
    }

    private static String classpath() {
        try {
            return Path.of(ConnectionHolder.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private String next(Duration timeout, String what) throws IOException, InterruptedException {
        String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw new IOException("the connection holder printed no " + what + " line within " + timeout.toMillis()
                    + " ms" + (process.isAlive() ? "" : "; it exited with " + process.exitValue()));
        }
        return line;
    }

    /** Connections that were established. */
    public int connected() {
        return connected;
    }

    /** Connects that failed. */
    public int failed() {
        return failed;
    }

    /** Asks the holder how many of its connections are still open; the server closed the rest. */
    public int stillOpen() throws IOException, InterruptedException {
        commands.println("status");
        Matcher status = STATUS.matcher(next(Duration.ofSeconds(10), "STATUS"));
        if (!status.matches()) {
            throw new IOException("unexpected output of the connection holder");
        }
        return Integer.parseInt(status.group(1));
    }

    /** Waits until the server closed every connection of the holder; fails with {@code message}. */
    public void awaitAllClosed(Duration timeout, Supplier<String> message) {
        Await.await(timeout, () -> {
            try {
                return stillOpen() == 0;
            } catch (IOException | InterruptedException e) {
                throw new AssertionError("the connection holder does not answer", e);
            }
        }, message);
    }

    /** Ends the holder, which closes its connections with it. */
    @Override
    public void close() {
        commands.println("exit");
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
