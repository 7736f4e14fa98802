package io.gev.bench.load;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What one load run measured: printed as a table for people and as one {@code RESULT key=value ...}
 * line for the runner. Missing figures are {@code NaN}.
 */
public final class Report {

    public static final String PREFIX = "RESULT ";

    public String label = "server";
    public String scenario = "";
    /** Messages (or connections, for churn) completed in the measured window. */
    public long ops;
    public double seconds = Double.NaN;
    /** Payload bytes per message; 0 for churn and idle. */
    public int messageSize;
    public double p50Micros = Double.NaN;
    public double p99Micros = Double.NaN;
    public double p999Micros = Double.NaN;
    public long errors;
    public double serverCpuNanosPerOp = Double.NaN;
    public double clientCpuNanosPerOp = Double.NaN;
    /** Heap bytes the server allocated per operation over the window (its control port's {@code alloc}). */
    public double serverAllocBytesPerOp = Double.NaN;
    /** CPU other processes used during the window, in percent of one CPU; 0 on a quiet machine. */
    public double foreignCpuPercent = Double.NaN;
    /** Idle mode: heap and direct bytes per connection, measured in the server. */
    public double heapPerConnection = Double.NaN;
    public double directPerConnection = Double.NaN;
    /** Mode handshake: the share of the window's TLS handshakes that resumed a session, in percent. */
    public double resumedPercent = Double.NaN;
    public String firstError = "";

    public double opsPerSecond() {
        return ops / seconds;
    }

    public double mibPerSecond() {
        return ops * (double) messageSize / seconds / (1024 * 1024);
    }

    public double bytesPerConnection() {
        return heapPerConnection + directPerConnection;
    }

    /** The machine-readable line. */
    public String line() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("label", label);
        f.put("scenario", scenario.replace(' ', '_'));
        f.put("ops", Long.toString(ops));
        f.put("seconds", num(seconds));
        f.put("ops_per_s", num(opsPerSecond()));
        f.put("mib_per_s", num(mibPerSecond()));
        f.put("p50_us", num(p50Micros));
        f.put("p99_us", num(p99Micros));
        f.put("p999_us", num(p999Micros));
        f.put("errors", Long.toString(errors));
        f.put("server_cpu_ns_per_op", num(serverCpuNanosPerOp));
        f.put("client_cpu_ns_per_op", num(clientCpuNanosPerOp));
        f.put("server_alloc_b_per_op", num(serverAllocBytesPerOp));
        f.put("foreign_cpu_pct", num(foreignCpuPercent));
        f.put("bytes_per_conn", num(bytesPerConnection()));
        f.put("heap_per_conn", num(heapPerConnection));
        f.put("direct_per_conn", num(directPerConnection));
        f.put("resumed_pct", num(resumedPercent));
        StringBuilder sb = new StringBuilder(PREFIX);
        f.forEach((k, v) -> sb.append(k).append('=').append(v).append(' '));
        return sb.toString().trim();
    }

    /** Parses a {@link #line()}; unknown keys are ignored. */
    public static Report parse(String line) {
        if (!line.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a result line: " + line);
        }
        Map<String, String> f = new LinkedHashMap<>();
        for (String kv : line.substring(PREFIX.length()).trim().split(" ")) {
            int eq = kv.indexOf('=');
            f.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        Report r = new Report();
        r.label = f.get("label");
        r.scenario = f.get("scenario").replace('_', ' ');
        r.ops = Long.parseLong(f.get("ops"));
        r.seconds = Double.parseDouble(f.get("seconds"));
        double mib = Double.parseDouble(f.get("mib_per_s"));
        r.messageSize = r.ops == 0 ? 0 : (int) Math.round(mib * 1024 * 1024 * r.seconds / r.ops);
        r.p50Micros = Double.parseDouble(f.get("p50_us"));
        r.p99Micros = Double.parseDouble(f.get("p99_us"));
        r.p999Micros = Double.parseDouble(f.get("p999_us"));
        r.errors = Long.parseLong(f.get("errors"));
        r.serverCpuNanosPerOp = Double.parseDouble(f.get("server_cpu_ns_per_op"));
        r.clientCpuNanosPerOp = Double.parseDouble(f.get("client_cpu_ns_per_op"));
        r.serverAllocBytesPerOp = Double.parseDouble(f.getOrDefault("server_alloc_b_per_op", "NaN"));
        r.foreignCpuPercent = Double.parseDouble(f.getOrDefault("foreign_cpu_pct", "NaN"));
        r.heapPerConnection = Double.parseDouble(f.get("heap_per_conn"));
        r.directPerConnection = Double.parseDouble(f.get("direct_per_conn"));
        r.resumedPercent = Double.parseDouble(f.getOrDefault("resumed_pct", "NaN"));
        return r;
    }

    /** The human-readable form. */
    public void print(PrintStream out) {
        out.printf(Locale.ROOT, "%-28s %s%n", "scenario", scenario);
        out.printf(Locale.ROOT, "%-28s %s%n", "server", label);
        if (!Double.isNaN(heapPerConnection)) {
            out.printf(Locale.ROOT, "%-28s %.0f (heap %.0f + direct %.0f)%n", "bytes per idle connection",
                    bytesPerConnection(), heapPerConnection, directPerConnection);
        }
        out.printf(Locale.ROOT, "%-28s %d in %.2f s%n", "operations", ops, seconds);
        out.printf(Locale.ROOT, "%-28s %.0f%n", "operations/s", opsPerSecond());
        if (messageSize > 0) {
            out.printf(Locale.ROOT, "%-28s %.2f%n", "MiB/s (echoed payload)", mibPerSecond());
        }
        out.printf(Locale.ROOT, "%-28s p50 %.1f  p99 %.1f  p999 %.1f%n", "latency (us)", p50Micros, p99Micros,
                p999Micros);
        out.printf(Locale.ROOT, "%-28s server %.0f  client %.0f%n", "CPU ns per operation", serverCpuNanosPerOp,
                clientCpuNanosPerOp);
        out.printf(Locale.ROOT, "%-28s %.2f%n", "server heap B per operation", serverAllocBytesPerOp);
        if (!Double.isNaN(resumedPercent)) {
            out.printf(Locale.ROOT, "%-28s %.1f%%%n", "TLS handshakes resumed", resumedPercent);
        }
        out.printf(Locale.ROOT, "%-28s %.0f%%%n", "other processes' CPU", foreignCpuPercent);
        out.printf(Locale.ROOT, "%-28s %d%s%n", "errors", errors, errors > 0 ? " (first: " + firstError + ")" : "");
    }

    static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "NaN";
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
