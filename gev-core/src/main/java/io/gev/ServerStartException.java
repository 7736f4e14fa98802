package io.gev;

/**
 * {@link Server#start()} could not bind or start the server. When the address is in use the cause
 * is a {@link java.net.BindException}.
 */
public class ServerStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String address;
    private final int port;

    public ServerStartException(String message, String address, int port, Throwable cause) {
        super(message, cause);
        this.address = address;
        this.port = port;
    }

    /** The address the server tried to bind: a host, an IP literal, {@code *}, or a Unix domain socket's file. */
    public String address() {
        return address;
    }

    /** The port the server tried to bind; -1 for a Unix domain socket. */
    public int port() {
        return port;
    }

    /**
     * {@code true} when the port was taken by another socket; {@code false} for other bind
     * failures, such as an address that is on no interface of this machine.
     */
    public boolean isAddressInUse() {
        // The JDK throws BindException for EADDRNOTAVAIL and EACCES too; both it and Netty's epoll
        // name EADDRINUSE by the C library's text for it.
        Throwable cause = getCause();
        return cause instanceof java.net.BindException && cause.getMessage() != null
                && cause.getMessage().contains("already in use");
    }
}
