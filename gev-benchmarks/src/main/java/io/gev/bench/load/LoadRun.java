package io.gev.bench.load;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The single-threaded machinery every mode shares: one selector, the measured window (operations,
 * latency histogram, CPU time of the server and of this process) and error accounting.
 */
abstract class LoadRun implements AutoCloseable {

    /** Connects in flight at once: well under a listen backlog of 1024. */
    static final int CONNECT_BATCH = 256;
    private static final long MAX_LATENCY = TimeUnit.SECONDS.toNanos(60);

    final LoadOptions options;
    final InetSocketAddress target;
    final Selector selector;
    final Histogram latency = new Histogram(MAX_LATENCY, 3);
    private final Consumer<SelectionKey> onKey = key -> {
        if (this.clockStale) {
            this.now = System.nanoTime();
            this.clockStale = false;
        }
        onKey(key);
    };

    /** The time of the current batch of events: read once when a select returns the first key. */
    long now;
    private boolean clockStale;
    boolean measuring;
    long ops;
    long errors;
    String firstError = "";
    private long windowStart;
    private long serverCpuStart;
    private long clientCpuStart;
    private long serverAllocStart = -1;
    private long machineBusyStart;

    LoadRun(LoadOptions options) throws IOException {
        this.options = options;
        this.target = new InetSocketAddress(options.host, options.port);
        this.selector = Selector.open();
    }

    /** Handles the ready operations of one key. */
    abstract void onKey(SelectionKey key);

    /** Opens a non-blocking connection to the target; the key's attachment is {@code attachment}. */
    SelectionKey connect(Object attachment) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            SelectionKey key = ch.register(selector, SelectionKey.OP_CONNECT, attachment);
            ch.connect(target);
            return key;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Waits at most {@code millis} for events and handles them. */
    void poll(long millis) throws IOException {
        clockStale = true;
        selector.select(onKey, Math.max(1, millis));
        now = System.nanoTime();
    }

    /** Processes events until {@code deadline}, a {@link System#nanoTime()}. */
    void runUntil(long deadline) throws IOException {
        now = System.nanoTime();
        while (now < deadline) {
            poll(Math.min(100, TimeUnit.NANOSECONDS.toMillis(deadline - now)));
        }
    }

    /** Counts one completed operation of {@code nanos} latency when inside the window. */
    final void completed(long nanos) {
        if (measuring) {
            ops++;
            latency.recordValue(Math.min(Math.max(nanos, 0), MAX_LATENCY));
        }
    }

    void error(String description) {
        if (errors++ == 0) {
            firstError = description;
            System.err.println("load error: " + description);
        }
    }

    void beginWindow() {
        ops = 0;
        latency.reset();
        serverCpuStart = ProcStat.cpuNanos(options.serverPid);
        clientCpuStart = ProcStat.cpuNanos(ProcStat.self());
        serverAllocStart = serverAllocated();
        machineBusyStart = ProcStat.machineBusyNanos();
        windowStart = System.nanoTime();
        measuring = true;
    }

    Report endWindow(int messageSize) {
        measuring = false;
        long elapsed = System.nanoTime() - windowStart;
        long serverCpu = ProcStat.cpuNanos(options.serverPid);
        long clientCpu = ProcStat.cpuNanos(ProcStat.self());
        long machineBusy = ProcStat.machineBusyNanos();
        long serverAlloc = serverAllocated();
        Report r = report();
        r.ops = ops;
        r.seconds = elapsed / 1e9;
        r.messageSize = messageSize;
        if (machineBusyStart >= 0 && machineBusy >= 0 && serverCpuStart >= 0 && serverCpu >= 0) {
            // What other processes took from the machine meanwhile: a noisy neighbour skews a run.
            long foreign = (machineBusy - machineBusyStart) - (serverCpu - serverCpuStart) - (clientCpu - clientCpuStart);
            r.foreignCpuPercent = Math.max(0, 100.0 * foreign / elapsed);
        }
        if (ops > 0) {
            r.p50Micros = latency.getValueAtPercentile(50) / 1000.0;
            r.p99Micros = latency.getValueAtPercentile(99) / 1000.0;
            r.p999Micros = latency.getValueAtPercentile(99.9) / 1000.0;
            if (serverCpuStart >= 0 && serverCpu >= 0) {
                r.serverCpuNanosPerOp = (serverCpu - serverCpuStart) / (double) ops;
            }
            if (clientCpuStart >= 0 && clientCpu >= 0) {
                r.clientCpuNanosPerOp = (clientCpu - clientCpuStart) / (double) ops;
            }
            if (serverAllocStart >= 0 && serverAlloc >= 0) {
                r.serverAllocBytesPerOp = (serverAlloc - serverAllocStart) / (double) ops;
            }
        }
        return r;
    }

    /** Heap bytes the server's threads allocated so far, from its control port; -1 without one. */
    private long serverAllocated() {
        if (options.controlPort <= 0) {
            return -1;
        }
        try {
            return ControlClient.ask(options.controlPort, "alloc").getOrDefault("alloc", -1L);
        } catch (IOException e) {
            error("control port: " + e);
            return -1;
        }
    }

    /** A report with the run's label, scenario and errors filled in. */
    Report report() {
        Report r = new Report();
        r.label = options.label;
        r.scenario = options.scenario();
        r.errors = errors;
        r.firstError = firstError;
        return r;
    }

    static void closeQuietly(SelectionKey key) {
        if (key != null) {
            key.cancel();
            try {
                key.channel().close();
            } catch (IOException ignored) {
                // Nothing to do.
            }
        }
    }

    @Override
    public void close() throws IOException {
        for (SelectionKey key : selector.keys()) {
            closeQuietly(key);
        }
        selector.close();
    }
}
