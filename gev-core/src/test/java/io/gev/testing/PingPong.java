package io.gev.testing;

import java.io.EOFException;
import java.io.InputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Blocking request/response rounds on many sockets from a few threads, for measuring a server's
 * echo path: each thread writes one request on each of its sockets, then reads every response
 * back and compares it byte for byte, round after round.
 */
public final class PingPong {

    private PingPong() {
    }

    /**
     * Splits {@code sockets} evenly among {@code threadCount} threads and runs rounds until about
     * {@code total} requests went around. Round {@code r} sends {@code requests[(r + s) % n]} on
     * socket {@code s} of a thread and expects {@code responses} at the same index.
     *
     * @return the number of requests answered
     * @throws AssertionError when a response differs or a socket ends early
     */
    public static long run(List<Socket> sockets, int threadCount, int total, byte[][] requests, byte[][] responses)
            throws InterruptedException {
        int perThread = sockets.size() / threadCount;
        int rounds = total / (threadCount * perThread);
        int largest = Arrays.stream(responses).mapToInt(r -> r.length).max().orElse(0);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threadCount; t++) {
            List<Socket> own = sockets.subList(t * perThread, (t + 1) * perThread);
            Thread worker = new Thread(() -> {
                byte[] in = new byte[largest];
                try {
                    for (int r = 0; r < rounds && failure.get() == null; r++) {
                        for (int s = 0; s < own.size(); s++) {
                            own.get(s).getOutputStream().write(requests[(r + s) % requests.length]);
                        }
                        for (int s = 0; s < own.size(); s++) {
                            byte[] expected = responses[(r + s) % responses.length];
                            InputStream stream = own.get(s).getInputStream();
                            int off = 0;
                            while (off < expected.length) {
                                int n = stream.read(in, off, expected.length - off);
                                if (n < 0) {
                                    throw new EOFException("EOF after " + off + " of " + expected.length + " bytes");
                                }
                                off += n;
                            }
                            if (!Arrays.equals(in, 0, expected.length, expected, 0, expected.length)) {
                                throw new AssertionError("response differs on socket " + s + " round " + r);
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "ping-pong-" + t);
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("ping-pong failed", failure.get());
        }
        return (long) rounds * perThread * threadCount;
    }
}
