package io.gev.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Waits for a writer or reader that TCP flow control holds back: its progress counter stops
 * moving while the task runs on. What the flow-control tests (a paused connection, a stalled
 * offloaded handler) wait for before they look.
 */
public final class Stall {

    /** How long progress must not move to count as stalled. */
    public static final long STALL_MILLIS = 300;

    private Stall() {
    }

    /**
     * Writes {@code data} to {@code socket} in 64 KiB chunks on another thread, counting what it
     * wrote into {@code written}: the writer a flow-control test watches stall.
     */
    public static CompletableFuture<Void> writeAll(Socket socket, byte[] data, AtomicLong written) {
        return CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = socket.getOutputStream();
                for (int off = 0; off < data.length; off += 64 * 1024) {
                    out.write(data, off, Math.min(64 * 1024, data.length - off));
                    written.set(off);
                }
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Waits until {@code progress} has not moved for {@value #STALL_MILLIS} ms, or {@code task} ended (10 s at most). */
    public static void await(AtomicLong progress, CompletableFuture<?> task) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long last = progress.get();
        long since = System.nanoTime();
        while (!task.isDone() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(10);
            long now = progress.get();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since >= TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS)) {
                return;
            }
        }
    }
}
