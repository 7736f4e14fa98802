package io.gev.internal.transport;

import io.gev.ServerOptions;
import io.netty.channel.IoOps;
import io.netty.channel.nio.NioIoHandle;
import io.netty.channel.nio.NioIoOps;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** A listening socket on the JDK's selector. */
public final class NioListeningSocket extends ListeningSocket implements NioIoHandle {

    private final ServerSocketChannel channel;
    private final SocketAddress localAddress;

    NioListeningSocket(ServerSocketChannel channel, ServerOptions options, Acceptor acceptor) throws IOException {
        super(options, acceptor);
        this.channel = channel;
        this.localAddress = channel.getLocalAddress();
    }

    @Override
    public SelectableChannel selectableChannel() {
        return channel;
    }

    @Override
    public SocketAddress localAddress() {
        return localAddress;
    }

    @Override
    AbstractSocketIo acceptOne() throws IOException {
        SocketChannel accepted = channel.accept();
        return accepted == null ? null : new NioSocketIo(accepted);
    }

    @Override
    void configure(AbstractSocketIo accepted, ServerOptions options) throws IOException {
        NioSocketIo socket = (NioSocketIo) accepted;
        NioTransport.configure(socket.channel(), options, localAddress instanceof UnixDomainSocketAddress);
    }

    @Override
    IoOps acceptOps() {
        return NioIoOps.ACCEPT;
    }

    @Override
    IoOps pausedOps() {
        return NioIoOps.NONE;
    }

    @Override
    void closeSocket() throws IOException {
        channel.close();
    }
}
