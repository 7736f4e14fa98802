package io.gev.internal.tls;

import io.gev.TlsOptions;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the TLS connections of one server share: the options turned into engine parameters, the
 * buffer sizes of a session, and the executor that runs the engines' delegated tasks (key
 * exchange and certificate checks) off the loops.
 */
public final class TlsContext {

    final TlsOptions options;
    final long handshakeTimeoutNanos;
    /** The largest TLS record. */
    final int packetBufferSize;
    /** The largest plaintext of one record. */
    final int applicationBufferSize;

    private final SSLParameters parameters;
    private final ThreadPoolExecutor executor;

    public TlsContext(TlsOptions options, String serverName, int threads) {
        this.options = options;
        this.parameters = options.sslParameters();
        this.handshakeTimeoutNanos = options.handshakeTimeout().toNanos();
        SSLSession session = newEngine().getSession();
        this.packetBufferSize = session.getPacketBufferSize();
        this.applicationBufferSize = session.getApplicationBufferSize();
        AtomicInteger count = new AtomicInteger();
        // Threads come and go with handshakes; they are daemons since the loops keep a server alive.
        this.executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                (runnable) -> {
                    Thread thread = new Thread(runnable, "gev-" + serverName + "-tls-" + count.getAndIncrement());
                    thread.setDaemon(true);
                    return thread;
                });
        this.executor.allowCoreThreadTimeOut(true);
    }

    /** A server-side engine with this server's parameters. */
    SSLEngine newEngine() {
        SSLEngine engine = options.sslContext().createSSLEngine();
        engine.setUseClientMode(false);
        engine.setSSLParameters(parameters);
        return engine;
    }

    /** Runs the engines' delegated tasks. */
    Executor executor() {
        return executor;
    }

    public void shutdown() {
        executor.shutdownNow();
    }
}
