package io.gev.testing;

import io.gev.Connection;
import io.gev.Handler;

import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An echo handler that hands each connection to the test once it is open (for TLS: once its
 * handshake is complete) and again once it is closed. Override its callbacks to do more.
 */
public class Connections implements Handler<ByteBuffer> {

    public final BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
    public final BlockingQueue<Connection> closed = new LinkedBlockingQueue<>();

    @Override
    public void onConnect(Connection connection) {
        connected.add(connection);
    }

    @Override
    public Object onMessage(Connection connection, Object context, ByteBuffer payload) {
        return payload;
    }

    @Override
    public void onClose(Connection connection) {
        closed.add(connection);
    }

    /** The next connection opened, waiting up to 10 s. */
    public Connection next() throws InterruptedException {
        Connection c = connected.poll(10, TimeUnit.SECONDS);
        if (c == null) {
            throw new AssertionError("no connection was opened");
        }
        return c;
    }
}
