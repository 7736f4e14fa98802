package io.gev.internal.tls;

import io.gev.Server;
import io.gev.TlsOptions;
import io.gev.loop.Transport;
import io.gev.testing.Await;
import io.gev.testing.Connections;
import io.gev.testing.TestCertificates;
import io.gev.testing.TestServers;
import io.gev.testing.TlsTestClient;
import io.netty.util.ReferenceCounted;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * The check that catches a leaked OpenSSL engine: gev's count of live native engines
 * ({@link TlsContext#liveOpenSslEngines()}) is back where it was once a server's connections are
 * closed and the server is stopped, and stays above it by exactly the engines whose release was
 * skipped ({@link TlsContext#skipRelease}). Netty's leak detector could not be that check: the
 * context's native callbacks keep every engine not released reachable, so it is never collected
 * and never reported.
 *
 * <p>Each run closes its connections on the three paths that free an engine: the client's
 * {@code close_notify}, the client's reset of the TCP connection, and the server's stop.
 */
@Timeout(60)
class OpenSslEngineLeakTest {

    private static final byte[] PING = "ping".getBytes(StandardCharsets.US_ASCII);

    @RegisterExtension
    final TestServers servers = new TestServers();

    /** Runs before the extension stops what a failed test left running, so that it frees everything. */
    @AfterEach
    void restoreReleases() {
        TlsContext.skipRelease = null;
    }

    @Test
    void everyEngineIsReleased() throws Exception {
        assertEquals(0, enginesLeftUnreleased(null), "OpenSSL engines left unreleased");
    }

    @Test
    void anEngineLeftUnreleasedIsCaught() throws Exception {
        List<SSLEngine> kept = new CopyOnWriteArrayList<>();
        // The first engine whose connection closes keeps its native memory.
        long left = enginesLeftUnreleased(engine -> kept.isEmpty() && kept.add(engine));
        TlsContext.skipRelease = null;
        assertEquals(1, kept.size(), "engines whose release was skipped");
        assertEquals(1, left, "the skipped engine is counted live");
        ReferenceCounted engine = assertInstanceOf(ReferenceCounted.class, kept.get(0));
        assertEquals(1, engine.refCnt(), "the skipped engine is not freed");
        // Released late, it is no longer counted.
        long before = TlsContext.liveOpenSslEngines();
        TlsContext.release(kept.get(0));
        assertEquals(0, engine.refCnt());
        assertEquals(before - 1, TlsContext.liveOpenSslEngines());
    }

    /**
     * Runs a server on OpenSSL's engine with three TLS connections, one closed each way, and
     * returns how many more OpenSSL engines are live once it has stopped than before it started.
     *
     * @param skip set as {@link TlsContext#skipRelease} once the server is up (its probe engine
     *             released), so that it sees the connections' engines only
     */
    private long enginesLeftUnreleased(Predicate<SSLEngine> skip) throws Exception {
        TestServers.warmUp(Transport.EPOLL);
        long before = TlsContext.liveOpenSslEngines();
        Connections handler = new Connections();
        TlsOptions tls = TestCertificates.get().serverOptions().provider(TlsOptions.Provider.OPENSSL).build();
        Server server = servers.start(TestServers.local(handler, Transport.EPOLL).tls(tls));
        assertEquals(before, TlsContext.liveOpenSslEngines(), "engines of a server without connections");
        TlsContext.skipRelease = skip;
        SSLContext client = TestCertificates.get().clientContext();
        try (TlsTestClient notifying = echoed(server, client);
             TlsTestClient resetting = echoed(server, client);
             TlsTestClient left = echoed(server, client)) {
            assertEquals(before + 3, TlsContext.liveOpenSslEngines(), "engines of three open connections");
            notifying.sendCloseNotify();
            notifying.awaitCloseNotify();
            resetting.socket().setSoLinger(true, 0);
            resetting.socket().close();
            Await.await(Duration.ofSeconds(10), () -> handler.closed.size() == 2,
                    () -> "connections closed by the clients: " + handler.closed.size() + " of 2");
            server.stop(Duration.ofSeconds(1));
            assertEquals(3, handler.closed.size(), "connections closed in all");
        }
        return TlsContext.liveOpenSslEngines() - before;
    }

    private static TlsTestClient echoed(Server server, SSLContext context) throws Exception {
        TlsTestClient c = TlsTestClient.connect(server.port(), context);
        c.write(PING);
        assertArrayEquals(PING, c.readExactly(PING.length));
        return c;
    }
}
