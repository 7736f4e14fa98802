package io.gev.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The single-threaded machinery every mode shares: one selector, the measured window (a
 * {@link Meter} per server under load, CPU time of this process and of everything else) and
 * error accounting.
 */
abstract class LoadRun implements AutoCloseable {

    /** Connects in flight at once: well under a listen backlog of 1024. */
    static final int CONNECT_BATCH = 256;

    final LoadOptions options;
    final Selector selector;
    /** The servers under load, in order (one, or two taking turns), and where they listen. */
    final Meter[] meters;
    final SocketAddress[] addresses;
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
    long errors;
    String firstError = "";
    private long clientCpuStart;
    private long machineBusyStart;
    private long windowStart;

    LoadRun(LoadOptions options) throws IOException {
        this.options = options;
        Meter a = new Meter(options.label, options.serverPid, options.controlPort, this::error);
        if (options.portB != 0) {
            this.meters = new Meter[] {a, new Meter(options.labelB, options.serverPidB, options.controlPortB, this::error)};
            this.addresses = new SocketAddress[] {address(options.unixSocket, options.host, options.port),
                    address(options.unixSocketB, options.host, options.portB)};
        } else {
            this.meters = new Meter[] {a};
            this.addresses = new SocketAddress[] {address(options.unixSocket, options.host, options.port)};
        }
        this.selector = Selector.open();
    }

    private static SocketAddress address(String unixSocket, String host, int port) {
        return unixSocket != null ? UnixDomainSocketAddress.of(unixSocket) : new InetSocketAddress(host, port);
    }

    /** Handles the ready operations of one key. */
    abstract void onKey(SelectionKey key);

    /** Opens a non-blocking connection to {@code target}; the key's attachment is {@code attachment}. */
    SelectionKey connect(SocketAddress target, Object attachment) throws IOException {
        boolean unix = target instanceof UnixDomainSocketAddress;
        SocketChannel ch = unix ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        try {
            ch.configureBlocking(false);
            if (!unix) {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            SelectionKey key = ch.register(selector, SelectionKey.OP_CONNECT, attachment);
            if (ch.connect(target)) {
                // A Unix domain socket connects at once, and no OP_CONNECT comes for a connected
                // channel: writable stands for it (finishConnect is then true at once).
                key.interestOps(SelectionKey.OP_WRITE);
            }
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

    /** Server {@code server} gets the load from now on. */
    abstract void startLoad(int server, long now) throws IOException;

    /** Server {@code server} gets no new operations; those under way finish. */
    abstract void stopLoad(int server);

    /** Whether server {@code server} has no operation under way. */
    abstract boolean drained(int server);

    /** Called when the measured window opens. */
    void windowOpened() {
    }

    /**
     * Warms up, then measures: one server has the load for the whole window; two take turns in
     * slices (see {@link LoadOptions#portB}), each measured over its own slices only.
     */
    Report[] measure(int messageSize) throws IOException {
        long warmup = (long) (options.warmupSeconds * 1e9);
        long duration = (long) (options.durationSeconds * 1e9);
        if (meters.length == 1) {
            startLoad(0, System.nanoTime());
            runUntil(System.nanoTime() + warmup);
            beginWindow(meters);
            meters[0].resume(System.nanoTime());
            windowOpened();
            runUntil(System.nanoTime() + duration);
            Report[] reports = endWindow(messageSize, meters);
            stopLoad(0);
            return reports;
        }
        alternate(warmup);
        beginWindow(meters);
        windowOpened();
        alternate(duration * meters.length);
        return endWindow(messageSize, meters);
    }

    /** Gives each server the load in turn, a slice at a time, for {@code nanos} in all. */
    private void alternate(long nanos) throws IOException {
        long slice = (long) (options.sliceSeconds * 1e9);
        long end = System.nanoTime() + nanos;
        int turn = 0;
        while (System.nanoTime() < end) {
            int server = turn++ % meters.length;
            long start = System.nanoTime();
            meters[server].resume(start);
            startLoad(server, start);
            runUntil(Math.min(start + slice, end));
            stopLoad(server);
            // Let the operations under way finish before the other server starts (bounded).
            long drainDeadline = System.nanoTime() + 1_000_000_000L;
            while (!drained(server) && now < drainDeadline) {
                poll(10);
            }
            meters[server].pause(System.nanoTime());
        }
    }

    void error(String description) {
        if (errors++ == 0) {
            firstError = description;
            System.err.println("load error: " + description);
        }
    }

    /** Opens the measured window of {@code meters}, all servers under load in this run. */
    void beginWindow(Meter... meters) {
        clientCpuStart = ProcStat.cpuNanos(ProcStat.self());
        machineBusyStart = ProcStat.machineBusyNanos();
        for (Meter m : meters) {
            m.begin();
        }
        windowStart = System.nanoTime();
    }

    /** Sets the errors of the whole run, including those found after the window, on {@code reports}. */
    Report[] withErrors(Report... reports) {
        for (Report r : reports) {
            r.errors = errors;
            r.firstError = firstError;
        }
        return reports;
    }

    /** Closes the window: one report per meter, in order. */
    Report[] endWindow(int messageSize, Meter... meters) {
        long end = System.nanoTime();
        long clientCpu = ProcStat.cpuNanos(ProcStat.self()) - clientCpuStart;
        long machineBusy = ProcStat.machineBusyNanos() - machineBusyStart;
        Report[] reports = new Report[meters.length];
        long serversCpu = 0;
        for (int i = 0; i < meters.length; i++) {
            Report r = new Report();
            r.scenario = options.scenario();
            meters[i].end(r, end, messageSize);
            reports[i] = r;
            serversCpu = serversCpu < 0 || meters[i].cpuNanos < 0 ? -1 : serversCpu + meters[i].cpuNanos;
        }
        double seconds = (end - windowStart) / 1e9;
        for (Report r : reports) {
            if (machineBusyStart >= 0 && serversCpu >= 0) {
                // What other processes took from the machine meanwhile: a noisy neighbour skews a run.
                r.foreignCpuPercent = Math.max(0, 100.0 * (machineBusy - serversCpu - clientCpu) / 1e9 / seconds);
            }
        }
        return withErrors(reports);
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
