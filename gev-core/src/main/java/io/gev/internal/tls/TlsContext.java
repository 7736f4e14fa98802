package io.gev.internal.tls;

import io.gev.TlsOptions;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * What the TLS connections of one server share: the engine chosen (the JDK's or OpenSSL's, see
 * {@link TlsOptions.Provider}) and its parameters, the buffer sizes of a session, and the executor
 * that runs the engines' delegated tasks (key exchange and certificate checks) off the loops.
 */
public final class TlsContext {

    private static final Logger log = LoggerFactory.getLogger(TlsContext.class);
    /**
     * OpenSSL engines made and not yet freed, in this JVM: what the leak tests watch. Netty's leak
     * detector cannot stand in for it: an OpenSSL context keeps each of its engines in a map that
     * its native callbacks hold on to until the last engine is released, so an engine never
     * released is never collected, and never reported.
     */
    private static final AtomicLong LIVE_OPENSSL_ENGINES = new AtomicLong();
    /**
     * Tests only: engines this accepts are left unreleased, as a missed release would leave them,
     * so that a test can show the leak is seen. {@code null} (always, outside tests) for none.
     */
    static volatile Predicate<SSLEngine> skipRelease;

    final TlsOptions options;
    final long handshakeTimeoutNanos;
    /** The largest TLS record. */
    final int packetBufferSize;
    /** The largest plaintext of one record. */
    final int applicationBufferSize;

    private final SSLParameters parameters;
    /** OpenSSL's engines; {@code null} on the JDK's. */
    private final OpenSslEngines openSsl;
    private final ThreadPoolExecutor executor;

