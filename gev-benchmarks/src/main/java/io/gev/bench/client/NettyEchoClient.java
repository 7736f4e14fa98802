package io.gev.bench.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The idiomatic Netty 4.2 echo client on native epoll: a {@code Bootstrap} on a
 * {@code MultiThreadIoEventLoopGroup(EpollIoHandler.newFactory())}, a shared handler that writes
 * back what it reads while bouncing and flushes on read-complete, TCP_NODELAY.
 */
final class NettyEchoClient implements BenchClient.Peer {

    private final BenchClient.Counter counter;
    private final List<Channel> channels = new ArrayList<>();
    private EventLoopGroup group;

    NettyEchoClient(BenchClient.Counter counter) {
        this.counter = counter;
    }

    @ChannelHandler.Sharable
    private final class Bounce extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            if (counter.read(buf.readableBytes())) {
                ctx.write(buf, ctx.voidPromise());
            } else {
                buf.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            counter.error();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void connect(int port, int count, int loops) throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(loops, EpollIoHandler.newFactory());
        Bootstrap bootstrap = new Bootstrap().group(group).channel(EpollSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true).handler(new Bounce());
        for (int i = 0; i < count; i++) {
            channels.add(bootstrap.connect("127.0.0.1", port).sync().channel());
        }
    }

    @Override
    public void sendAll(byte[] message) {
        for (Channel ch : channels) {
            ch.writeAndFlush(Unpooled.wrappedBuffer(message), ch.voidPromise());
        }
    }

    @Override
    public void close() {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
    }
}
