package io.gev.spring.boot.autoconfigure;

import io.gev.EventLoops;
import io.gev.Handler;
import io.gev.ProxyProtocol;
import io.gev.Server;
import io.gev.ServerOptions;
import io.gev.TlsOptions;
import io.gev.protocol.Protocol;
import io.gev.protocol.RawProtocol;
import io.gev.spring.boot.autoconfigure.GevProperties.ServerProperties;
import io.gev.spring.boot.context.GevServers;
import io.gev.websocket.WebSocketHandler;
import io.gev.loop.Transport;
import io.gev.websocket.WebSocketOptions;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslManagerBundle;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.util.StringUtils;
import org.springframework.util.unit.DataSize;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Turns handler beans and {@code gev.*} properties into servers, refusing configurations that do
 * not say which server is which.
 */
final class GevServersFactory {

    /** Spring Boot's key for the time each lifecycle phase may take to stop. */
    static final String PHASE_TIMEOUT = "spring.lifecycle.timeout-per-shutdown-phase";

    /** Its default, as Spring Boot's {@code LifecycleProperties} declares it. */
    static final Duration DEFAULT_PHASE_TIMEOUT = Duration.ofSeconds(30);

    static final String RAW = "raw";

    private static final int DEFAULT_WEBSOCKET_PORT = new GevProperties.WebSocketProperties().getPort();

    private final GevProperties properties;
    private final Binder binder;
    private final Map<String, Protocol<?>> protocols;
    private final MessageTypes types;
    private final List<GevServerCustomizer> customizers;
    private final Supplier<SslBundles> sslBundles;
    private final GevHandlerExecutions handlerExecutions;
    private EventLoops eventLoops;

    /**
     * @param types the message types of the handler and protocol beans, by bean name
     * @param sslBundles the application's SSL bundles, asked for only when a server has TLS; may
     *        supply {@code null}
     */
    GevServersFactory(GevProperties properties, Binder binder, Map<String, Protocol<?>> protocols, MessageTypes types,
            List<GevServerCustomizer> customizers, Supplier<SslBundles> sslBundles,
            Supplier<Executor> applicationTaskExecutor) {
        this.properties = properties;
        this.binder = binder;
        this.protocols = protocols;
        this.types = types;
        this.customizers = customizers;
        this.sslBundles = sslBundles;
        this.handlerExecutions = new GevHandlerExecutions(applicationTaskExecutor);
    }

    /**
     * The loops servers share unless their {@code shared-loops} is false; {@code null} (default)
     * gives every server loops of its own.
     */
    GevServersFactory eventLoops(EventLoops eventLoops) {
        this.eventLoops = eventLoops;
        return this;
    }

    /**
     * Puts {@code builder} on the shared loops when there are some and {@code shared}. The
     * server's own transport is then left at AUTO, which takes the loops' transport, as its own
     * loops and transport only apply when it does not share.
     */
    private void shareLoops(Server.Builder builder, boolean shared) {
        if (shared && this.eventLoops != null) {
            builder.eventLoops(this.eventLoops).transport(Transport.AUTO);
        }
    }

    /**
     * @param handlers TCP handler beans by name; none are served when {@code gev.server.enabled} is false
     * @param webSocketHandlers WebSocket handler beans by name (several only with routes); none are
     *        served when {@code gev.websocket.enabled} is false
     * @param webSocketConfigurers what maps WebSocket handlers to paths besides
     *        {@code gev.websocket.routes}, by bean name in their order
     */
    List<GevServers.Managed> create(Map<String, Handler<?>> handlers, Map<String, WebSocketHandler> webSocketHandlers,
            Map<String, GevWebSocketConfigurer> webSocketConfigurers) {
        List<GevServers.Managed> servers = new ArrayList<>();
        if (this.properties.getServer().isEnabled()) {
            servers.addAll(tcpServers(handlers));
        }
        if (this.properties.getWebsocket().isEnabled()) {
            GevWebSocketRouting routing = GevWebSocketRouting.resolve(this.properties.getWebsocket(), webSocketHandlers,
                    webSocketConfigurers);
            if (routing != null) {
                servers.addAll(webSocketServers(routing));
            }
        }
        return servers;
    }

