package io.gev.spring.boot.autoconfigure;

import io.gev.Client;
import io.gev.spring.boot.context.GevServers;
import io.gev.spring.boot.metrics.GevClientsMeterBinder;
import io.gev.spring.boot.metrics.GevServersMeterBinder;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of gev's Micrometer meters: a {@link GevServersMeterBinder} that the
 * registry binds when Micrometer and gev servers are present, and a {@link GevClientsMeterBinder}
 * for the application's {@link Client} beans.
 */
// Referenced by name: Micrometer's auto-configuration packages moved in Boot 4.
@AutoConfiguration(after = GevAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
public final class GevMetricsAutoConfiguration {

    @Bean
    @ConditionalOnBean(GevServers.class)
    @ConditionalOnMissingBean
    GevServersMeterBinder gevServersMeterBinder(GevServers servers) {
        return new GevServersMeterBinder(servers);
    }

    @Bean
    @ConditionalOnBean(Client.class)
    @ConditionalOnMissingBean
    GevClientsMeterBinder gevClientsMeterBinder(ObjectProvider<Client> clients) {
        return new GevClientsMeterBinder(clients);
    }
}
