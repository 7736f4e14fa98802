package io.gev.internal.proxy;

import java.net.InetSocketAddress;

/**
 * A decoded PROXY protocol header: the addresses of the connection the balancer took, or none
 * where the header says to keep the socket's own (a v2 {@code LOCAL} command such as a health
 * check, a v1 {@code UNKNOWN}, a family other than TCP over IPv4 or IPv6).
 */
public final class ProxyHeader {

    private final int version;
    private final InetSocketAddress source;
    private final InetSocketAddress destination;

    ProxyHeader(int version, InetSocketAddress source, InetSocketAddress destination) {
        this.version = version;
        this.source = source;
        this.destination = destination;
    }

    /** 1 or 2. */
    public int version() {
        return version;
    }

    /** The client's address, or {@code null} to keep the socket's. */
    public InetSocketAddress source() {
        return source;
    }

    /** The address the client connected to at the balancer, or {@code null} with no source. */
    public InetSocketAddress destination() {
        return destination;
    }

    @Override
    public String toString() {
        return "PROXY v" + version + (source == null ? " (the balancer's own connection)" : " " + source + " -> " + destination);
    }
}
