package io.gev.spring.boot.autoconfigure;

import io.gev.spring.boot.actuate.GevEndpoint;
import io.gev.spring.boot.context.GevDatagramServers;
import io.gev.spring.boot.context.GevServers;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import java.util.Map;

/**
 * Auto-configuration of the {@link GevEndpoint gev actuator endpoint}, when actuator's endpoint
 * support and gev servers are present and the endpoint is available (exposed, for example with
 * {@code management.endpoints.web.exposure.include=gev}, and not turned off).
 */
@AutoConfiguration(after = { GevAutoConfiguration.class, GevUdpAutoConfiguration.class })
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(GevServers.class)
@ConditionalOnAvailableEndpoint(GevEndpoint.class)
public final class GevEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    GevEndpoint gevEndpoint(GevServers servers, ObjectProvider<GevDatagramServers> datagramServers) {
        GevDatagramServers udp = datagramServers.getIfAvailable();
        return new GevEndpoint(servers, udp == null ? Map.of() : udp.asMap());
    }
}
