package io.gev.testing;

import io.gev.Connection;
import io.gev.Handler;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/** An echo handler that counts its {@code onConnect} and {@code onClose} calls. */
public class CountingHandler implements Handler<ByteBuffer> {

    public final AtomicInteger connects = new AtomicInteger();
    public final AtomicInteger closes = new AtomicInteger();

    @Override
    public void onConnect(Connection connection) {
        connects.incrementAndGet();
    }

    @Override
    public Object onMessage(Connection connection, Object context, ByteBuffer payload) {
        return payload;
    }

    @Override
    public void onClose(Connection connection) {
        closes.incrementAndGet();
    }

    /** Connections opened and not yet closed, as the handler saw them. */
    public int open() {
        return connects.get() - closes.get();
    }
}