    /**
     * @throws IllegalStateException when {@link TlsOptions.Provider#OPENSSL} is asked for and
     *         OpenSSL does not load or refuses the options
     */
    public TlsContext(TlsOptions options, String serverName, int threads) {
        this.options = options;
        this.parameters = options.sslParameters();
        this.handshakeTimeoutNanos = options.handshakeTimeout().toNanos();
        this.openSsl = openSsl(options, serverName);
        if (openSsl == null && !options.isClient()) {
            SSLSessionContext sessions = options.sslContext().getServerSessionContext();
            sessions.setSessionCacheSize(options.sessionCacheSize());
            sessions.setSessionTimeout((int) options.sessionTimeout().getSeconds());
        }
        SSLEngine probe = options.isClient() ? newClientEngine("localhost", -1) : newEngine();
        try {
            SSLSession session = probe.getSession();
            this.packetBufferSize = session.getPacketBufferSize();
            this.applicationBufferSize = session.getApplicationBufferSize();
        } finally {
            release(probe);
        }
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

    /** OpenSSL's engines when the options ask for them and they load; {@code null} for the JDK's. */
    private static OpenSslEngines openSsl(TlsOptions options, String serverName) {
        TlsOptions.Provider provider = options.provider();
        if (provider == TlsOptions.Provider.JDK) {
            log.info("gev {} '{}': TLS on the JDK's SSLEngine (provider JDK)", side(options), serverName);
            return null;
        }
        boolean required = provider == TlsOptions.Provider.OPENSSL;
        if (!options.openSslCapable()) {
            // Only AUTO gets here: the builder refuses OPENSSL without the key material.
            log.info("gev {} '{}': TLS on the JDK's SSLEngine (provider AUTO: options made from an SSLContext "
                    + "hide the key and trust OpenSSL needs)", side(options), serverName);
            return null;
        }
        Throwable unavailable;
        try {
            unavailable = OpenSslEngines.unavailability();
        } catch (LinkageError e) {
            unavailable = e; // netty-handler left out of the application
        }
        if (unavailable != null) {
            if (required) {
                throw new IllegalStateException("gev " + side(options) + " '" + serverName + "': TLS provider OPENSSL is not available "
                        + "(add io.netty:netty-tcnative-boringssl-static to the class path): " + unavailable,
                        unavailable);
            }
            log.info("gev {} '{}': TLS on the JDK's SSLEngine (provider AUTO: OpenSSL is not available: {})", side(options), serverName, unavailable.toString());
            return null;
        }
        try {
            OpenSslEngines engines = OpenSslEngines.create(options);
            log.info("gev {} '{}': TLS on OpenSSL's SSLEngine, {} (provider {})", side(options), serverName,
                    OpenSslEngines.version(), provider);
            return engines;
        } catch (SSLException | RuntimeException e) {
            if (required) {
                throw new IllegalStateException("gev " + side(options) + " '" + serverName + "': OpenSSL refuses the TLS options: "
                        + e.getMessage(), e);
            }
            log.warn("gev {} '{}': TLS on the JDK's SSLEngine (provider AUTO: OpenSSL refuses the options: {})", side(options), serverName, e.toString());
            return null;
        }
    }

    /** A server-side engine with this server's parameters; {@link #release} it when done. */
    SSLEngine newEngine() {
        if (openSsl != null) {
            SSLEngine engine = openSsl.newEngine();
            LIVE_OPENSSL_ENGINES.incrementAndGet();
            return engine;
        }
        SSLEngine engine = options.sslContext().createSSLEngine();
        engine.setUseClientMode(false);
        engine.setSSLParameters(parameters);
        return engine;
    }

    /**
     * A client-side engine for a connection to {@code host} at {@code port}: it sends {@code host}
     * by SNI unless it is an IP literal, and checks the server's certificate against it when the
     * options verify host names. {@link #release} it when done.
     */
    SSLEngine newClientEngine(String host, int port) {
        SSLEngine engine;
        if (openSsl != null) {
            // Protocols, ciphers and ALPN are the context's; the host name is the engine's.
            engine = openSsl.newEngine(host, port);
            LIVE_OPENSSL_ENGINES.incrementAndGet();
        } else {
            engine = options.sslContext().createSSLEngine(host, port);
            engine.setUseClientMode(true);
            engine.setSSLParameters(parameters);
        }
        SSLParameters p = engine.getSSLParameters();
        p.setEndpointIdentificationAlgorithm(parameters.getEndpointIdentificationAlgorithm());
        if (!NetUtil.isValidIpV4Address(host) && !NetUtil.isValidIpV6Address(host)) {
            p.setServerNames(List.of(new SNIHostName(host)));
        }
        engine.setSSLParameters(p);
        return engine;
    }

    private static String side(TlsOptions options) {
        return options.isClient() ? "client" : "server";
    }

    /** Frees the native memory of an OpenSSL engine; nothing for the JDK's, which the GC takes. */
    static void release(SSLEngine engine) {
        Predicate<SSLEngine> skip = skipRelease;
        if (skip != null && skip.test(engine)) {
            return;
        }
        if (engine instanceof ReferenceCounted) {
            ReferenceCounted counted = (ReferenceCounted) engine;
            if (counted.refCnt() > 0 && ReferenceCountUtil.release(counted)) {
                LIVE_OPENSSL_ENGINES.decrementAndGet();
            }
        }
    }

    /** OpenSSL engines made by gev's servers in this JVM and not yet freed. Any thread. */
    public static long liveOpenSslEngines() {
        return LIVE_OPENSSL_ENGINES.get();
    }

    /** {@code true} on OpenSSL's engine, which works best on direct buffers (the JDK's on heap ones). */
    boolean directBuffers() {
        return openSsl != null;
    }

    /** {@code true} when the engines are OpenSSL's. */
    boolean isOpenSsl() {
        return openSsl != null;
    }

    /** The engine the server settled on: {@link TlsOptions.Provider#JDK} or {@link TlsOptions.Provider#OPENSSL}. */
    public TlsOptions.Provider provider() {
        return openSsl != null ? TlsOptions.Provider.OPENSSL : TlsOptions.Provider.JDK;
    }

    /** Runs the engines' delegated tasks. */
    Executor executor() {
        return executor;
    }

    public void shutdown() {
        executor.shutdownNow();
        if (openSsl != null) {
            openSsl.release();
        }
    }
}
