package io.gev.spring.boot.autoconfigure;

import io.gev.EventLoops;
import io.gev.spring.boot.context.GevDatagramServers;
import io.gev.spring.boot.metrics.GevDatagramServersMeterBinder;
import io.gev.udp.DatagramHandler;
import io.gev.udp.DatagramServer;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.util.unit.DataSize;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Auto-configuration of a UDP datagram server for the application's {@link DatagramHandler}
 * bean, configured from {@code gev.udp.*} and {@link GevDatagramServerCustomizer}s, on the loops
 * the TCP servers share when there are some (and {@code gev.udp.shared-loops} is true), else on
 * loops of its own. {@link GevDatagramServers} starts it, and any {@link DatagramServer} bean of the
 * application, with the context; the {@code gev.udp.*} meters are bound when Micrometer is there.
 */
// Referenced by name: Micrometer's auto-configuration packages moved in Boot 4.
@AutoConfiguration(after = GevAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(DatagramServer.class)
@ConditionalOnBooleanProperty(name = "gev.udp.enabled", matchIfMissing = true)
@EnableConfigurationProperties(GevUdpProperties.class)
public final class GevUdpAutoConfiguration {

    @Bean
    @ConditionalOnBean(DatagramHandler.class)
    @ConditionalOnMissingBean(DatagramServer.class)
    DatagramServer gevDatagramServer(GevUdpProperties properties, ListableBeanFactory beanFactory,
            ObjectProvider<EventLoops> eventLoops, ObjectProvider<GevDatagramServerCustomizer> customizers) {
        Map<String, DatagramHandler> handlers = beanFactory.getBeansOfType(DatagramHandler.class);
        if (handlers.size() != 1) {
            throw new GevServerConfigurationException("The auto-configured gev datagram server takes one "
                    + "DatagramHandler bean, but there are " + handlers.size() + ": " + handlers.keySet(),
                    "Keep one DatagramHandler bean, or define a DatagramServer bean for each handler.");
        }
        DatagramServer.Builder builder = DatagramServer.builder(handlers.values().iterator().next());
        apply(properties, builder);
        EventLoops shared = properties.isSharedLoops() ? eventLoops.getIfUnique() : null;
        if (shared != null) {
            builder.eventLoops(shared);
            // Looked up lazily, so Spring does not know: the loops must close after this server.
            String[] loopsBeans = beanFactory.getBeanNamesForType(EventLoops.class);
            if (loopsBeans.length == 1 && beanFactory instanceof ConfigurableBeanFactory configurable) {
                configurable.registerDependentBean(loopsBeans[0], "gevDatagramServer");
            }
        }
        customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
        return builder.build();
    }

    static void apply(GevUdpProperties properties, DatagramServer.Builder builder) {
        builder.name(properties.getName()).host(properties.getHost()).port(properties.getPort())
                .reusePort(properties.isReusePort()).transport(properties.getTransport())
                .loops(properties.getLoops() > 0 ? properties.getLoops() : properties.isReusePort() ? 0 : 1)
                .maxDatagramSize(bytes(properties.getMaxDatagramSize(), "gev.udp.max-datagram-size"))
                .maxDatagramsPerRead(properties.getMaxDatagramsPerRead())
                .maxQueuedSends(properties.getMaxQueuedSends());
        if (properties.getReceiveBufferSize() != null) {
            builder.receiveBufferSize(bytes(properties.getReceiveBufferSize(), "gev.udp.receive-buffer-size"));
        }
        if (properties.getSendBufferSize() != null) {
            builder.sendBufferSize(bytes(properties.getSendBufferSize(), "gev.udp.send-buffer-size"));
        }
        GevUdpProperties.Multicast multicast = properties.getMulticast();
        List<InetAddress> groups = new ArrayList<>();
        for (String group : multicast.getGroups()) {
            try {
                groups.add(InetAddress.getByName(group));
            } catch (UnknownHostException ex) {
                throw new IllegalArgumentException("gev.udp.multicast.groups holds an unknown address: " + group, ex);
            }
        }
        builder.multicastGroups(groups).multicastInterface(multicast.getNetworkInterface())
                .multicastLoopback(multicast.isLoopback()).multicastTtl(multicast.getTtl());
    }

    private static int bytes(DataSize size, String property) {
        long bytes = size.toBytes();
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(property + " is too large: " + size);
        }
        return (int) bytes;
    }

    @Bean
    @ConditionalOnBean(DatagramServer.class)
    @ConditionalOnMissingBean
    GevDatagramServers gevDatagramServers(ObjectProvider<DatagramServer> servers, ConfigurableEnvironment environment) {
        return new GevDatagramServers(servers.orderedStream().toList(), environment);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    @ConditionalOnBean(MeterRegistry.class)
    static final class Metrics {

        // Nested configurations are read before the beans above exist: the servers are looked up
        // when the registry binds.
        @Bean
        @ConditionalOnMissingBean
        GevDatagramServersMeterBinder gevDatagramServersMeterBinder(ObjectProvider<GevDatagramServers> servers) {
            return new GevDatagramServersMeterBinder(servers::getIfAvailable);
        }
    }
}
