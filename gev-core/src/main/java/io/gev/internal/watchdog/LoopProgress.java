package io.gev.internal.watchdog;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.ThreadAwareExecutor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * What one loop thread is doing, for the {@link LoopWatchdog}: a counter the loop thread bumps
 * when it goes from waiting for I/O to running code and back. An even value means the loop is
 * in (or on its way to) {@code epoll_wait}/{@code select}; an odd value means it runs gev code, a
 * handler or a task. A watchdog that sees the same odd value for longer than its threshold has
 * found a loop stuck in one callback or task.
 *
 * <p>The cost on the loop thread is two opaque stores per readiness event and per loop iteration:
 * no fence, no system call, no clock read, no allocation. Opaque stores (plain {@code mov}s on
 * x86 and ARM) are used only so that the JIT cannot merge the two stores around an inlined
 * callback into one.
 */
public final class LoopProgress {

    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(LoopProgress.class, "count", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Written by the loop thread only; read by the watchdog with {@link #count()}. */
    private long count;
    private volatile Thread thread;

    /** The loop runs code: a handler, gev's read/write path or a task. */
    public void busy() {
        long c = count;
        if ((c & 1) == 0) {
            COUNT.setOpaque(this, c + 1);
        }
    }

    /** The loop is back to polling for I/O. */
    public void waiting() {
        long c = count;
        if ((c & 1) != 0) {
            COUNT.setOpaque(this, c + 1);
        }
    }

    /** The counter as the watchdog sees it. */
    long count() {
        return (long) COUNT.getOpaque(this);
    }

    /** The loop's thread, once it ran; {@code null} before. */
    public Thread thread() {
        return thread;
    }

    /**
     * Makes every {@link IoHandler} of {@code delegate} report to a {@link LoopProgress}: the loop
     * is waiting while inside {@link IoHandler#run} (where Netty polls and then dispatches events,
     * which the transport's sockets and listening sockets mark as busy themselves) and busy
     * outside it, where Netty runs tasks and timers.
     */
    public static final class Factory implements IoHandlerFactory {

        private final IoHandlerFactory delegate;
        private final Map<ThreadAwareExecutor, LoopProgress> byLoop = new IdentityHashMap<>();

        public Factory(IoHandlerFactory delegate) {
            this.delegate = delegate;
        }

        @Override
        public IoHandler newHandler(ThreadAwareExecutor executor) {
            LoopProgress progress = new LoopProgress();
            synchronized (byLoop) {
                byLoop.put(executor, progress);
            }
            return new Handler(delegate.newHandler(executor), progress);
        }

        @Override
        public boolean isChangingThreadSupported() {
            return delegate.isChangingThreadSupported();
        }

        /** The progress of the loop that {@code executor} is; one was made for each loop created. */
        public LoopProgress of(ThreadAwareExecutor executor) {
            synchronized (byLoop) {
                LoopProgress progress = byLoop.get(executor);
                if (progress == null) {
                    throw new IllegalStateException("no IoHandler was created for " + executor);
                }
                return progress;
            }
        }
    }

    private static final class Handler implements IoHandler {

        private final IoHandler delegate;
        private final LoopProgress progress;

        Handler(IoHandler delegate, LoopProgress progress) {
            this.delegate = delegate;
            this.progress = progress;
        }

        @Override
        public void initialize() {
            progress.thread = Thread.currentThread();
            delegate.initialize();
        }

        @Override
        public int run(IoHandlerContext context) {
            progress.waiting();
            try {
                return delegate.run(context);
            } finally {
                progress.busy();
            }
        }

        @Override
        public void prepareToDestroy() {
            delegate.prepareToDestroy();
        }

        @Override
        public void destroy() {
            delegate.destroy();
        }

        @Override
        public IoRegistration register(IoHandle handle) throws Exception {
            return delegate.register(handle);
        }

        @Override
        public void wakeup() {
            delegate.wakeup();
        }

        @Override
        public boolean isCompatible(Class<? extends IoHandle> handleType) {
            return delegate.isCompatible(handleType);
        }
    }
}
