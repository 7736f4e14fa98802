package io.gev.internal.tls;

import io.gev.internal.watchdog.ClientFaultLog;
import io.netty.util.concurrent.EventExecutor;

/** What the TLS layer needs of the loop its connection runs on. */
public interface TlsLoop {

    /** The loop's executor: the handshake and linger timers and the end of delegated tasks run there. */
    EventExecutor executor();

    /** The loop's TLS buffers for {@code context}, shared by its TLS connections; made on first use. Loop thread. */
    TlsBuffers tlsBuffers(TlsContext context);

    /**
     * A handshake of {@code nanos} completed: the loop counts it, and the session until
     * {@link #tlsSessionClosed()}. Loop thread.
     */
    void tlsHandshakeCompleted(long nanos);

    /** A session counted by {@link #tlsHandshakeCompleted} closed. Loop thread. */
    void tlsSessionClosed();

    /** Where the server's TLS failures are logged, throttled. */
    ClientFaultLog tlsFailures();
}
