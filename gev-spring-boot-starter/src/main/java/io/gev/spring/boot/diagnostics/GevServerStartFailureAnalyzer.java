package io.gev.spring.boot.diagnostics;

import io.gev.ServerStartException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a gev server that could not start, telling apart the three ways a bind fails: the port
 * is in use, the address is not one of this host's ("Cannot assign requested address"), or the
 * process may not bind the port ("Permission denied", a port below 1024 without the privilege).
 * The operating system's message decides, as NIO and the native transports all report these
 * three in its words.
 */
class GevServerStartFailureAnalyzer extends AbstractFailureAnalyzer<ServerStartException> {

    private static final String KEYS = "gev.server.port, or gev.servers.<server-name>.port";

    /** The port key of the datagram server, whose start failures say "datagram server". */
    private static final String UDP_KEYS = "gev.udp.port";

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ServerStartException cause) {
        String reason = bindFailure(cause);
        if (cause.port() < 0) {
            return unixSocketFailure(cause, reason);
        }
        boolean udp = String.valueOf(cause.getMessage()).contains("datagram server");
        if (reason.contains("Address already in use")) {
            return new FailureAnalysis(
                    "gev " + (udp ? "datagram " : "") + "server failed to start. " + (udp ? "UDP port " : "Port ")
                            + cause.port() + " on " + cause.address() + " was already in use.",
                    "Identify and stop the process that is " + (udp ? "bound to" : "listening on") + " port "
                            + cause.port() + ", or configure this gev server to " + (udp ? "bind" : "listen on")
                            + " another port (" + (udp ? UDP_KEYS : KEYS) + "; 0 picks a free port).",
                    cause);
        }
        if (reason.contains("Cannot assign requested address")) {
            return new FailureAnalysis(
                    "gev server failed to start. Address " + cause.address() + " is not an address of this host, "
                            + "so port " + cause.port() + " cannot be bound on it.",
                    "Set gev.server.address (or gev.servers.<server-name>.address) to an address of one of this "
                            + "host's network interfaces, or leave it unset to listen on all of them.",
                    cause);
        }
        if (reason.contains("Permission denied")) {
            return new FailureAnalysis(
                    "gev server failed to start. The process may not bind port " + cause.port() + " on "
                            + cause.address() + " (permission denied).",
                    "Configure a port of 1024 or more (" + KEYS + "), or give the process the privilege to bind "
                            + "low ports (for example CAP_NET_BIND_SERVICE on Linux).",
                    cause);
        }
        return new FailureAnalysis("gev server failed to start: " + cause.getMessage(),
                "Check the gev.server.* settings (address, port, transport) of the server named in the description.",
                cause);
    }

    /** The messages of the exceptions beneath {@code cause}, where the operating system's words are. */
    private static String bindFailure(ServerStartException cause) {
        StringBuilder messages = new StringBuilder();
        for (Throwable t = cause.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        return messages.toString();
    }

    private static FailureAnalysis unixSocketFailure(ServerStartException cause, String reason) {
        String file = cause.address();
        if (reason.contains("already in use")) {
            return new FailureAnalysis("gev server failed to start. Another process accepts on the Unix domain socket "
                    + file + ".", "Stop the process that listens on " + file + ", or configure another file "
                            + "(gev.server.unix-socket, or gev.servers.<server-name>.unix-socket).", cause);
        }
        if (reason.contains("not a socket")) {
            return new FailureAnalysis("gev server failed to start. " + file + " exists and is not a socket, so it was "
                    + "left as it is.", "Move the file away, or configure another socket file (gev.server.unix-socket, "
                            + "or gev.servers.<server-name>.unix-socket).", cause);
        }
        return new FailureAnalysis("gev server failed to start on the Unix domain socket " + file + ": "
                + cause.getMessage(), "Check that the directory of " + file + " exists and that the process may create "
                        + "files in it.", cause);
    }
}
