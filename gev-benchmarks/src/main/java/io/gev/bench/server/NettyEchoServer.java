package io.gev.bench.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;

/**
 * The idiomatic fast Netty 4.2 echo on native epoll: a shared handler that writes back what it
 * reads and flushes on read-complete. Like gev: one acceptor thread, {@code loops} I/O threads,
 * TCP_NODELAY, backlog 1024.
 */
public final class NettyEchoServer implements BenchServer.Peer {

    private EventLoopGroup boss;
    private EventLoopGroup workers;

    /** Writes back what it reads, flushes once per read burst, closes on errors. */
    @ChannelHandler.Sharable
    static class EchoHandler extends ChannelInboundHandlerAdapter {
        static final EchoHandler INSTANCE = new EchoHandler();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public int start(int port, int loops) throws InterruptedException {
        return bind(port, loops, new ChannelInitializer<EpollSocketChannel>() {
            @Override
            protected void initChannel(EpollSocketChannel ch) {
                ch.pipeline().addLast(EchoHandler.INSTANCE);
            }
        });
    }

    /** Binds a server on 127.0.0.1 whose connections {@code initializer} sets up. */
    int bind(int port, int loops, ChannelInitializer<EpollSocketChannel> initializer) throws InterruptedException {
        boss = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(loops, EpollIoHandler.newFactory());
        Channel ch = new ServerBootstrap()
                .group(boss, workers)
                .channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(initializer)
                .bind("127.0.0.1", port).sync().channel();
        return ((java.net.InetSocketAddress) ch.localAddress()).getPort();
    }

    /** Stops the loops and waits (a few seconds at most) until they have closed every channel. */
    @Override
    public void close() {
        if (boss != null) {
            boss.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS)
                    .awaitUninterruptibly(3, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
