package io.gev.bench.server;

import io.netty.util.internal.PlatformDependent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A tiny blocking side channel of a benchmark server on 127.0.0.1. A line {@code mem} is answered
 * with {@code heap=B direct=B} after full garbage collections, where heap is the heap in use and
 * direct the JDK's direct buffers plus the native memory Netty allocates without the JDK's
 * accounting; a line {@code alloc} with {@code alloc=B}, the bytes all live threads allocated on
 * the heap so far. It runs on its own daemon thread, outside the loops being measured, and is
 * asked only at the edges of the measured windows.
 */
public final class ControlPort {

    private final ServerSocket socket;
    private final java.util.function.Function<String, String> commands;

    public ControlPort() throws IOException {
        this(command -> "error=1");
    }

    /**
     * A control port that also answers the process's own {@code commands} (a benchmark client's
     * {@code go} and {@code pause}); an answer is a {@code key=value ...} line.
     */
    public ControlPort(java.util.function.Function<String, String> commands) throws IOException {
        this.commands = commands;
        socket = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::serve, "bench-control");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        while (!socket.isClosed()) {
            try (Socket s = socket.accept()) {
                String command = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
                String answer = "mem".equals(command) ? memory() : "alloc".equals(command) ? allocated()
                        : commands.apply(command);
                OutputStream out = s.getOutputStream();
                out.write((answer + "\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException | RuntimeException e) {
                System.err.println("control port: " + e);
            }
        }
    }

    /**
     * Heap bytes allocated so far by the threads alive now (the loops live as long as the server),
     * except this one: answering costs some kilobytes that are not the server's.
     */
    static String allocated() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = threads.getAllThreadIds();
        long[] bytes = threads.getThreadAllocatedBytes(ids);
        long self = Thread.currentThread().getId();
        long sum = 0;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] != self && bytes[i] > 0) {
                sum += bytes[i];
            }
        }
        return "alloc=" + sum;
    }

    /** Heap in use after GC and direct memory in use, in bytes. */
    static String memory() {
        long heap = Long.MAX_VALUE;
        // Repeat until the heap stops shrinking: finalisation and reference processing take rounds.
        for (int i = 0; i < 5; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (used >= heap) {
                break;
            }
            heap = used;
        }
        long direct = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                direct += pool.getMemoryUsed();
            }
        }
        long nettyNative = PlatformDependent.usedDirectMemory(); // -1 when Netty does not count
        if (nettyNative > 0) {
            direct += nettyNative;
        }
        return "heap=" + heap + " direct=" + direct;
    }
}
