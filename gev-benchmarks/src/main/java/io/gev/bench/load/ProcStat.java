package io.gev.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time of a whole process (all threads), from {@code /proc/<pid>/stat}. */
public final class ProcStat {

    /** Clock ticks per second of utime and stime; 100 on every Linux this runs on (getconf CLK_TCK). */
    static final long TICKS_PER_SECOND = Long.getLong("gev.bench.clkTck", 100);

    private ProcStat() {
    }

    /** utime + stime of {@code pid} in nanoseconds, or -1 when it cannot be read. */
    public static long cpuNanos(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may hold spaces and parentheses: fields count from the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15
            return ticks * 1_000_000_000L / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** CPU time all processes spent busy since boot, summed over the CPUs, from {@code /proc/stat}; -1 if unknown. */
    public static long machineBusyNanos() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0); // "cpu  user nice system idle iowait irq softirq steal ..."
            String[] f = cpu.trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                if (i != 4 && i != 5) { // idle and iowait are not busy
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy * 1_000_000_000L / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** This JVM's process id. */
    public static long self() {
        return ProcessHandle.current().pid();
    }
}
