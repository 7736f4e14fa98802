package io.gev.internal;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.nio.NioIoHandle;
import io.netty.channel.nio.NioIoOps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** A listening socket on the JDK's selector. */
final class NioListener implements Listener, NioIoHandle {

    private static final Logger log = LoggerFactory.getLogger(NioListener.class);

    private static final int MAX_ACCEPTS_PER_EVENT = 64;

    private final ServerSocketChannel channel;
    private final ServerEngine engine;
    private final GevLoop owner;
    private final InetSocketAddress localAddress;
    private IoRegistration registration;
    private long lastErrorLog;

    NioListener(ServerSocketChannel channel, ServerEngine engine, GevLoop owner) throws IOException {
        this.channel = channel;
        this.engine = engine;
        this.owner = owner;
        this.localAddress = (InetSocketAddress) channel.getLocalAddress();
    }

    void registered(IoRegistration registration) {
        this.registration = registration;
        registration.submit(NioIoOps.ACCEPT);
    }

    @Override
    public SelectableChannel selectableChannel() {
        return channel;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        try {
            for (int i = 0; i < MAX_ACCEPTS_PER_EVENT; i++) {
                SocketChannel accepted = channel.accept();
                if (accepted == null) {
                    return;
                }
                NioSocketIo io = new NioSocketIo(accepted);
                try {
                    accepted.configureBlocking(false);
                    NioTransport.configure(accepted, engine);
                } catch (IOException e) {
                    log.debug("Configuring an accepted socket failed", e);
                    io.closeSocket();
                    continue;
                }
                engine.accepted(io, io, owner);
            }
        } catch (Throwable t) {
            long now = System.nanoTime();
            if (now - lastErrorLog > 1_000_000_000L) {
                lastErrorLog = now;
                log.warn("Accept on {} failed: {}", localAddress, t.toString());
            }
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public void close() {
        if (registration != null) {
            registration.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("Closing listener {} failed", localAddress, e);
        }
    }
}
