package io.gev.spring.boot.diagnostics;

import io.gev.spring.boot.autoconfigure.GevServerConfigurationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains gev beans and properties that leave a server ambiguous. */
class GevServerConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<GevServerConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, GevServerConfigurationException cause) {
        return new FailureAnalysis(cause.getMessage(), cause.action(), cause);
    }
}
