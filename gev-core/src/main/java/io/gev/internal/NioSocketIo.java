package io.gev.internal;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.nio.NioIoEvent;
import io.netty.channel.nio.NioIoHandle;
import io.netty.channel.nio.NioIoOps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/** An accepted socket on the JDK's selector. */
final class NioSocketIo implements SocketIo, NioIoHandle {

    private static final Logger log = LoggerFactory.getLogger(NioSocketIo.class);

    private final SocketChannel channel;
    private ConnectionImpl connection;
    private IoRegistration registration;
    private NioIoOps current;

    NioSocketIo(SocketChannel channel) {
        this.channel = channel;
    }

    SocketChannel channel() {
        return channel;
    }

    @Override
    public void attach(ConnectionImpl connection) {
        this.connection = connection;
    }

    @Override
    public void registered(IoRegistration registration) {
        this.registration = registration;
    }

    @Override
    public SelectableChannel selectableChannel() {
        return channel;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        try {
            int ops = ((NioIoEvent) event).ops().value();
            connection.onIoEvent((ops & SelectionKey.OP_READ) != 0, (ops & SelectionKey.OP_WRITE) != 0, false);
        } catch (Throwable t) {
            log.error("Unexpected failure handling an event of {}", connection, t);
            closeSocket();
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return channel.read(dst);
    }

    @Override
    public long write(ByteBuffer[] srcs, int count) throws IOException {
        // The JDK advances positions; the caller owns them, so put them back.
        if (count == 1) {
            ByteBuffer b = srcs[0];
            int position = b.position();
            int n = channel.write(b);
            b.position(position);
            return n;
        }
        int p0 = srcs[0].position();
        int p1 = srcs[1].position();
        long n = channel.write(srcs, 0, count);
        srcs[0].position(p0);
        srcs[1].position(p1);
        return n;
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public void interest(boolean read, boolean write) {
        NioIoOps ops = read ? (write ? NioIoOps.READ_AND_WRITE : NioIoOps.READ)
                : (write ? NioIoOps.WRITE : NioIoOps.NONE);
        if (ops != current && registration != null) {
            current = ops;
            registration.submit(ops);
        }
    }

    @Override
    public InetSocketAddress remoteAddress() {
        try {
            return (InetSocketAddress) channel.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void closeSocket() {
        IoRegistration r = registration;
        if (r != null) {
            r.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("Closing {} failed", channel, e);
        }
    }

    /** Called by Netty when the key became invalid or the loop shuts down. */
    @Override
    public void close() {
        if (connection != null && connection.isConnected()) {
            connection.loopClosedSocket();
        } else {
            closeSocket();
        }
    }
}
