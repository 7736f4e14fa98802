package io.gev.spring.boot.diagnostics;

import io.gev.ServerStartException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a gev server that could not bind its port. */
class GevPortInUseFailureAnalyzer extends AbstractFailureAnalyzer<ServerStartException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ServerStartException cause) {
        if (cause.isAddressInUse()) {
            return new FailureAnalysis(
                    "gev server failed to start. Port " + cause.port() + " on " + cause.address()
                            + " was already in use.",
                    "Identify and stop the process that is listening on port " + cause.port()
                            + ", or configure this gev server to listen on another port (gev.server.port, or "
                            + "gev.servers.<server-name>.port; 0 picks a free port).",
                    cause);
        }
        return new FailureAnalysis("gev server failed to start: " + cause.getMessage(),
                "Check the gev.server.* settings (address, port, transport) of the server named in the description.",
                cause);
    }
}
