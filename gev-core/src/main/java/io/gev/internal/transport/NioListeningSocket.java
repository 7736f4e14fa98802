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
    /** A Unix domain socket's listener: its sockets have no TCP options and no IP addresses. */
    private final boolean domain;

    NioListeningSocket(ServerSocketChannel channel, ServerOptions options, Acceptor acceptor) throws IOException {
        super(options, acceptor);
        this.channel = channel;
        this.localAddress = channel.getLocalAddress();
        this.domain = localAddress instanceof UnixDomainSocketAddress;
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
        return accepted == null ? null : new NioSocketIo(accepted, domain);
    }

    @Override
    void configure(AbstractSocketIo accepted, ServerOptions options) throws IOException {
        NioTransport.configure(((NioSocketIo) accepted).channel(), options, domain);
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
