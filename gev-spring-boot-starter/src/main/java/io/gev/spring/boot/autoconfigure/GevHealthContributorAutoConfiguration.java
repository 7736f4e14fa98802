package io.gev.spring.boot.autoconfigure;

import io.gev.spring.boot.context.GevServers;
import io.gev.spring.boot.health.GevServerHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code gev} health contributor, when actuator's health support and
 * gev servers are present: a composite of one {@link GevServerHealthIndicator} per server, named
 * as the server ({@code gev/<server-name>}, which a health group can include alone).
 * {@code management.health.gev.enabled=false} turns it off.
 */
@AutoConfiguration(after = GevAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(GevServers.class)
@ConditionalOnEnabledHealthIndicator("gev")
public final class GevHealthContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = { "gevHealthIndicator", "gevHealthContributor" })
    CompositeHealthContributor gevHealthContributor(GevServers servers) {
        return CompositeHealthContributor.fromMap(servers.asMap(), GevServerHealthIndicator::new);
    }
}
