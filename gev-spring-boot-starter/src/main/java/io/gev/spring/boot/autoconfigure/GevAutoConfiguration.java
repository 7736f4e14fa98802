package io.gev.spring.boot.autoconfigure;

import io.gev.Handler;
import io.gev.Server;
import io.gev.protocol.Protocol;
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

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Auto-configuration of gev servers: one TCP server per {@link Handler} bean, configured from
 * {@code gev.server.*} (or {@code gev.servers.<bean-name>.*} when there are several) with the
 * application's {@link Protocol} bean that decodes what the handler takes (by their declared
 * type arguments: a {@code Handler<Message>} gets the {@code Protocol<Message>}), and a
 * WebSocket server on {@code gev.websocket.*} for a {@link WebSocketHandler} bean, or for several
 * mapped to paths by {@code gev.websocket.routes.*} and {@link GevWebSocketConfigurer}s, each over
 * TLS with an SSL bundle named in {@code ssl.bundle};
 * {@link GevServerCustomizer}s adjust each, {@link GevServers}
 * manages them. Backs off when the application defines its own {@link Server} or
 * {@link GevServers} beans; {@link Server} beans of the application are then managed instead.
 */
@AutoConfiguration
@ConditionalOnClass(Server.class)
@EnableConfigurationProperties(GevProperties.class)
public final class GevAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @Conditional(OnEnabledHandlerCondition.class)
    @ConditionalOnMissingBean({ Server.class, GevServers.class })
    static class HandlerServersConfiguration {

        @Bean
        GevServers gevServers(GevProperties properties, ConfigurableEnvironment environment,
                ListableBeanFactory beanFactory, ObjectProvider<GevServerCustomizer> customizers,
                ObjectProvider<GevWebSocketConfigurer> webSocketConfigurers, ObjectProvider<SslBundles> sslBundles) {
            // By bean name; what each takes or decodes is read from its definition by MessageTypes.
            Map<String, Handler<?>> handlers = new LinkedHashMap<>();
            beanFactory.getBeansOfType(Handler.class).forEach(handlers::put);
            Map<String, WebSocketHandler> webSocketHandlers = beanFactory.getBeansOfType(WebSocketHandler.class);
            Map<String, Protocol<?>> protocols = new LinkedHashMap<>();
            beanFactory.getBeansOfType(Protocol.class).forEach(protocols::put);
            GevServersFactory factory = new GevServersFactory(properties, Binder.get(environment), protocols,
                    new MessageTypes(beanFactory), customizers.orderedStream().toList(), sslBundles::getIfAvailable);
            return new GevServers(factory.create(handlers, webSocketHandlers, named(webSocketConfigurers, beanFactory)),
                    environment);
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

    /**
     * A {@link Handler} bean with TCP enabled, or a {@link WebSocketHandler} or
     * {@link GevWebSocketConfigurer} bean with WebSocket enabled.
     */
    static final class OnEnabledHandlerCondition extends AnyNestedCondition {

        OnEnabledHandlerCondition() {
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
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBean(Server.class)
    @ConditionalOnMissingBean(GevServers.class)
    static class ApplicationServersConfiguration {

        @Bean
        GevServers gevServers(GevProperties properties, ConfigurableEnvironment environment,
                ListableBeanFactory beanFactory) {
            List<GevServers.Managed> managed = new ArrayList<>();
            beanFactory.getBeansOfType(Server.class).forEach((name, server) -> managed.add(GevServersFactory
                    .managed(name, server, properties.getServer(), "local.gev.servers." + name + ".port")));
            return new GevServers(managed, environment);
        }
    }
}