    /**
     * The WebSocket server on {@code gev.websocket.port}, over TLS when a bundle is set; with
     * {@code gev.websocket.ssl.port}, that one stays plain and a second server speaks TLS there.
     */
    private List<GevServers.Managed> webSocketServers(GevWebSocketRouting routing) {
        String name = routing.name();
        GevProperties.WebSocketProperties ws = this.properties.getWebsocket();
        GevProperties.WebSocketSsl ssl = ws.getSsl();
        Integer sslPort = ssl.getPort();
        TlsOptions tls = tlsOptions(name, ssl, "gev.websocket.ssl");
        if (sslPort == null) {
            return List.of(webSocketServer(name, routing, ws.getPort(), ws.getUnixSocket(), tls, "local.gev.websocket.port"));
        }
        if (tls == null) {
            throw new GevServerConfigurationException(
                    "gev.websocket.ssl.port is " + sslPort + " but gev.websocket.ssl.bundle is not set, so the "
                            + "WebSocket server has no certificate for wss://.",
                    "Set gev.websocket.ssl.bundle to the name of an SSL bundle (spring.ssl.bundle.*), or remove "
                            + "gev.websocket.ssl.port.");
        }
        if (sslPort != 0 && sslPort == ws.getPort()) {
            throw new GevServerConfigurationException(
                    "gev.websocket.port and gev.websocket.ssl.port are both " + sslPort + ".",
                    "Give wss:// a port of its own, or remove gev.websocket.ssl.port to serve only wss:// on "
                            + "gev.websocket.port.");
        }
        return List.of(webSocketServer(name, routing, ws.getPort(), ws.getUnixSocket(), null, "local.gev.websocket.port"),
                webSocketServer(name + "-tls", routing, sslPort, null, tls, "local.gev.websocket.ssl.port"));
    }

    private GevServers.Managed webSocketServer(String name, GevWebSocketRouting routing, int port, Path unixSocket,
            TlsOptions tls, String portProperty) {
        GevProperties.WebSocketProperties ws = this.properties.getWebsocket();
        ServerProperties tuning = this.properties.getServer();
        validate(tuning, (property) -> "gev.server." + property);
        int level = ws.getCompression().getLevel();
        if (level < 1 || level > 9) {
            throw new InvalidConfigurationPropertyValueException("gev.websocket.compression.level", level,
                    "The deflate level must be between 1 (fastest) and 9 (smallest).");
        }
        checkPort(portProperty.equals("local.gev.websocket.ssl.port") ? "gev.websocket.ssl.port" : "gev.websocket.port",
                port);
        Server.Builder builder = routing.builder(webSocketOptions(ws)).name(name);
        apply(name, tuning, builder);
        builder.address(ws.getAddress()).port(port).tls(tls);
        if (unixSocket != null && ws.getAddress() != null) {
            throw new InvalidConfigurationPropertyValueException("gev.websocket.address", ws.getAddress(),
                    "A server on a Unix domain socket (gev.websocket.unix-socket=" + unixSocket
                            + ") has no network address: set one or the other.");
        }
        // reuse-port and the per-address limits come from gev.server, for TCP: not for a socket file.
        if (unixSocket != null) {
            builder.reusePort(false);
            if (!tuning.getProxyProtocol().isEnabled()) {
                builder.maxConnectionsPerAddress(0).connectionRatePerAddress(0, tuning.getConnectionRateInterval());
            }
        }
        unixSocket(builder, unixSocket, unixSocketPermissions(tuning, (p) -> "gev.server." + p), "gev.websocket.unix-socket");
        shareLoops(builder, ws.getSharedLoops() != null ? ws.getSharedLoops() : tuning.isSharedLoops());
        return customizedAndManaged(name, builder, tuning, portProperty);
    }

