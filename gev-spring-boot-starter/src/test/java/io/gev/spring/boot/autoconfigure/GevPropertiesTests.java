package io.gev.spring.boot.autoconfigure;

import io.gev.Server;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GevPropertiesTests {

    private final GevProperties.ServerProperties properties = new GevProperties().getServer();

    private final Server.Builder core = Server.builder((connection, context, payload) -> payload);

    @Test
    void defaultsMatchGevCore() {
        assertThat(this.properties.isEnabled()).isTrue();
        assertThat(this.properties.getAddress()).isEqualTo(this.core.address());
        assertThat(this.properties.getPort()).isEqualTo(this.core.port()).isEqualTo(Server.DEFAULT_PORT);
        assertThat(this.properties.getLoops()).isEqualTo(this.core.loops());
        assertThat(this.properties.isReusePort()).isEqualTo(this.core.reusePort());
        assertThat(this.properties.getIdleTimeout()).isEqualTo(this.core.idleTimeout());
        assertThat(this.properties.getTransport()).isEqualTo(this.core.transport());
        assertThat(this.properties.getLoadBalance()).isEqualTo(GevProperties.LoadBalance.ROUND_ROBIN);
        assertThat(this.core.loadBalancer()).as("core's default is round robin").isNull();
        assertThat(this.properties.getMaxConnections()).isEqualTo(this.core.maxConnections());
        assertThat(this.properties.getProtocol()).isNull();
        assertThat(this.properties.isTcpNoDelay()).isEqualTo(this.core.tcpNoDelay());
        assertThat(this.properties.isKeepAlive()).isEqualTo(this.core.keepAlive());
        assertThat(this.properties.getBacklog()).isEqualTo(this.core.backlog());
        assertThat(this.properties.getWriteBufferHighWaterMark().toBytes())
                .isEqualTo(this.core.writeBufferHighWaterMark());
        assertThat(this.properties.getWriteBufferLowWaterMark().toBytes()).isEqualTo(this.core.writeBufferLowWaterMark());
        assertThat(this.properties.getWriteBufferLimit()).as("unset: each kind of server has its own default").isNull();
        assertThat(this.properties.getReadBufferLimit().toBytes()).isEqualTo(this.core.readBufferLimit());
        assertThat(this.properties.getShutdownTimeout()).isEqualTo(this.core.shutdownTimeout());
        assertThat(this.properties.getBlockedLoopWarning()).isEqualTo(this.core.blockedLoopWarning());
        assertThat(this.properties.getShutdown()).isEqualTo(GevProperties.Shutdown.GRACEFUL);
        assertThat(this.core.tls()).isNull();
        assertThat(this.properties.getSsl().getBundle()).isNull();
    }

    @Test
    void sslDefaultsMatchGevCore() throws Exception {
        io.gev.TlsOptions core = io.gev.TlsOptions.builder(javax.net.ssl.SSLContext.getDefault()).build();
        for (GevProperties.Ssl ssl : new GevProperties.Ssl[] {this.properties.getSsl(),
                new GevProperties().getWebsocket().getSsl()}) {
            assertThat(ssl.getBundle()).isNull();
            assertThat(ssl.getClientAuth()).isEqualTo(GevProperties.ClientAuth.NONE);
            assertThat(core.clientAuth()).isEqualTo(io.gev.TlsOptions.ClientAuth.NONE);
            assertThat(ssl.getHandshakeTimeout()).isEqualTo(core.handshakeTimeout());
        }
        assertThat(new GevProperties().getWebsocket().getSsl().getPort()).isNull();
    }

    @Test
    void webSocketDefaultsMatchGevCore() {
        GevProperties.WebSocketProperties ws = new GevProperties().getWebsocket();
        io.gev.websocket.WebSocketOptions core = io.gev.websocket.WebSocketOptions.defaults();
        assertThat(ws.isEnabled()).isTrue();
        assertThat(ws.getAddress()).isNull();
        assertThat(ws.getPort()).isEqualTo(io.gev.websocket.WebSocketServer.DEFAULT_PORT);
        assertThat(ws.getPath()).isEqualTo(core.paths());
        assertThat(ws.getSubprotocols()).isEqualTo(core.subprotocols());
        assertThat(ws.getAllowedOrigins()).isEqualTo(core.allowedOrigins());
        assertThat(ws.getMaxHandshakeSize().toBytes()).isEqualTo(core.maxHandshakeSize());
        assertThat(ws.getMaxFrameSize().toBytes()).isEqualTo(core.maxFrameSize());
        assertThat(ws.getMaxMessageSize().toBytes()).isEqualTo(core.maxMessageSize());
        assertThat(ws.getHandshakeTimeout()).isEqualTo(core.handshakeTimeout());
        assertThat(ws.getPingInterval()).isEqualTo(core.pingInterval());
        assertThat(ws.getPingTimeout()).isEqualTo(core.pingTimeout());
        assertThat(ws.getCloseTimeout()).isEqualTo(core.closeTimeout());
        assertThat(ws.getCompression().isEnabled()).isEqualTo(core.compression());
        assertThat(ws.getCompression().getMinSize().toBytes()).isEqualTo(core.compressionMinSize());
        assertThat(ws.getCompression().getLevel()).isEqualTo(core.compressionLevel());
    }

    @Test
    void copyCarriesEverySetting() {
        GevProperties.ServerProperties p = this.properties;
        p.setAddress("127.0.0.1");
        p.setPort(9);
        p.setLoops(3);
        p.setReusePort(true);
        p.setIdleTimeout(java.time.Duration.ofSeconds(4));
        p.setTransport(io.gev.loop.Transport.NIO);
        p.setLoadBalance(GevProperties.LoadBalance.LEAST_CONNECTIONS);
        p.setMaxConnections(5);
        p.setProtocol("p");
        p.setTcpNoDelay(false);
        p.setKeepAlive(true);
        p.setBacklog(6);
        p.setWriteBufferHighWaterMark(org.springframework.util.unit.DataSize.ofBytes(7));
        p.setWriteBufferLowWaterMark(org.springframework.util.unit.DataSize.ofBytes(8));
        p.setWriteBufferLimit(org.springframework.util.unit.DataSize.ofBytes(9));
        p.setReadBufferLimit(org.springframework.util.unit.DataSize.ofBytes(10));
        p.setShutdown(GevProperties.Shutdown.IMMEDIATE);
        p.setShutdownTimeout(java.time.Duration.ofSeconds(11));
        p.setBlockedLoopWarning(java.time.Duration.ofMillis(12));
        p.setEnabled(false);
        p.getSsl().setBundle("b");
        p.getSsl().setClientAuth(GevProperties.ClientAuth.NEED);
        p.getSsl().setHandshakeTimeout(java.time.Duration.ofSeconds(12));
        assertThat(p.copy()).usingRecursiveComparison().isEqualTo(p);
    }
}
