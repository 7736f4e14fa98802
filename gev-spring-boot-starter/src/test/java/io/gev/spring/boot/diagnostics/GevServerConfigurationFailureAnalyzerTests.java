package io.gev.spring.boot.diagnostics;

import io.gev.spring.boot.autoconfigure.GevServerConfigurationException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.ssl.NoSuchSslBundleException;

import static org.assertj.core.api.Assertions.assertThat;

class GevServerConfigurationFailureAnalyzerTests {

    @Test
    void printsDescriptionAndAction() {
        GevServerConfigurationException cause = new GevServerConfigurationException(
                "gev found 2 Handler beans [a, b] but no configuration for [a, b]", "Give each handler bean ...");
        FailureAnalysis analysis = new GevServerConfigurationFailureAnalyzer()
                .analyze(new BeanCreationException("gevServers", "Failed", cause));
        assertThat(analysis.getDescription()).isEqualTo("gev found 2 Handler beans [a, b] but no configuration for [a, b]");
        assertThat(analysis.getAction()).isEqualTo("Give each handler bean ...");
        assertThat(analysis.getCause()).isSameAs(cause);
    }

    @Test
    void explainsAMissingSslBundleRatherThanBootsException() {
        GevServerConfigurationException cause = new GevServerConfigurationException(
                "gev server 'echo' is configured with SSL bundle 'demo' (gev.server.ssl.bundle), but there is no such "
                        + "bundle; the bundles are [].",
                "Define the bundle under spring.ssl.bundle.jks.demo.* or spring.ssl.bundle.pem.demo.*, or set "
                        + "gev.server.ssl.bundle to the name of a defined bundle.",
                new NoSuchSslBundleException("demo", "SSL bundle name 'demo' cannot be found"));
        FailureAnalysis analysis = new GevServerConfigurationFailureAnalyzer()
                .analyze(new BeanCreationException("gevServers", "Failed", cause));
        assertThat(analysis.getDescription()).startsWith("gev server 'echo' is configured with SSL bundle 'demo'");
        assertThat(analysis.getAction()).contains("spring.ssl.bundle.jks.demo.*");
    }
}