    static WebSocketOptions webSocketOptions(GevProperties.WebSocketProperties ws) {
        WebSocketOptions.Builder options = WebSocketOptions.builder();
        PropertyMapper map = PropertyMapper.get();
        map.from(ws::getPath).to(options::paths);
        map.from(ws::getSubprotocols).to(options::subprotocols);
        map.from(ws::getAllowedOrigins).to(options::allowedOrigins);
        map.from(ws::getAllowedOriginPatterns).to(options::allowedOriginPatterns);
        map.from(ws::getMaxHandshakeSize).as(GevServersFactory::bytes).to(options::maxHandshakeSize);
        // A frame can never be larger than a message, so setting only max-message-size lowers both.
        map.from(() -> Math.min(bytes(ws.getMaxFrameSize()), bytes(ws.getMaxMessageSize()))).to(options::maxFrameSize);
        map.from(ws::getMaxMessageSize).as(GevServersFactory::bytes).to(options::maxMessageSize);
        map.from(ws::getHandshakeTimeout).to(options::handshakeTimeout);
        map.from(ws::getPingInterval).to(options::pingInterval);
        map.from(ws::getPingTimeout).to(options::pingTimeout);
        map.from(ws::getCloseTimeout).to(options::closeTimeout);
        map.from(ws.getCompression()::isEnabled).to(options::compression);
        map.from(ws.getCompression()::getMinSize).as(GevServersFactory::bytes).to(options::compressionMinSize);
        map.from(ws.getCompression()::getLevel).to(options::compressionLevel);
        return options.build();
    }

    private List<GevServers.Managed> tcpServers(Map<String, Handler<?>> handlers) {
        List<GevServers.Managed> servers = new ArrayList<>();
        if (handlers.isEmpty()) {
            return servers;
        }
        // Server name (kebab case, the element of its gev.servers keys) -> handler bean name.
        Map<String, String> beans = new LinkedHashMap<>();
        for (String bean : handlers.keySet()) {
            beans.put(GevServerNames.canonical(bean), bean);
        }
        checkKnown(beans.keySet());
        if (handlers.size() == 1) {
            Map.Entry<String, String> only = beans.entrySet().iterator().next();
            ServerProperties config = configOf(only.getKey());
            servers.add(managed(only.getKey(), only.getValue(), handlers.get(only.getValue()), config, true, true));
            return servers;
        }
        List<String> missing = new ArrayList<>();
        for (String name : beans.keySet()) {
            if (!isConfigured(name)) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            List<String> keys = missing.stream().map((name) -> "gev.servers." + name + ".*").toList();
            throw new GevServerConfigurationException(
                    "gev found " + handlers.size() + " Handler beans " + handlers.keySet()
                            + " but no configuration for " + missing + " (looked for " + String.join(", ", keys)
                            + "), so they would all listen on gev.server.port " + this.properties.getServer().getPort()
                            + ".",
                    "Give each handler bean its own server under gev.servers.<server-name> (the bean name in "
                            + "kebab case), for example gev.servers." + missing.get(0) + ".port="
                            + examplePort(this.properties.getServer().getPort())
                            + " (keys not set there fall back to gev.server.*), or keep a single Handler bean.");
        }
        Map<String, String> ports = new HashMap<>();
        boolean first = true;
        for (Map.Entry<String, String> entry : beans.entrySet()) {
            String name = entry.getKey();
            ServerProperties config = configOf(name);
            if (!config.isEnabled()) {
                continue;
            }
            boolean unix = config.getUnixSocket() != null;
            String key = unix ? config.getUnixSocket().toString()
                    : (config.getAddress() == null ? "*" : config.getAddress()) + ":" + config.getPort();
            String clash = !unix && (config.getPort() == 0 || config.isReusePort()) ? null : ports.put(key, name);
            if (clash != null) {
                String property = unix ? ".unix-socket" : ".port";
                throw new GevServerConfigurationException(
                        "gev servers '" + clash + "' and '" + name + "' are both configured to listen on " + key + ".",
                        "Set a different gev.servers." + name + property + " (or gev.servers." + clash + property + ").");
            }
            servers.add(managed(name, entry.getValue(), handlers.get(entry.getValue()), config, false, first));
            first = false;
        }
        return servers;
    }

    /**
     * A port to suggest next to {@code port}: neither it nor the WebSocket server's (1834 unless
     * set), which the next port up would be by default.
     */
    private int examplePort(int port) {
        int example = port + 1;
        while (example == this.properties.getWebsocket().getPort() || example == DEFAULT_WEBSOCKET_PORT) {
            example++;
        }
        return example;
    }

    /** Fails startup on a {@code gev.servers.<name>} entry that names no handler bean. */
    private void checkKnown(Collection<String> names) {
        List<String> uniform = names.stream().map(GevServerNames::uniform).toList();
        for (String key : this.properties.getServers().keySet()) {
            if (!uniform.contains(GevServerNames.uniform(key))) {
                throw new GevServerConfigurationException(
                        "gev.servers." + key + " configures a server, but there is no Handler bean of that name; "
                                + "the servers are " + names + ".",
                        "Name one of " + names + " under gev.servers (the handler bean's name in kebab case), or "
                                + "remove the gev.servers." + key + ".* keys.");
            }
        }
    }

