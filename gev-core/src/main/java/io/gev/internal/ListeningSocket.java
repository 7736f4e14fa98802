package io.gev.internal;

import io.netty.channel.IoEvent;
import io.netty.channel.IoHandle;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A bound listening socket registered on one loop, accepting in batches. Subclasses supply the
 * transport's accept and socket options.
 */
abstract class ListeningSocket implements IoHandle {

    private static final Logger log = LoggerFactory.getLogger(ListeningSocket.class);

    /** Accepts per readiness event, so one listener cannot starve a loop's connections. */
    private static final int MAX_ACCEPTS_PER_EVENT = 64;
    /**
     * How long accepting pauses after accept failed. The usual cause, no descriptor left (EMFILE),
     * lasts a while, and the pending connection keeps the socket readable: level-triggered polling
     * would retry at once, forever, burning a core exactly when the process is short of resources.
     */
    static final long ACCEPT_PAUSE_MILLIS = 100;

    private final ServerEngine engine;
    private final GevLoop owner;
    private IoRegistration registration;
    private GevLoop loop;
    private LoopProgress progress;
    private boolean paused;
    private long lastErrorLog;

    /**
     * @param owner the worker loop that owns what this listener accepts, or {@code null} when the
     *              load balancer chooses
     */
    ListeningSocket(ServerEngine engine, GevLoop owner) {
        this.engine = engine;
        this.owner = owner;
    }

    /** The bound address. */
    abstract InetSocketAddress localAddress();

    /** Accepts one pending connection, or returns {@code null} when none is pending. */
    abstract AbstractSocketIo acceptOne() throws IOException;

    /** Applies the server's socket options to an accepted socket. */
    abstract void configure(AbstractSocketIo accepted, ServerEngine engine) throws IOException;

    /** The interest that means "tell me about pending connections". */
    abstract IoOps acceptOps();

    /** The interest that means "tell me nothing" (never epoll's NONE: see EpollSocketIo). */
    abstract IoOps pausedOps();

    abstract void closeSocket() throws IOException;

    /** Registers on {@code loop} and starts accepting; blocks until both are done. */
    final void register(GevLoop loop) throws InterruptedException {
        this.loop = loop;
        progress = loop.progress();
        try {
            IoRegistration r = loop.ioLoop().register(this).sync().getNow();
            loop.netty().submit(() -> {
                registration = r;
                r.submit(acceptOps());
            }).sync();
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
                    configure(accepted, engine);
                } catch (IOException e) {
                    log.debug("Configuring an accepted socket failed", e);
                    accepted.closeSocket();
                    continue;
                }
                engine.accepted(accepted, owner);
            }
        } catch (Throwable t) {
            // EMFILE and friends repeat while they last (level-triggered): log once a second.
            long now = System.nanoTime();
            if (now - lastErrorLog > 1_000_000_000L) {
                lastErrorLog = now;
                log.warn("Accept on {} failed: {}; pausing accepting for {} ms at a time while it fails",
                        localAddress(), t.toString(), ACCEPT_PAUSE_MILLIS);
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
            loop.netty().schedule(this::resumeAccepting, ACCEPT_PAUSE_MILLIS, TimeUnit.MILLISECONDS);
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
    }
}
