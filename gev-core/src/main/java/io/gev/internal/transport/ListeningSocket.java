package io.gev.internal.transport;

import io.gev.ServerOptions;
import io.gev.internal.watchdog.LogThrottle;
import io.gev.internal.watchdog.LoopProgress;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandle;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A bound listening socket registered on one loop, accepting in batches. Subclasses supply the
 * transport's accept and socket options.
 */
public abstract class ListeningSocket implements IoHandle {

    private static final Logger log = LoggerFactory.getLogger(ListeningSocket.class);

    /** Accepts per readiness event, so one listener cannot starve a loop's connections. */
    private static final int MAX_ACCEPTS_PER_EVENT = 64;
    /**
     * How long accepting pauses after accept failed. The usual cause, no descriptor left (EMFILE),
     * lasts a while, and the pending connection keeps the socket readable: level-triggered polling
     * would retry at once, forever, burning a core exactly when the process is short of resources.
     */
    static final long ACCEPT_PAUSE_MILLIS = 100;

    private final ServerOptions options;
    private final Acceptor acceptor;
    private IoRegistration registration;
    private IoEventLoop loop;
    private LoopProgress progress;
    private boolean paused;
    /** The socket file this listener bound and removes when it closes; {@code null} on TCP. */
    private Path unixFile;
    private Object unixFileIdentity;
    // EMFILE and friends repeat while they last (level-triggered): one line a second.
    private final LogThrottle acceptErrors = new LogThrottle(TimeUnit.SECONDS.toNanos(1));

    /**
     * @param options the server's options, for the accepted sockets' options
     * @param acceptor takes each accepted, configured socket, on this listener's loop
     */
    ListeningSocket(ServerOptions options, Acceptor acceptor) {
        this.options = options;
        this.acceptor = acceptor;
    }

    /** The bound address: an {@code InetSocketAddress}, or the socket file's address on a Unix domain socket. */
    public abstract SocketAddress localAddress();

    /** Has this listener remove {@code file}, which it bound, when it closes, unless another server bound it since. */
    final void removesOnClose(Path file) throws IOException {
        unixFileIdentity = UnixSockets.identity(file);
        unixFile = file;
    }

    /** Accepts one pending connection, or returns {@code null} when none is pending. */
    abstract AbstractSocketIo acceptOne() throws IOException;

    /** Applies the server's socket options to an accepted socket. */
    abstract void configure(AbstractSocketIo accepted, ServerOptions options) throws IOException;

    /** The interest that means "tell me about pending connections". */
    abstract IoOps acceptOps();

    /** The interest that means "tell me nothing" (never epoll's NONE: see EpollSocketIo). */
    abstract IoOps pausedOps();

    abstract void closeSocket() throws IOException;

    /**
     * Registers on {@code loop} and starts accepting; blocks until both are done.
     *
     * @param progress what the blocked-loop watchdog reads of {@code loop}
     */
    final void register(IoEventLoop loop, LoopProgress progress) throws InterruptedException {
        this.loop = loop;
        this.progress = progress;
        try {
            LoopRegistration.register(loop, this, acceptOps(), r -> registration = r);
        } catch (InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public final void handle(IoRegistration registration, IoEvent event) {
        progress.busy();
        try {
            for (int i = 0; i < MAX_ACCEPTS_PER_EVENT; i++) {
                AbstractSocketIo accepted = acceptOne();
                if (accepted == null) {
                    return;
                }
                try {
                    configure(accepted, options);
                } catch (IOException e) {
                    log.debug("Configuring an accepted socket failed", e);
                    accepted.closeSocket();
                    continue;
                }
                acceptor.accepted(accepted);
            }
        } catch (Throwable t) {
            long held = acceptErrors.tryReport(System.nanoTime());
            if (held >= 0) {
                log.warn("Accept on {} failed: {}; pausing accepting for {} ms at a time while it fails{}",
                        localAddress(), t.toString(), ACCEPT_PAUSE_MILLIS,
                        held == 0 ? "" : " (" + held + " more failures since the last line)");
            }
            pauseAccepting();
        } finally {
            progress.waiting();
        }
    }

    private void pauseAccepting() {
        if (paused || registration == null || !registration.isValid()) {
            return;
        }
        paused = true;
        registration.submit(pausedOps());
        try {
            loop.schedule(this::resumeAccepting, ACCEPT_PAUSE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // The loop is shutting down, and this listener with it.
        }
    }

    private void resumeAccepting() {
        paused = false;
        if (registration.isValid()) {
            registration.submit(acceptOps());
        }
    }

    /** Stops accepting and closes the socket; runs on the listener's loop. Never throws. */
    @Override
    public final void close() {
        if (registration != null) {
            registration.cancel();
        }
        try {
            closeSocket();
        } catch (IOException e) {
            log.debug("Closing listener {} failed", localAddress(), e);
        }
        if (unixFile != null) {
            UnixSockets.remove(unixFile, unixFileIdentity);
            unixFile = null;
        }
    }
}
