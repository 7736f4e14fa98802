package io.gev.spring.boot.diagnostics;

import io.gev.ServerStartException;
import org.junit.jupiter.api.Test;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.context.ApplicationContextException;

import java.net.BindException;

import static org.assertj.core.api.Assertions.assertThat;

class GevPortInUseFailureAnalyzerTests {

    private final GevPortInUseFailureAnalyzer analyzer = new GevPortInUseFailureAnalyzer();

    @Test
    void explainsAPortInUse() {
        ServerStartException cause = new ServerStartException("Cannot bind", "127.0.0.1", 1833,
                new BindException("Address already in use"));
        FailureAnalysis analysis = this.analyzer.analyze(new ApplicationContextException("Failed to start bean", cause));
        assertThat(analysis.getDescription())
                .isEqualTo("gev server failed to start. Port 1833 on 127.0.0.1 was already in use.");
        assertThat(analysis.getAction()).startsWith("Identify and stop the process that is listening on port 1833")
                .contains("gev.server.port").contains("gev.servers.<bean-name>.port").contains("0 picks a free port");
    }

    @Test
    void explainsOtherStartFailures() {
        ServerStartException cause = new ServerStartException("Transport EPOLL was requested but native epoll is "
                + "unavailable", null, 0, new UnsatisfiedLinkError("no epoll"));
        FailureAnalysis analysis = this.analyzer.analyze(cause);
        assertThat(analysis.getDescription()).isEqualTo(
                "gev server failed to start: Transport EPOLL was requested but native epoll is unavailable");
        assertThat(analysis.getAction()).contains("gev.server.*");
    }
}
