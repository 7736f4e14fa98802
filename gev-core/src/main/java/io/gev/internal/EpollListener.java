package io.gev.internal;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.FileDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;

/** A listening socket on native epoll. */
final class EpollListener implements Listener, EpollIoHandle {

    private static final Logger log = LoggerFactory.getLogger(EpollListener.class);

    /** Accepts per readiness event, so one listener cannot starve a loop's connections. */
    private static final int MAX_ACCEPTS_PER_EVENT = 64;

    private final LinuxSocket socket;
    private final ServerEngine engine;
    private final GevLoop owner;
    // accept4 writes the peer address here: length, address bytes, scope id, port.
    private final byte[] address = new byte[26];
    private final InetSocketAddress localAddress;
    private IoRegistration registration;
    private long lastErrorLog;

    EpollListener(LinuxSocket socket, ServerEngine engine, GevLoop owner) {
        this.socket = socket;
        this.engine = engine;
        this.owner = owner;
        this.localAddress = socket.localAddress();
    }

    void registered(IoRegistration registration) {
        this.registration = registration;
        registration.submit(EpollIoOps.EPOLLIN);
    }

    @Override
    public FileDescriptor fd() {
        return socket;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        try {
            for (int i = 0; i < MAX_ACCEPTS_PER_EVENT; i++) {
                int fd = socket.accept(address);
                if (fd == -1) {
                    return;
                }
                LinuxSocket accepted = LinuxSocket.newSocket(fd);
                EpollSocketIo io = new EpollSocketIo(accepted);
                try {
                    EpollTransport.configure(accepted, engine);
                } catch (IOException e) {
                    log.debug("Configuring an accepted socket failed", e);
                    io.closeSocket();
                    continue;
                }
                engine.accepted(io, io, owner);
            }
        } catch (Throwable t) {
            // EMFILE and friends: level-triggered, so this repeats while it lasts; log once a second.
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
            socket.close();
        } catch (IOException e) {
            log.debug("Closing listener {} failed", localAddress, e);
        }
    }
}
