package io.gev.bench.cluster;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The idiomatic Netty broadcast: WebSocket channels in a {@link DefaultChannelGroup}, and
 * {@code group.writeAndFlush(frame)}, which writes a duplicate of the one frame to each channel.
 * One boss and one worker loop on epoll.
 */
final class NettyBroadcastServer implements GroupBench.BroadcastServer {

    private final MultiThreadIoEventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final MultiThreadIoEventLoopGroup workers = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final ChannelGroup group = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final int port;

    NettyBroadcastServer() throws InterruptedException {
        Channel ch = new ServerBootstrap().group(boss, workers).channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<EpollSocketChannel>() {
                    @Override
                    protected void initChannel(EpollSocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192),
                                new WebSocketServerProtocolHandler("/", null, false, 1 << 20),
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                                            group.add(ctx.channel());
                                        }
                                        ctx.fireUserEventTriggered(evt);
                                    }

                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        ReferenceCountUtil.release(msg);
                                    }
                                });
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        this.port = ((InetSocketAddress) ch.localAddress()).getPort();
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public int members() {
        return group.size();
    }

    @Override
    public void broadcast(String text) {
        group.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8))));
    }

    @Override
    public void close() {
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
