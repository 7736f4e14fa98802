package io.gev.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Turns the {@code RESULT} lines of several rounds into one Markdown table: per scenario the
 * medians (with min–max) of gev and of its peer, their ratio, server CPU per operation, p99
 * latency, errors, and whether the targets of the benchmark issue hold.
 *
 * <pre>java -cp gev-benchmarks.jar io.gev.bench.load.Summary results.txt</pre>
 */
public final class Summary {

    static final String GEV = "gev";

    private Summary() {
    }

    /** Targets per scenario: minimum throughput ratio, maximum CPU ratio, and whether p99 must not exceed the peer's. */
    private static final Map<String, double[]> TARGETS = Map.of(
            "echo c=50 m=6", new double[] {1.10, 0.85, 1},
            "echo c=100 m=512", new double[] {1.10, 0.85, 1},
            "echo c=1000 m=4096", new double[] {1.05, 0.90, 1},
            "ws c=100 m=512", new double[] {1.15, 0.80, 0});
    /** Idle connections: heap + direct bytes per connection of gev at most. */
    static final double IDLE_TARGET_BYTES = 1024;

    public static void main(String[] args) throws IOException {
        List<Report> reports = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            if (line.startsWith(Report.PREFIX)) {
                reports.add(Report.parse(line));
            }
        }
        System.out.print(table(reports));
    }

    /** The table of {@code reports}, scenarios in the order they first appear. */
    public static String table(List<Report> reports) {
        Map<String, Map<String, List<Report>>> byScenario = new LinkedHashMap<>();
        // The peer is whatever is not gev: netty, or another build of gev under its own label.
        String peerLabel = reports.stream().map(r -> r.label).filter(l -> !l.equals(GEV)).findFirst().orElse("netty");
        for (Report r : reports) {
            byScenario.computeIfAbsent(r.scenario, k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.label, k -> new ArrayList<>()).add(r);
        }
        StringBuilder sb = new StringBuilder();
        String p = peerLabel;
        sb.append("| scenario | gev | " + p + " | gev/" + p + " | server CPU ns/op gev | " + p + " | gev/" + p
                + " | p99 µs gev | " + p + " | heap B/op gev | " + p + " | errors | other CPU % | targets |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        byScenario.forEach((scenario, byLabel) -> {
            List<Report> gev = byLabel.getOrDefault(GEV, List.of());
            // A row of gev against gev (unix-echo: over TCP) names its peer, as the header's is another.
            String rowPeer = byLabel.containsKey(peerLabel) ? peerLabel
                    : byLabel.keySet().stream().filter(l -> !l.equals(GEV)).findFirst().orElse(peerLabel);
            List<Report> peer = byLabel.getOrDefault(rowPeer, List.of());
            boolean idle = scenario.startsWith("idle");
            ToDoubleFunction<Report> main = idle ? Report::bytesPerConnection : Report::opsPerSecond;
            boolean handshakes = scenario.contains("handshake ");
            String unit = idle ? " B/conn" : scenario.startsWith("connect") || handshakes ? " conn/s" : " msg/s";
            double g = median(gev, main);
            double g99 = median(gev, r -> r.p99Micros);
            double p99 = median(peer, r -> r.p99Micros);
            double ga = median(gev, r -> r.serverAllocBytesPerOp);
            long errors = all(byLabel).stream().mapToLong(r -> r.errors).sum();
            sb.append("| ").append(scenario).append(unit).append(rowPeer.equals(peerLabel) ? "" : " (peer: " + rowPeer + ")")
                    .append(" | ").append(spread(gev, main))
                    .append(" | ").append(spread(peer, main))
                    .append(" | ").append(pairedRatio(gev, peer, main))
                    .append(" | ").append(idle ? "" : spread(gev, r -> r.serverCpuNanosPerOp))
                    .append(" | ").append(idle ? "" : spread(peer, r -> r.serverCpuNanosPerOp))
                    .append(" | ").append(idle ? "" : pairedRatio(gev, peer, r -> r.serverCpuNanosPerOp))
                    .append(" | ").append(idle ? "" : fmt(g99))
                    .append(" | ").append(idle ? "" : fmt(p99))
                    .append(" | ").append(idle ? "" : fmt(ga))
                    .append(" | ").append(idle ? "" : fmt(median(peer, r -> r.serverAllocBytesPerOp)))
                    .append(" | ").append(errors)
                    .append(" | ").append(fmt(median(all(byLabel), r -> r.foreignCpuPercent)))
                    .append(" | ").append(handshakes ? resumption(scenario, gev, peer, p)
                            : verdict(scenario, g, paired(gev, peer, main), paired(gev, peer, r -> r.serverCpuNanosPerOp),
                            g99, p99, ga))
                    .append(" |\n");
        });
        sb.append("\nMedians over rounds, min–max in brackets; a ratio is the median of the rounds' ratios "
                + "(each round runs gev and its peer back to back). Server CPU is utime+stime of the whole server "
                + "process over the measured window divided by the operations in it; heap B/op is what all its "
                + "threads allocated over the window, per operation. Other CPU is what other processes used meanwhile "
                + "(median, % of one CPU): above ~10 the run was disturbed. Handshake rows: an operation is a new TLS "
                + "connection (connect, handshake, an 8-byte echo, close_notify and reset); full rows offer no session, "
                + "resumed rows the server's last one, and the share that the server resumed (no certificate sent) "
                + "is in the targets column. Client-echo rows measure the clients instead (gev's Client against Netty's "
                + "Bootstrap, both bouncing messages off one Netty echo server): their server CPU and heap columns are "
                + "the client process's, p99 is not measured, and other CPU includes the echo server's. Unix-echo rows run "
                + "gev's echo on a Unix domain socket against the same echo on TCP loopback (peer gev-tcp).\n");
        return sb.toString();
    }

    private static List<Report> all(Map<String, List<Report>> byLabel) {
        List<Report> all = new ArrayList<>();
        byLabel.values().forEach(all::addAll);
        return all;
    }

    /**
     * The handshake rows' check: the median share of handshakes that resumed, gev's and the peer's;
     * a resumed row where either resumed nothing fails, as does a full row where anything resumed.
     */
    private static String resumption(String scenario, List<Report> gev, List<Report> peer, String peerLabel) {
        double g = median(gev, r -> r.resumedPercent);
        double p = median(peer, r -> r.resumedPercent);
        if (Double.isNaN(g) && Double.isNaN(p)) {
            return "not measured";
        }
        boolean resumed = scenario.contains("handshake resumed");
        boolean ok = resumed ? !(g == 0 || p == 0) : !(g > 0 || p > 0);
        return mark(ok) + " resumed " + fmt(g) + " % / " + fmt(p) + " % (gev / " + peerLabel + ")";
    }

    private static String verdict(String scenario, double gev, double[] throughput, double[] cpu, double g99,
                                  double p99, double alloc) {
        if (Double.isNaN(gev)) {
            return "not measured";
        }
        if (scenario.startsWith("idle")) {
            return mark(gev <= IDLE_TARGET_BYTES) + " ≤ " + (int) IDLE_TARGET_BYTES + " B";
        }
        if (scenario.startsWith("client-")) {
            // The client rows: gev's Client against Netty's Bootstrap, no targets yet.
            return mark(alloc <= 1) + " ≤ 1 B/msg (client)";
        }
        if (scenario.startsWith("tls-") || scenario.startsWith("offload-") || scenario.startsWith("udp-")
                || scenario.startsWith("unix-")) {
            // No targets for TLS, offloaded handlers, UDP or Unix sockets: the ratio to the peer is the finding.
            return "ratio reported";
        }
        List<String> parts = new ArrayList<>();
        double[] t = TARGETS.get(scenario);
        if (t != null && throughput.length > 0) {
            parts.add(mark(median(throughput) >= t[0]) + " thr ≥ " + t[0]);
            parts.add(mark(median(cpu) <= t[1]) + " cpu ≤ " + t[1]);
        }
        if (scenario.startsWith("echo")) {
            parts.add(mark(g99 <= p99) + " p99 ≤ netty");
        }
        if (scenario.startsWith("echo") || scenario.startsWith("ws")) {
            parts.add(mark(alloc <= 1) + " ≤ 1 B/msg");
        }
        return String.join(", ", parts);
    }

    private static String mark(boolean ok) {
        return ok ? "✅" : "❌";
    }

    static double median(List<Report> reports, ToDoubleFunction<Report> f) {
        return median(reports.stream().mapToDouble(f).filter(x -> !Double.isNaN(x)).sorted().toArray());
    }

    private static double median(double[] sorted) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * The ratios gev/peer of the runs of each round, sorted. The two runs of a round are back to
     * back, so a slow spell of the machine (a neighbour's build, the host) mostly hits both;
     * pairing them removes most of that from the ratio.
     */
    static double[] paired(List<Report> gev, List<Report> peer, ToDoubleFunction<Report> f) {
        int n = Math.min(gev.size(), peer.size());
        return java.util.stream.IntStream.range(0, n)
                .mapToDouble(i -> f.applyAsDouble(gev.get(i)) / f.applyAsDouble(peer.get(i)))
                .filter(x -> !Double.isNaN(x) && !Double.isInfinite(x)).sorted().toArray();
    }

    private static String pairedRatio(List<Report> gev, List<Report> peer, ToDoubleFunction<Report> f) {
        double[] v = paired(gev, peer, f);
        if (v.length == 0) {
            return "n/a";
        }
        String m = String.format(Locale.ROOT, "%.2f", median(v));
        return v.length == 1 ? m
                : m + String.format(Locale.ROOT, " (%.2f–%.2f)", v[0], v[v.length - 1]);
    }

    private static String spread(List<Report> reports, ToDoubleFunction<Report> f) {
        double[] v = reports.stream().mapToDouble(f).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) {
            return "n/a";
        }
        String m = fmt(median(reports, f));
        return v.length == 1 ? m : m + " (" + fmt(v[0]) + "–" + fmt(v[v.length - 1]) + ")";
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Math.abs(v) >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : "%.1f", v);
    }
}
