package io.gev.spring.boot.autoconfigure;

import io.gev.spring.boot.context.GevDatagramServers;
import io.gev.spring.boot.health.GevDatagramServerHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code gevUdp} health contributor, when actuator's health support and
 * gev datagram servers are present: a composite of one {@link GevDatagramServerHealthIndicator}
 * per datagram server, named as the server ({@code gevUdp/<server-name>}).
 * {@code management.health.gev-udp.enabled=false} turns it off.
 */
@AutoConfiguration(after = GevUdpAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(GevDatagramServers.class)
@ConditionalOnEnabledHealthIndicator("gev-udp")
public final class GevUdpHealthContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = { "gevUdpHealthIndicator", "gevUdpHealthContributor" })
    CompositeHealthContributor gevUdpHealthContributor(GevDatagramServers servers) {
        return CompositeHealthContributor.fromMap(servers.asMap(), GevDatagramServerHealthIndicator::new);
    }
}
