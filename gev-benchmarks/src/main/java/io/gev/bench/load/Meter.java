package io.gev.bench.load;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What one server under load did in the measured window: operations, their latency, the time
 * it had the load, its process's CPU time and the heap its threads allocated.
 */
final class Meter {

    private static final long MAX_LATENCY = TimeUnit.SECONDS.toNanos(60);

    final String label;
    final int serverPid;
    final int controlPort;
    private final Consumer<String> onError;
    private final Histogram latency = new Histogram(MAX_LATENCY, 3);
    private boolean measuring;
    long ops;
    private long activeNanos;
    private long activeSince = -1;
    /** This process's CPU time while this server had the load: what its answers cost the client. */
    private long clientCpuNanos;
    private long clientCpuSince;
    private long cpuStart;
    private long allocStart;
    long cpuNanos;
    /** TLS handshakes completed in the window (mode handshake), and how many resumed a session. */
    long handshakes;
    long resumed;

    Meter(String label, int serverPid, int controlPort, Consumer<String> onError) {
        this.label = label;
        this.serverPid = serverPid;
        this.controlPort = controlPort;
        this.onError = onError;
    }

    /** Counts one completed operation of {@code nanos} latency when inside the window. */
    void completed(long nanos) {
        if (measuring) {
            ops++;
            latency.recordValue(Math.min(Math.max(nanos, 0), MAX_LATENCY));
        }
    }

    /** Counts {@code n} operations completed inside the window whose latency nobody measured (client rows). */
    void completedUntimed(long n) {
        if (measuring) {
            ops += n;
        }
    }

    /** Counts one TLS handshake when inside the window. */
    void handshake(boolean resumedSession) {
        if (measuring) {
            handshakes++;
            if (resumedSession) {
                resumed++;
            }
        }
    }

    void begin() {
        ops = 0;
        handshakes = 0;
        resumed = 0;
        activeNanos = 0;
        clientCpuNanos = 0;
        latency.reset();
        cpuStart = ProcStat.cpuNanos(serverPid);
        allocStart = allocated();
        measuring = true;
    }

    /** The server has the load from {@code now} on. */
    void resume(long now) {
        activeSince = now;
        clientCpuSince = ProcStat.cpuNanos(ProcStat.self());
    }

    /** The server no longer has the load. */
    void pause(long now) {
        if (activeSince >= 0) {
            activeNanos += now - activeSince;
            activeSince = -1;
            clientCpuNanos += ProcStat.cpuNanos(ProcStat.self()) - clientCpuSince;
        }
    }

    /** Ends the window and fills {@code r} with what it measured. */
    Report end(Report r, long now, int messageSize) {
        pause(now);
        measuring = false;
        long cpu = ProcStat.cpuNanos(serverPid);
        long alloc = allocated();
        cpuNanos = cpuStart >= 0 && cpu >= 0 ? cpu - cpuStart : -1;
        r.label = label;
        r.ops = ops;
        r.seconds = activeNanos / 1e9;
        r.messageSize = messageSize;
        if (handshakes > 0) {
            r.resumedPercent = 100.0 * resumed / handshakes;
        }
        if (ops > 0) {
            r.p50Micros = latency.getValueAtPercentile(50) / 1000.0;
            r.p99Micros = latency.getValueAtPercentile(99) / 1000.0;
            r.p999Micros = latency.getValueAtPercentile(99.9) / 1000.0;
            if (cpuNanos >= 0) {
                r.serverCpuNanosPerOp = cpuNanos / (double) ops;
            }
            r.clientCpuNanosPerOp = clientCpuNanos / (double) ops;
            if (allocStart >= 0 && alloc >= 0) {
                r.serverAllocBytesPerOp = (alloc - allocStart) / (double) ops;
            }
        }
        return r;
    }

    /** Heap bytes the server's threads allocated so far, from its control port; -1 without one. */
    private long allocated() {
        if (controlPort <= 0) {
            return -1;
        }
        try {
            return ControlClient.ask(controlPort, "alloc").getOrDefault("alloc", -1L);
        } catch (IOException e) {
            onError.accept("control port of " + label + ": " + e);
            return -1;
        }
    }
}
