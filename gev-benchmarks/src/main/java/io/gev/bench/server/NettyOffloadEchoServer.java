package io.gev.bench.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;

import java.util.concurrent.TimeUnit;

/**
 * {@link NettyEchoServer}'s echo handler run off the I/O loop ({@code netty-offload}), Netty's
 * standard way for a handler that blocks: added to the pipeline with a
 * {@link DefaultEventExecutorGroup} of {@link BenchServer#offloadThreads()} threads, which pins
 * each channel to one of its executors (so one channel's events stay in order) and hands the
 * handler's writes and flushes back to the channel's loop as tasks.
 *
 * <p>Netty 4.2 deprecates the {@code add*(EventExecutorGroup, ...)} methods (netty/netty#14538: it
 * asks users to hand work to an executor themselves, and its next major version drops them), but
 * they still work, are what most code running blocking handlers on Netty does today, and give the
 * per-channel order gev's offloading promises; so they remain the fair peer.
 */
public final class NettyOffloadEchoServer implements BenchServer.Peer {

    private final NettyEchoServer transport = new NettyEchoServer();
    private EventExecutorGroup group;

    @Override
    public int start(int port, int loops) throws InterruptedException {
        EventExecutorGroup handlers = new DefaultEventExecutorGroup(BenchServer.offloadThreads());
        group = handlers;
        return transport.bind(port, loops, new ChannelInitializer<EpollSocketChannel>() {
            @Override
            @SuppressWarnings("deprecation") // on purpose: see the class comment
            protected void initChannel(EpollSocketChannel ch) {
                ch.pipeline().addLast(handlers, NettyEchoServer.EchoHandler.INSTANCE);
            }
        });
    }

    @Override
    public void close() {
        // The loops first: closing a channel hands its last events to the handler's executor.
        transport.close();
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Override
    public String describe() {
        return "NettyOffloadEchoServer, handler on a DefaultEventExecutorGroup of " + BenchServer.offloadThreads() + " threads";
    }
}
