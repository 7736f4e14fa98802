package io.gev.internal.transport;

import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandle;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;

import java.util.function.Consumer;

/**
 * Registering a long-lived handle (a listener, a datagram socket) from a thread that is not the
 * loop's: nothing is reported before the first {@code submit} (netty-iohandle notes), and the
 * handle must hold its registration before its first event, so both happen in one task of the
 * loop.
 */
public final class LoopRegistration {

    private LoopRegistration() {
    }

    /**
     * Registers {@code handle} on {@code loop}, then, on the loop, gives the registration to
     * {@code holder} and submits {@code ops}; blocks until both are done.
     */
    public static void register(IoEventLoop loop, IoHandle handle, IoOps ops, Consumer<IoRegistration> holder)
            throws InterruptedException {
        IoRegistration r = loop.register(handle).sync().getNow();
        loop.submit(() -> {
            holder.accept(r);
            r.submit(ops);
        }).sync();
    }
}
