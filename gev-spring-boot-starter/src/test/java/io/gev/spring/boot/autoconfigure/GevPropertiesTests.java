package io.gev.spring.boot.autoconfigure;

import io.gev.ServerOptions;
import io.gev.TlsOptions;
import io.gev.loop.LoadBalancing;
import io.gev.loop.Transport;
import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class GevPropertiesTests {

    private final GevProperties.ServerProperties properties = new GevProperties().getServer();

    private final ServerOptions core = ServerOptions.defaults();

    @Test
    void defaultsMatchGevCore() {
        assertThat(this.properties.isEnabled()).isTrue();
        assertThat(this.properties.getAddress()).isNull();
        assertThat(this.core.address()).isEmpty();
        assertThat(this.properties.getPort()).isEqualTo(this.core.port()).isEqualTo(ServerOptions.DEFAULT_PORT);
        assertThat(this.properties.getLoops()).isEqualTo(this.core.loops());
        assertThat(this.properties.isReusePort()).isEqualTo(this.core.reusePort());
        assertThat(this.properties.getIdleTimeout()).isEqualTo(this.core.idleTimeout());
        assertThat(this.properties.getTransport()).isEqualTo(this.core.transport());
        assertThat(this.properties.getLoadBalance()).isEqualTo(ServerOptions.DEFAULT_LOAD_BALANCING)
                .isEqualTo(LoadBalancing.ROUND_ROBIN);
        assertThat(this.core.loadBalancer()).hasToString("roundRobin");
        assertThat(this.properties.getMaxConnections()).isEqualTo(this.core.maxConnections());
        assertThat(this.properties.getProtocol()).isNull();
        assertThat(this.properties.isTcpNoDelay()).isEqualTo(this.core.tcpNoDelay());
        assertThat(this.properties.isKeepAlive()).isEqualTo(this.core.keepAlive());
        assertThat(this.properties.getSendBufferSize()).as("unset: the system's").isNull();
        assertThat(this.core.sendBufferSize()).as("the system's").isZero();
        assertThat(this.properties.getReceiveBufferSize()).as("unset: the system's").isNull();
        assertThat(this.core.receiveBufferSize()).as("the system's").isZero();
        assertThat(this.properties.getBacklog()).isEqualTo(this.core.backlog());
        assertThat(this.properties.getWriteBufferHighWaterMark().toBytes())
                .isEqualTo(this.core.writeBufferHighWaterMark());
        assertThat(this.properties.getWriteBufferLowWaterMark().toBytes()).isEqualTo(this.core.writeBufferLowWaterMark());
        assertThat(this.properties.getWriteBufferLimit()).as("unset: each kind of server has its own default").isNull();
        assertThat(this.properties.getReadBufferLimit().toBytes()).isEqualTo(this.core.readBufferLimit());
        assertThat(this.properties.getShutdownTimeout()).as("unset: the lifecycle phase's timeout").isNull();
        assertThat(this.core.shutdownTimeout()).as("the phase timeout's default")
                .isEqualTo(GevServersFactory.DEFAULT_PHASE_TIMEOUT);
        assertThat(this.properties.getBlockedLoopWarning()).isEqualTo(this.core.blockedLoopWarning());
        assertThat(this.properties.getClientFaultLogInterval()).isEqualTo(this.core.clientFaultLogInterval());
        assertThat(this.properties.getClientFaultLogLimit()).isEqualTo(this.core.clientFaultLogLimit());
        assertThat(this.properties.getShutdown()).isEqualTo(GevProperties.Shutdown.GRACEFUL);
        assertThat(this.properties.getHandlerExecution()).isEqualTo(GevProperties.HandlerExecution.LOOP);
        assertThat(this.core.handlerExecution().mode()).isEqualTo(io.gev.HandlerExecution.Mode.LOOP);
        assertThat(this.properties.getMaxQueuedMessages()).isEqualTo(this.core.handlerExecution().maxQueuedMessages())
                .isEqualTo(io.gev.HandlerExecution.DEFAULT_MAX_QUEUED_MESSAGES);
        assertThat(this.core.tls()).isEmpty();
        assertThat(this.properties.getSsl().getBundle()).isNull();
    }

    @Test
    void clientDefaultsMatchGevCore() {
        GevClientProperties client = new GevProperties().getClient();
        io.gev.ClientOptions core = io.gev.ClientOptions.defaults();
        assertThat(client.getConnectTimeout()).isEqualTo(core.connectTimeout())
                .isEqualTo(io.gev.ClientOptions.DEFAULT_CONNECT_TIMEOUT);
        assertThat(client.getLoops()).isEqualTo(core.loops());
        assertThat(client.getTransport()).isEqualTo(core.transport());
        assertThat(client.getIdleTimeout()).isEqualTo(core.idleTimeout());
        assertThat(client.getShutdownTimeout()).as("unset: the lifecycle phase's timeout").isNull();
        assertThat(client.getHandlerExecution()).isEqualTo(GevProperties.HandlerExecution.LOOP);
        assertThat(client.getMaxQueuedMessages()).isEqualTo(core.handlerExecution().maxQueuedMessages());
        assertThat(client.isTcpNoDelay()).isEqualTo(core.tcpNoDelay());
        assertThat(client.isKeepAlive()).isEqualTo(core.keepAlive());
        assertThat(client.getWriteBufferHighWaterMark().toBytes()).isEqualTo(core.writeBufferHighWaterMark());
        assertThat(client.getWriteBufferLowWaterMark().toBytes()).isEqualTo(core.writeBufferLowWaterMark());
        assertThat(client.getWriteBufferLimit().toBytes()).isEqualTo(core.writeBufferLimit());
        assertThat(client.getReadBufferLimit().toBytes()).isEqualTo(core.readBufferLimit());
        assertThat(client.getReconnect().isEnabled()).isEqualTo(core.reconnect().isPresent()).isFalse();
        io.gev.Reconnect reconnect = io.gev.Reconnect.builder().build();
        assertThat(client.getReconnect().getInitialDelay()).isEqualTo(reconnect.initialDelay());
        assertThat(client.getReconnect().getMaxDelay()).isEqualTo(reconnect.maxDelay());
        assertThat(client.getReconnect().getJitter()).isEqualTo(reconnect.jitter())
                .isEqualTo(io.gev.Reconnect.DEFAULT_JITTER);
        assertThat(client.getReconnect().getMaxAttempts()).isEqualTo(reconnect.maxAttempts());
    }

    @Test
    void sslDefaultsMatchGevCore() throws Exception {
        TlsOptions core = TlsOptions.builder(javax.net.ssl.SSLContext.getDefault()).build();
        for (GevProperties.Ssl ssl : new GevProperties.Ssl[] {this.properties.getSsl(),
                new GevProperties().getWebsocket().getSsl()}) {
            assertThat(ssl.getBundle()).isNull();
            assertThat(ssl.getClientAuth()).isEqualTo(core.clientAuth()).isEqualTo(TlsOptions.ClientAuth.NONE);
            assertThat(ssl.getHandshakeTimeout()).isEqualTo(core.handshakeTimeout());
            assertThat(ssl.getProvider()).isEqualTo(core.provider()).isEqualTo(TlsOptions.Provider.AUTO);
            assertThat(ssl.getSessionCacheSize()).isEqualTo(core.sessionCacheSize());
            assertThat(ssl.getSessionTimeout()).isEqualTo(core.sessionTimeout());
            assertThat(ssl.getTicketKeyRotation()).isEqualTo(core.ticketKeyRotation());
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
        assertThat(ws.getAllowedOriginPatterns()).isEqualTo(core.allowedOriginPatterns());
        assertThat(ws.getRoutes()).isEmpty();
        GevProperties.WebSocketProperties.Route route = new GevProperties.WebSocketProperties.Route();
        assertThat(route.getPath()).isEmpty();
        assertThat(route.getHandler()).isNull();
        assertThat(route.getSubprotocols()).as("unset: the server's").isNull();
        assertThat(route.getAllowedOrigins()).as("unset: the server's").isNull();
        assertThat(route.getAllowedOriginPatterns()).as("unset: the server's").isNull();
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
    void everyKeyHasADescriptionInTheGeneratedMetadata() throws Exception {
        String json;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("metadata generated by spring-boot-configuration-processor").isNotNull();
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Map<String, Object>> properties = JsonPath.read(json, "$.properties[?(@.name =~ /gev\\..*/)]");
        assertThat(properties).extracting((p) -> p.get("name")).contains("gev.server.send-buffer-size",
                "gev.server.receive-buffer-size", "gev.server.load-balance", "gev.server.ssl.client-auth");
        assertThat(properties).allSatisfy((p) -> assertThat((String) p.get("description")).as("%s", p.get("name"))
                .isNotBlank());
        assertThat(properties).filteredOn((p) -> p.get("name").equals("gev.server.receive-buffer-size"))
                .singleElement().satisfies((p) -> {
                    assertThat(p.get("type")).isEqualTo(DataSize.class.getName());
                    assertThat((String) p.get("description")).contains("SO_RCVBUF");
                    assertThat(p).doesNotContainKey("defaultValue");
                });
        assertThat(properties).filteredOn((p) -> p.get("name").equals("gev.websocket.allowed-origins"))
                .singleElement().satisfies((p) -> assertThat((String) p.get("description"))
                        .contains("besides the server's own").contains("Requests without an Origin header"));
        List<String> originHints = JsonPath.read(json,
                "$.hints[?(@.name == 'gev.websocket.allowed-origin-patterns')].values[*].value");
        assertThat(originHints).contains("*", "http://localhost:[*]");
        assertThat(properties).filteredOn((p) -> p.get("name").equals("gev.server.ssl.client-auth"))
                .singleElement().satisfies((p) -> assertThat(p.get("type")).isEqualTo(TlsOptions.ClientAuth.class.getName()));
    }

    @Test
    void everyHintNamesAKeyAndEveryEnumHintListsEachValue() throws Exception {
        String json;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> keys = JsonPath.read(json, "$.properties[*].name");
        List<String> hinted = JsonPath.read(json, "$.hints[*].name");
        assertThat(hinted).allSatisfy((name) -> assertThat(keys).contains(name.replaceFirst("\\.(keys|values)$", "")));
        assertThat(hinted).contains("gev.servers.keys");
        assertThat(hintValues(json, "gev.server.transport")).containsExactlyInAnyOrderElementsOf(kebab(Transport.values()));
        assertThat(hintValues(json, "gev.event-loops.transport"))
                .containsExactlyInAnyOrderElementsOf(kebab(Transport.values()));
        assertThat(hintValues(json, "gev.server.load-balance"))
                .containsExactlyInAnyOrderElementsOf(kebab(LoadBalancing.values()));
        assertThat(hintValues(json, "gev.server.shutdown"))
                .containsExactlyInAnyOrderElementsOf(kebab(GevProperties.Shutdown.values()));
        assertThat(hintValues(json, "gev.server.ssl.client-auth"))
                .containsExactlyInAnyOrderElementsOf(kebab(TlsOptions.ClientAuth.values()));
        assertThat(hintValues(json, "gev.server.ssl.provider"))
                .containsExactlyInAnyOrderElementsOf(kebab(TlsOptions.Provider.values()));
        List<String> descriptions = JsonPath.read(json, "$.hints[*].values[*].description");
        assertThat(descriptions).allSatisfy((description) -> assertThat(description).isNotBlank());
    }

    private static List<String> hintValues(String json, String name) {
        return JsonPath.read(json, "$.hints[?(@.name == '" + name + "')].values[*].value");
    }

    private static List<String> kebab(Enum<?>[] constants) {
        return Arrays.stream(constants).map((c) -> c.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList();
    }
}
