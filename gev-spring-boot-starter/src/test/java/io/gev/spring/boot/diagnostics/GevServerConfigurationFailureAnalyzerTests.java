package io.gev.spring.boot.diagnostics;

import io.gev.spring.boot.autoconfigure.GevServerConfigurationException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

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
}
