package io.gev.internal.transport;

import io.gev.ServerOptions;
import io.netty.channel.IoOps;
import io.netty.channel.nio.NioIoHandle;
import io.netty.channel.nio.NioIoOps;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** A listening socket on the JDK's selector. */
public final class NioListeningSocket extends ListeningSocket implements NioIoHandle {

    private final ServerSocketChannel channel;
    private final InetSocketAddress localAddress;

    NioListeningSocket(ServerSocketChannel channel, ServerOptions options, Acceptor acceptor) throws IOException {
        super(options, acceptor);
        this.channel = channel;
        this.localAddress = (InetSocketAddress) channel.getLocalAddress();
    }

    @Override
    public SelectableChannel selectableChannel() {
        return channel;
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    AbstractSocketIo acceptOne() throws IOException {
        SocketChannel accepted = channel.accept();
        return accepted == null ? null : new NioSocketIo(accepted);
    }

    @Override
    void configure(AbstractSocketIo accepted, ServerOptions options) throws IOException {
        NioTransport.configure(((NioSocketIo) accepted).channel(), options);
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
