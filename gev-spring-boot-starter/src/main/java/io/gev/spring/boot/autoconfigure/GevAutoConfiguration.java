package io.gev.spring.boot.autoconfigure;

import io.gev.Client;
import io.gev.EventLoops;
import io.gev.Handler;
import io.gev.Server;
import io.gev.protocol.Protocol;
import io.gev.spring.boot.context.GevClientsLifecycle;
import io.gev.spring.boot.context.GevServers;
import io.gev.websocket.WebSocketHandler;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Auto-configuration of gev servers: one TCP server per {@link Handler} bean, configured from
 * {@code gev.server.*} (or {@code gev.servers.<server-name>.*} when there are several, the server
 * name being the bean name in kebab case: {@code gev.servers.tls-echo.*} for bean {@code tlsEcho}) with the
 * application's {@link Protocol} bean that decodes what the handler takes (by their declared
 * type arguments: a {@code Handler<Message>} gets the {@code Protocol<Message>}), and a
 * WebSocket server on {@code gev.websocket.*} for a {@link WebSocketHandler} bean, or for several
 * mapped to paths by {@code gev.websocket.routes.*} and {@link GevWebSocketConfigurer}s, each over
 * TLS with an SSL bundle named in {@code ssl.bundle};
 * {@link GevServerCustomizer}s adjust each, {@link GevServers}
 * manages them. {@link Server} beans of the application are managed beside them, each under its
 * bean name in kebab case; backs off when the application defines its own {@link GevServers}.
 *
 * <p>For clients, a {@link GevClients} bean hands out {@link Client} builders configured from
 * {@code gev.client.*} and {@link GevClientCustomizer}s, and {@link GevClientsLifecycle} stops
 * every {@link Client} bean after the servers as the context closes.
 */
@AutoConfiguration
@ConditionalOnClass(Server.class)
@EnableConfigurationProperties(GevProperties.class)
public final class GevAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @Conditional(OnServersCondition.class)
    @ConditionalOnMissingBean(GevServers.class)
    static class ServersConfiguration {

        /**
         * The loops every auto-configured server shares unless its {@code shared-loops} is false;
         * closed after the servers stopped, as the context closes.
         */
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        EventLoops gevEventLoops(GevProperties properties) {
            GevEventLoopsProperties loops = properties.getEventLoops();
            return EventLoops.builder().name(loops.getName()).loops(loops.getCount()).transport(loops.getTransport())
                    .blockedLoopWarning(loops.getBlockedLoopWarning()).build();
        }

        @Bean
        GevServers gevServers(GevProperties properties, ConfigurableEnvironment environment, EventLoops gevEventLoops,
                ListableBeanFactory beanFactory, ObjectProvider<GevServerCustomizer> customizers,
                ObjectProvider<GevWebSocketConfigurer> webSocketConfigurers, ObjectProvider<SslBundles> sslBundles) {
            // By bean name; what each takes or decodes is read from its definition by MessageTypes.
            Map<String, Handler<?>> handlers = new LinkedHashMap<>();
            beanFactory.getBeansOfType(Handler.class).forEach(handlers::put);
            Map<String, WebSocketHandler> webSocketHandlers = beanFactory.getBeansOfType(WebSocketHandler.class);
            Map<String, Protocol<?>> protocols = new LinkedHashMap<>();
            beanFactory.getBeansOfType(Protocol.class).forEach(protocols::put);
            GevServersFactory factory = new GevServersFactory(properties, Binder.get(environment), protocols,
                    new MessageTypes(beanFactory), customizers.orderedStream().toList(), sslBundles::getIfAvailable,
                    () -> applicationTaskExecutor(beanFactory))
                    .eventLoops(gevEventLoops);
            List<GevServers.Managed> configured = factory.create(handlers, webSocketHandlers,
                    named(webSocketConfigurers, beanFactory));
            return new GevServers(factory.besideApplicationServers(configured, beanFactory.getBeansOfType(Server.class)),
                    environment);
        }

        /** Spring Boot's task executor, for offloaded handlers; {@code null} when the application has none. */
        static Executor applicationTaskExecutor(ListableBeanFactory beanFactory) {
            String name = GevHandlerExecutions.APPLICATION_TASK_EXECUTOR;
            return beanFactory.containsBean(name) && beanFactory.isTypeMatch(name, Executor.class)
                    ? beanFactory.getBean(name, Executor.class) : null;
        }

        /** The configurer beans in their order, by name for messages. */
        private static Map<String, GevWebSocketConfigurer> named(ObjectProvider<GevWebSocketConfigurer> configurers,
                ListableBeanFactory beanFactory) {
            Map<String, GevWebSocketConfigurer> byName = beanFactory.getBeansOfType(GevWebSocketConfigurer.class);
            Map<String, GevWebSocketConfigurer> ordered = new LinkedHashMap<>();
            configurers.orderedStream().forEach((configurer) -> byName.forEach((name, bean) -> {
                if (bean == configurer) {
                    ordered.put(name, configurer);
                }
            }));
            return ordered;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ClientsConfiguration {

        @Bean
        @ConditionalOnMissingBean
        GevClients gevClients(GevProperties properties, ConfigurableEnvironment environment,
                ObjectProvider<GevClientCustomizer> customizers, ObjectProvider<EventLoops> eventLoops,
                ListableBeanFactory beanFactory) {
            Duration phaseTimeout = Binder.get(environment).bind(GevServersFactory.PHASE_TIMEOUT, Duration.class)
                    .orElse(GevServersFactory.DEFAULT_PHASE_TIMEOUT);
            return new GevClients(properties.getClient(), phaseTimeout, customizers.orderedStream().toList(),
                    eventLoops::getIfUnique,
                    new GevHandlerExecutions(() -> ServersConfiguration.applicationTaskExecutor(beanFactory)));
        }

        @Bean
        @ConditionalOnMissingBean
        GevClientsLifecycle gevClientsLifecycle(ObjectProvider<Client> clients) {
            return new GevClientsLifecycle(clients);
        }
    }

    /**
     * A {@link Handler} bean with TCP enabled, a {@link WebSocketHandler} or
     * {@link GevWebSocketConfigurer} bean with WebSocket enabled, or a {@link Server} bean of the
     * application.
     */
    static final class OnServersCondition extends AnyNestedCondition {

        OnServersCondition() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnBean(Handler.class)
        @ConditionalOnBooleanProperty(name = "gev.server.enabled", matchIfMissing = true)
        static final class TcpHandler {
        }

        @ConditionalOnBean(WebSocketHandler.class)
        @ConditionalOnBooleanProperty(name = "gev.websocket.enabled", matchIfMissing = true)
        static final class WebSocket {
        }

        @ConditionalOnBean(GevWebSocketConfigurer.class)
        @ConditionalOnBooleanProperty(name = "gev.websocket.enabled", matchIfMissing = true)
        static final class WebSocketConfigurer {
        }

        @ConditionalOnBean(Server.class)
        static final class ApplicationServer {
        }
    }
}