    /** Whether {@code gev.servers.<name>} has keys, in any form relaxed binding takes. */
    private boolean isConfigured(String name) {
        String uniform = GevServerNames.uniform(name);
        return this.properties.getServers().keySet().stream()
                .anyMatch((key) -> GevServerNames.uniform(key).equals(uniform));
    }

    /**
     * The settings of server {@code name}: {@code gev.server} itself, or, when
     * {@code gev.servers.<name>} exists, both bound onto one new instance, {@code gev.server}
     * first, so every key set there that is not set under the name falls back.
     */
    private ServerProperties configOf(String name) {
        if (!isConfigured(name)) {
            return this.properties.getServer();
        }
        ServerProperties config = new ServerProperties();
        this.binder.bind("gev.server", Bindable.ofInstance(config));
        // The kebab-case name binds gev.servers.tls-echo.*, gev.servers.tlsEcho.* and
        // GEV_SERVERS_TLSECHO_* alike, as relaxed binding does for any property.
        this.binder.bind(serversKey(name), Bindable.ofInstance(config));
        return config;
    }

    /**
     * Fails startup, naming the property, on a value no server takes, before the builder would
     * refuse it in its own words.
     *
     * @param key the full key of a property of {@code config}, by its kebab-case name
     */
    private static void validate(ServerProperties config, Function<String, String> key) {
        checkPort(key.apply("port"), config.getPort());
        if (config.getLoops() < 0) {
            throw new InvalidConfigurationPropertyValueException(key.apply("loops"), config.getLoops(),
                    "The number of event loops must be 0 (one per processor) or more.");
        }
        if (config.getMaxQueuedMessages() < 1) {
            throw new InvalidConfigurationPropertyValueException(key.apply("max-queued-messages"),
                    config.getMaxQueuedMessages(), "At least one message must be able to wait for the handler.");
        }
        if (config.getMaxConnectionsPerAddress() < 0) {
            throw new InvalidConfigurationPropertyValueException(key.apply("max-connections-per-address"),
                    config.getMaxConnectionsPerAddress(), "The limit must be 0 (none) or more.");
        }
        if (config.getConnectionRatePerAddress() < 0) {
            throw new InvalidConfigurationPropertyValueException(key.apply("connection-rate-per-address"),
                    config.getConnectionRatePerAddress(), "The limit must be 0 (none) or more.");
        }
        Duration interval = config.getConnectionRateInterval();
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new InvalidConfigurationPropertyValueException(key.apply("connection-rate-interval"), interval,
                    "The interval must be positive.");
        }
        validate(config.getProxyProtocol(), (property) -> key.apply("proxy-protocol." + property));
        unixSocketPermissions(config, key);
        if (config.getUnixSocket() != null) {
            String unix = key.apply("unix-socket") + "=" + config.getUnixSocket();
            if (config.getAddress() != null) {
                throw new InvalidConfigurationPropertyValueException(key.apply("address"), config.getAddress(),
                        "A server on a Unix domain socket (" + unix + ") has no network address: set one or the other.");
            }
            if (config.isReusePort()) {
                throw new InvalidConfigurationPropertyValueException(key.apply("reuse-port"), true,
                        "One socket file has one listener (" + unix + "): reuse-port applies to TCP only.");
            }
            if (!config.getProxyProtocol().isEnabled()
                    && (config.getMaxConnectionsPerAddress() > 0 || config.getConnectionRatePerAddress() > 0)) {
                throw new InvalidConfigurationPropertyValueException(key.apply("max-connections-per-address"),
                        config.getMaxConnectionsPerAddress() + " (rate " + config.getConnectionRatePerAddress() + ")",
                        "The per-address limits count client addresses, which a Unix domain socket (" + unix
                                + ") has only behind the PROXY protocol (" + key.apply("proxy-protocol.enabled") + ").");
            }
        }
        DataSize low = config.getWriteBufferLowWaterMark();
        DataSize high = config.getWriteBufferHighWaterMark();
        if (low != null && high != null && low.compareTo(high) > 0) {
            throw new InvalidConfigurationPropertyValueException(key.apply("write-buffer-low-water-mark"), low,
                    "The low water mark must not exceed the high water mark (" + key.apply("write-buffer-high-water-mark")
                            + "=" + high + ").");
        }
    }

    /** The permissions {@code config} gives a Unix domain socket's file, checked. */
    private static Set<PosixFilePermission> unixSocketPermissions(ServerProperties config, Function<String, String> key) {
        String text = config.getUnixSocketPermissions();
        try {
            Set<PosixFilePermission> permissions = PosixFilePermissions.fromString(text);
            if (!permissions.contains(PosixFilePermission.OWNER_WRITE)) {
                throw new InvalidConfigurationPropertyValueException(key.apply("unix-socket-permissions"), text,
                        "The owner must be able to write, as connecting to a socket needs write permission.");
            }
            return permissions;
        } catch (IllegalArgumentException | NullPointerException ex) {
            throw new InvalidConfigurationPropertyValueException(key.apply("unix-socket-permissions"), text,
                    "Permissions are nine characters as 'ls -l' shows them, such as rw-rw----.");
        }
    }

    /**
     * Has {@code builder} listen on the Unix domain socket {@code file}, if set, in place of TCP;
     * the builder's refusals (a path too long, options that need TCP) fail startup naming the key.
     */
    private static void unixSocket(Server.Builder builder, Path file, Set<PosixFilePermission> permissions,
            String key) {
        if (file == null) {
            return;
        }
        try {
            builder.unixSocket(file).unixSocketPermissions(permissions);
        } catch (IllegalArgumentException ex) {
            throw new InvalidConfigurationPropertyValueException(key, file, ex.getMessage());
        }
    }

    private static void validate(GevProperties.ProxyProtocolProperties config, Function<String, String> key) {
        if (!config.isEnabled()) {
            return;
        }
        if (config.getTrustedProxies().isEmpty()) {
            throw new InvalidConfigurationPropertyValueException(key.apply("trusted-proxies"), "[]",
                    "With the PROXY protocol enabled only the balancers listed may connect: list their addresses "
                            + "or CIDR blocks, such as 10.0.0.0/8.");
        }
        for (String entry : config.getTrustedProxies()) {
            try {
                ProxyProtocol.builder(entry);
            } catch (IllegalArgumentException ex) {
                throw new InvalidConfigurationPropertyValueException(key.apply("trusted-proxies"), entry,
                        "An entry must be an IP address or a CIDR block such as 10.0.0.0/8; host names are not resolved.");
            }
        }
        Duration timeout = config.getHeaderTimeout();
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new InvalidConfigurationPropertyValueException(key.apply("header-timeout"), timeout,
                    "The timeout must be positive.");
        }
        long size = config.getMaxHeaderSize() == null ? -1 : config.getMaxHeaderSize().toBytes();
        if (size < 232 || size > 65551) {
            throw new InvalidConfigurationPropertyValueException(key.apply("max-header-size"), config.getMaxHeaderSize(),
                    "The limit must be between 232B (a header with Unix socket addresses) and 65551B (the longest there is).");
        }
    }

    /** Fails startup naming {@code key} when {@code port} is no TCP port. */
    private static void checkPort(String key, int port) {
        if (port < 0 || port > 65535) {
            throw new InvalidConfigurationPropertyValueException(key, port,
                    "A port must be between 0 (any free port) and 65535.");
        }
    }

    /** Whether {@code key} is set in any property source, in any form relaxed binding takes. */
    private boolean isSet(String key) {
        return this.binder.bind(ConfigurationPropertyName.adapt(key, '.'), Bindable.of(String.class)).isBound();
    }

    private static ConfigurationPropertyName serversKey(String name) {
        String key = "gev.servers." + name;
        return ConfigurationPropertyName.isValid(key) ? ConfigurationPropertyName.of(key)
                : ConfigurationPropertyName.adapt(key, '.');
    }

    /**
     * @param name the server's name
     * @param bean its handler bean's name
     * @param single whether it is the only handler's server
     * @param first whether it is the first (or only) TCP server, the one {@code local.gev.server.port} stands for
     */
    private GevServers.Managed managed(String name, String bean, Handler<?> handler, ServerProperties config,
            boolean single, boolean first) {
        Function<String, String> key = (property) -> isConfigured(name) && isSet("gev.servers." + name + "." + property)
                ? "gev.servers." + name + "." + property : "gev.server." + property;
        validate(config, key);
        Server.Builder builder = builder(protocol(name, bean, config, single), handler).name(name);
        apply(name, config, builder);
        unixSocket(builder, config.getUnixSocket(), unixSocketPermissions(config, key), key.apply("unix-socket"));
        String sslKey = single || !isConfigured(name) ? "gev.server.ssl" : "gev.servers." + name + ".ssl";
        builder.tls(tlsOptions(name, config.getSsl(), sslKey));
        shareLoops(builder, config.isSharedLoops());
        return customizedAndManaged(name, builder, config, first ? "local.gev.server.port" : null);
    }

    private GevServers.Managed customizedAndManaged(String name, Server.Builder builder, ServerProperties config,
            String portProperty) {
        for (GevServerCustomizer customizer : this.customizers) {
            customizer.customize(name, builder);
        }
        return managed(name, builder.build(), config, portProperty);
    }

    /**
     * {@code configured} followed by the application's own {@code servers} (by bean name), each
     * under its name in kebab case; with no TCP handler server, the first of them stands for
     * {@code local.gev.server.port}. A name both lists use fails startup.
     */
    List<GevServers.Managed> besideApplicationServers(List<GevServers.Managed> configured,
            Map<String, Server> servers) {
        List<GevServers.Managed> all = new ArrayList<>(configured);
        boolean tcp = configured.stream().anyMatch((server) -> "local.gev.server.port".equals(server.portProperty()));
        for (Map.Entry<String, Server> bean : servers.entrySet()) {
            String name = GevServerNames.canonical(bean.getKey());
            if (configured.stream().anyMatch((server) -> server.name().equals(name))) {
                throw new GevServerConfigurationException("gev server '" + name
                        + "' is both a Server bean of the application and auto-configured from a handler bean.",
                        "Rename one of the two beans.");
            }
            String portProperty = tcp || all.size() > configured.size() ? null : "local.gev.server.port";
            all.add(managed(name, bean.getValue(), this.properties.getServer(), portProperty));
        }
        return all;
    }

    /**
     * How {@link GevServers} runs {@code server}: with the shutdown of {@code config}, its bound
     * port published as {@code portProperty}. The one place a managed server is made.
     */
    private GevServers.Managed managed(String name, Server server, ServerProperties config, String portProperty) {
        return new GevServers.Managed(name, server, config.getShutdown() == GevProperties.Shutdown.GRACEFUL,
                shutdownTimeout(config), portProperty);
    }

    /**
     * {@code config}'s shutdown timeout, or when unset the timeout Spring gives each lifecycle
     * phase to stop: a longer drain would be cut short by it anyway, as Boot's web servers are.
     */
    private Duration shutdownTimeout(ServerProperties config) {
        if (config.getShutdownTimeout() != null) {
            return config.getShutdownTimeout();
        }
        return this.binder.bind(PHASE_TIMEOUT, Duration.class).orElse(DEFAULT_PHASE_TIMEOUT);
    }

    /**
     * Sets the server options {@code config} holds on {@code builder}: every option a property
     * stands for, except the name, TLS (from an SSL bundle) and the protocol (a bean), which the
     * caller sets. An unset property leaves the builder's value.
     */
    <B extends ServerOptions.AbstractBuilder<B>> B apply(String name, ServerProperties config, B builder) {
        PropertyMapper map = PropertyMapper.get();
        map.from(config::getAddress).to(builder::address);
        map.from(config::getPort).to(builder::port);
        map.from(config::getLoops).to(builder::loops);
        map.from(config::isReusePort).to(builder::reusePort);
        map.from(config::getIdleTimeout).to(builder::idleTimeout);
        map.from(config::getTransport).to(builder::transport);
        map.from(config::getLoadBalance).to(builder::loadBalancing);
        map.from(config::getMaxConnections).to(builder::maxConnections);
        map.from(config::getMaxConnectionsPerAddress).to(builder::maxConnectionsPerAddress);
        builder.connectionRatePerAddress(config.getConnectionRatePerAddress(), config.getConnectionRateInterval());
        builder.proxyProtocol(proxyProtocol(config.getProxyProtocol()));
        map.from(config::isTcpNoDelay).to(builder::tcpNoDelay);
        map.from(config::isKeepAlive).to(builder::keepAlive);
        map.from(config::getSendBufferSize).as(GevServersFactory::bytes).to(builder::sendBufferSize);
        map.from(config::getReceiveBufferSize).as(GevServersFactory::bytes).to(builder::receiveBufferSize);
        map.from(config::getBacklog).to(builder::backlog);
        map.from(config::getWriteBufferHighWaterMark).as(GevServersFactory::bytes).to(builder::writeBufferHighWaterMark);
        map.from(config::getWriteBufferLowWaterMark).as(GevServersFactory::bytes).to(builder::writeBufferLowWaterMark);
        map.from(config::getWriteBufferLimit).as(GevServersFactory::bytes).to(builder::writeBufferLimit);
        map.from(config::getReadBufferLimit).as(GevServersFactory::bytes).to(builder::readBufferLimit);
        map.from(shutdownTimeout(config)).to(builder::shutdownTimeout);
        map.from(config::getBlockedLoopWarning).to(builder::blockedLoopWarning);
        map.from(config::getClientFaultLogInterval).to(builder::clientFaultLogInterval);
        map.from(config::getClientFaultLogLimit).to(builder::clientFaultLogLimit);
        builder.handlerExecution(this.handlerExecutions.resolve(name, config));
        return builder;
    }

    /** The PROXY protocol options of {@code config}, or {@code null} when it is off; checked by {@link #validate}. */
    private static ProxyProtocol proxyProtocol(GevProperties.ProxyProtocolProperties config) {
        if (!config.isEnabled()) {
            return null;
        }
        return ProxyProtocol.builder(config.getTrustedProxies().toArray(String[]::new))
                .headerTimeout(config.getHeaderTimeout())
                .maxHeaderSize((int) config.getMaxHeaderSize().toBytes())
                .build();
    }

    /**
     * TLS options from the SSL bundle named by {@code ssl}, or {@code null} when none is named.
     *
     * @param key the properties' prefix, for messages
     */
    private TlsOptions tlsOptions(String server, GevProperties.Ssl ssl, String key) {
        String name = ssl.getBundle();
        if (!StringUtils.hasText(name)) {
            return null;
        }
        SslBundles bundles = this.sslBundles.get();
        if (bundles == null) {
            throw new GevServerConfigurationException("gev server '" + server + "' is configured with SSL bundle '"
                    + name + "' (" + key + ".bundle), but the application has no SslBundles bean.",
                    "Keep Spring Boot's SslAutoConfiguration enabled, or define an SslBundles bean.");
        }
        SslBundle bundle;
        try {
            bundle = bundles.getBundle(name);
        } catch (NoSuchSslBundleException ex) {
            throw new GevServerConfigurationException("gev server '" + server + "' is configured with SSL bundle '"
                    + name + "' (" + key + ".bundle), but there is no such bundle; the bundles are "
                    + bundles.getBundleNames() + ".",
                    "Define the bundle under spring.ssl.bundle.jks." + name + ".* or spring.ssl.bundle.pem." + name
                            + ".*, or set " + key + ".bundle to the name of a defined bundle.", ex);
        }
        try {
            // The bundle's key managers, not a finished SSLContext: OpenSSL's engine needs the key.
            SslManagerBundle managers = bundle.getManagers();
            TlsOptions.Builder tls = TlsOptions.builder(managers.getKeyManagerFactory(),
                    managers.getTrustManagerFactory());
            SslOptions options = bundle.getOptions();
            if (options.getEnabledProtocols() != null) {
                tls.protocols(options.getEnabledProtocols());
            }
            if (options.getCiphers() != null) {
                tls.cipherSuites(options.getCiphers());
            }
            return tls.clientAuth(ssl.getClientAuth()).handshakeTimeout(ssl.getHandshakeTimeout())
                    .provider(ssl.getProvider()).sessionCacheSize(ssl.getSessionCacheSize())
                    .sessionTimeout(ssl.getSessionTimeout()).ticketKeyRotation(ssl.getTicketKeyRotation()).build();
        } catch (IllegalArgumentException | IllegalStateException ex) {
            throw new GevServerConfigurationException("gev server '" + server + "' cannot use SSL bundle '" + name
                    + "': " + ex.getMessage(), "Check the bundle's key, certificates and options (spring.ssl.bundle.*."
                            + name + ".*) and the settings under " + key + ".", ex);
        }
    }

    private static int bytes(DataSize size) {
        return (int) Math.min(Integer.MAX_VALUE, size.toBytes());
    }

    /**
     * A builder pairing {@code handler} with the protocol {@link #protocol} chose for it, which
     * decodes what the handler takes, as far as their declared types tell.
     */
    @SuppressWarnings("unchecked")
    private static Server.Builder builder(Protocol<?> protocol, Handler<?> handler) {
        return Server.builder((Protocol<Object>) protocol, (Handler<Object>) handler);
    }

    /**
     * The protocol of the server of handler bean {@code server}: the bean its protocol key names
     * (or raw), which must decode what the handler takes; without the key, the one Protocol bean
     * whose messages the handler takes, else raw for a handler of bytes.
     */
    private Protocol<?> protocol(String server, String bean, ServerProperties config, boolean single) {
        String key = single && !isConfigured(server) ? "gev.server.protocol"
                : "gev.servers." + server + ".protocol";
        String name = config.getProtocol();
        Class<?> handled = this.types.handled(bean);
        if (RAW.equals(name)) {
            checkAccepts(server, handled, key, "'raw' (RawProtocol)", ByteBuffer.class);
            return RawProtocol.INSTANCE;
        }
        if (name != null) {
            Protocol<?> protocol = this.protocols.get(name);
            if (protocol == null) {
                throw new GevServerConfigurationException(
                        "gev server '" + server + "' is configured with protocol '" + name
                                + "', but there is no Protocol bean of that name; Protocol beans: "
                                + this.protocols.keySet() + ".",
                        "Set the server's protocol to the name of a Protocol bean, or to 'raw'.");
            }
            checkAccepts(server, handled, key, "bean '" + name + "'", this.types.decoded(name));
            return protocol;
        }
        Map<String, Protocol<?>> fitting = new LinkedHashMap<>();
        this.protocols.forEach((protocolBean, protocol) -> {
            if (MessageTypes.accepts(handled, this.types.decoded(protocolBean))) {
                fitting.put(protocolBean, protocol);
            }
        });
        if (fitting.isEmpty()) {
            if (MessageTypes.accepts(handled, ByteBuffer.class)) {
                return RawProtocol.INSTANCE;
            }
            throw new GevServerConfigurationException(
                    "gev server '" + server + "': handler bean '" + bean + "' takes " + handled.getName()
                            + ", but no Protocol bean decodes it (Protocol beans: " + typed(this.protocols.keySet())
                            + ") and raw decodes java.nio.ByteBuffer.",
                    "Define a Protocol<" + handled.getSimpleName() + "> bean, or declare the handler as a Handler of "
                            + "what one of the protocols decodes.");
        }
        // A handler whose type says nothing matches every protocol: one is its own only on a
        // single server, as before handlers were typed.
        if (fitting.size() == 1 && (single || handled != null)) {
            return fitting.values().iterator().next();
        }
        throw new GevServerConfigurationException(
                "gev cannot tell which protocol server '" + server + "' uses: Protocol beans " + typed(fitting.keySet())
                        + " decode what handler bean '" + bean + "' takes (" + MessageTypes.describe(handled)
                        + ") and " + key + " is not set.",
                "Set " + key + " to the name of one of " + fitting.keySet() + ", or to 'raw'.");
    }

    /** Fails startup when the handler of {@code server} cannot take what the chosen protocol decodes. */
    private void checkAccepts(String server, Class<?> handled, String key, String protocol, Class<?> decoded) {
        if (!MessageTypes.accepts(handled, decoded)) {
            String beans = this.protocols.isEmpty() ? "" : " (Protocol beans: " + typed(this.protocols.keySet()) + ")";
            throw new GevServerConfigurationException(
                    "gev server '" + server + "' is configured with protocol " + protocol + " (" + key
                            + "), which decodes " + decoded.getName() + ", but handler bean '" + server + "' takes "
                            + handled.getName() + ".",
                    "Set " + key + " to a Protocol bean that decodes " + handled.getName() + beans + ", or make '"
                            + server + "' a Handler<" + decoded.getSimpleName() + ">.");
        }
    }

    /** Bean names with what each protocol decodes: {@code [lines (java.lang.String)]}. */
    private String typed(Collection<String> protocolBeans) {
        StringBuilder s = new StringBuilder("[");
        for (String bean : protocolBeans) {
            s.append(s.length() == 1 ? "" : ", ").append(bean).append(" (")
                    .append(MessageTypes.describe(this.types.decoded(bean))).append(')');
        }
        return s.append(']').toString();
    }
}
