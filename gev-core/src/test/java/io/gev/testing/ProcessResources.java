package io.gev.testing;

import io.gev.CloseReason;
import io.gev.ServerStats;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * What this JVM holds, for leak checks: open file descriptors, live threads, heap and direct
 * memory; and the totals of a server's counters. Servers and clients of a test share the JVM, so
 * tests compare with a baseline taken before they start.
 */
public final class ProcessResources {

    private ProcessResources() {
    }

    /** Open file descriptors of this process (Linux {@code /proc/self/fd}). */
    public static long openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/fd", e);
        }
    }

    /** The soft limit of open files of this process (ulimit -n), from /proc/self/limits. */
    public static long openFilesLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/limits", e);
        }
        return 0;
    }

    /** The open descriptors and what each points to, for a failure message. */
    public static String describeFds() {
        StringBuilder sb = new StringBuilder("open descriptors:");
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            fds.forEach(fd -> {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    target = "?";
                }
                sb.append("\n  ").append(fd.getFileName()).append(" -> ").append(target);
            });
        } catch (IOException e) {
            sb.append(' ').append(e);
        }
        return sb.toString();
    }

    /** Names of live threads whose name starts with {@code prefix}. */
    public static Set<String> liveThreads(String prefix) {
        Set<String> names = new TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith(prefix)) {
                names.add(t.getName());
            }
        }
        return names;
    }

    /** Heap in use after asking for full collections until it stops shrinking (at most five). */
    public static long heapAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (now >= used) {
                return Math.min(now, used);
            }
            used = now;
        }
        return used;
    }

    /** Bytes of direct {@link java.nio.ByteBuffer}s alive now (collected ones are freed by a GC). */
    public static long directMemoryUsed() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        throw new IllegalStateException("no direct buffer pool bean");
    }

    /**
     * Direct memory in use once a full collection found the dead direct buffers and their
     * cleaners, which run a moment later on the JVM's reference handler thread, freed them:
     * polled until two reads 50 ms apart agree, for 2 s at most.
     */
    public static long directMemoryAfterGc() {
        heapAfterGc();
        long last = directMemoryUsed();
        for (int i = 0; i < 40; i++) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            long now = directMemoryUsed();
            if (now == last) {
                return now;
            }
            last = now;
        }
        return last;
    }

    /** Connections the server closed, for every reason but {@link CloseReason#REJECTED} (never registered). */
    public static long closedTotal(ServerStats stats) {
        long sum = 0;
        for (CloseReason reason : CloseReason.values()) {
            if (reason != CloseReason.REJECTED) {
                sum += stats.closedConnections(reason);
            }
        }
        return sum;
    }

    /** The closes by reason, for reports: {@code peer=3, idle=2}; reasons with none left out. */
    public static String closedByReason(ServerStats stats) {
        StringBuilder sb = new StringBuilder();
        for (CloseReason reason : CloseReason.values()) {
            long n = stats.closedConnections(reason);
            if (n > 0) {
                sb.append(sb.length() == 0 ? "" : ", ").append(reason.tag()).append('=').append(n);
            }
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }

    public static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
