package io.gev.bench.server;

import io.gev.HandlerExecution;
import io.gev.Server;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link GevEchoServer}'s echo with the handler offloaded ({@code gev-offload}): on virtual threads
 * when the JVM has them (Java 21 and later), else on a fixed pool of
 * {@link BenchServer#offloadThreads()} threads, with the default bound of queued messages. The
 * handler does not block, so what it measures is the cost of the hand-off: the payload's copy,
 * the executor's queue and wake-ups, and the reply's way back through the loop.
 */
public final class GevOffloadEchoServer extends GevEchoServer {

    private ExecutorService pool;

    @Override
    protected Server.Builder builder() {
        HandlerExecution execution;
        if (HandlerExecution.virtualThreadsAvailable()) {
            execution = HandlerExecution.virtualThreads();
        } else {
            AtomicInteger n = new AtomicInteger();
            pool = Executors.newFixedThreadPool(BenchServer.offloadThreads(), r -> {
                Thread t = new Thread(r, "bench-offload-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            execution = HandlerExecution.executor(pool);
        }
        return super.builder().name("bench-offload").handlerExecution(execution);
    }

    @Override
    protected void stopped() {
        if (pool != null) {
            pool.shutdown();
            try {
                pool.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String describe() {
        return "GevOffloadEchoServer, handler on "
                + (HandlerExecution.virtualThreadsAvailable() ? "virtual threads" : BenchServer.offloadThreads() + " pool threads");
    }
}
