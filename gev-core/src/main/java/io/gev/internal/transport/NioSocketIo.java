package io.gev.internal.transport;

import io.gev.PeerCredentials;
import io.gev.buffer.RingBuffer;
import io.netty.channel.IoEvent;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.nio.NioIoEvent;
import io.netty.channel.nio.NioIoHandle;
import io.netty.channel.nio.NioIoOps;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/** A connection's socket on the JDK's selector, accepted or connected by a client. */
public final class NioSocketIo extends AbstractSocketIo implements NioIoHandle {

    private final SocketChannel channel;
    /** A Unix domain socket: no IP addresses, and credentials instead. */
    private final boolean domain;
    /** The positions of the buffers of one write, which the JDK advances and the caller owns. */
    private final int[] positions = new int[RingBuffer.MAX_SEGMENTS];

    /**
     * @param domain whether {@code channel} is a Unix domain socket
     */
    public NioSocketIo(SocketChannel channel, boolean domain) {
        super(false); // the selector reports readiness while it lasts
        this.channel = channel;
        this.domain = domain;
    }

    SocketChannel channel() {
        return channel;
    }

    @Override
    public SelectableChannel selectableChannel() {
        return channel;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        int ops = ((NioIoEvent) event).ops().value();
        // A connect that ended (OP_CONNECT) is reported as writable, as epoll reports it.
        dispatch((ops & SelectionKey.OP_READ) != 0, (ops & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0,
                false, false);
    }

    @Override
    public IoOps ops(boolean read, boolean write) {
        return read ? (write ? NioIoOps.READ_AND_WRITE : NioIoOps.READ) : (write ? NioIoOps.WRITE : NioIoOps.NONE);
    }

    @Override
    protected int receive(ByteBuffer dst) throws IOException {
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
        int[] p = positions;
        for (int i = 0; i < count; i++) {
            p[i] = srcs[i].position();
        }
        long n = channel.write(srcs, 0, count);
        for (int i = 0; i < count; i++) {
            srcs[i].position(p[i]);
        }
        return n;
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    // A Unix domain socket's addresses are file names, not the peer's IP address and port.
    @Override
    public InetSocketAddress remoteAddress() {
        try {
            return domain ? null : (InetSocketAddress) channel.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        try {
            return domain ? null : (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public PeerCredentials peerCredentials() {
        if (!domain) {
            return null;
        }
        try {
            UnixDomainPrincipal p = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            return PeerCredentials.ofNames(p.user().getName(), p.group().getName());
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    @Override
    protected void closeChannel() throws IOException {
        channel.close();
    }

    @Override
    public boolean connect(SocketAddress remote) throws IOException {
        return channel.connect(remote);
    }

    @Override
    public boolean finishConnect() throws IOException {
        return channel.finishConnect();
    }

    @Override
    protected IoOps connectOps() {
        return NioIoOps.CONNECT;
    }
}
