package io.gev.spring.boot.autoconfigure;

import io.gev.loop.Transport;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import java.util.ArrayList;
import java.util.List;

/**
 * The UDP datagram server ({@code gev.udp.*}), auto-configured for a
 * {@link io.gev.udp.DatagramHandler} bean. The defaults are those of
 * {@link io.gev.udp.DatagramOptions}, written out for the configuration metadata.
 */
@ConfigurationProperties("gev.udp")
public class GevUdpProperties {

    /** Whether a DatagramHandler bean gets a datagram server. */
    private boolean enabled = true;

    /** Name of the server in thread names, logs and metrics tags. */
    private String name = "udp";

    /** Host name or IP literal to bind; every address when unset. */
    private String host;

    /** Port to bind; 0 for any free one, published as local.gev.udp.port. */
    private int port = 1836;

    /**
     * Whether every loop has a socket of its own on the port (SO_REUSEPORT), so the kernel spreads
     * the senders over the loops.
     */
    private boolean reusePort;

    /** Whether the server runs on the loops the TCP servers share, when there are such loops. */
    private boolean sharedLoops = true;

    /** Loops of the server's own; 0 for one, or with reuse-port one per processor. */
    private int loops;

    /** I/O layer of the server's own loops. */
    private Transport transport = Transport.AUTO;

    /** Largest datagram received or sent; larger ones received are dropped and counted. */
    private DataSize maxDatagramSize = DataSize.ofBytes(2048);

    /** Datagrams read per readiness event before the loop serves its other work. */
    private int maxDatagramsPerRead = 64;

    /** Datagrams of one socket waiting to be sent; past it, sends are dropped and counted. */
    private int maxQueuedSends = 1024;

    /** Socket receive buffer (SO_RCVBUF); the system's default when unset. */
    private DataSize receiveBufferSize;

    /** Socket send buffer (SO_SNDBUF); the system's default when unset. */
    private DataSize sendBufferSize;

    private final Multicast multicast = new Multicast();

    /** Whether a DatagramHandler bean gets a datagram server. */
    public boolean isEnabled() {
        return this.enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** Name of the server. */
    public String getName() {
        return this.name;
    }

    public void setName(String name) {
        this.name = name;
    }

    /** Host to bind; {@code null} for every address. */
    public String getHost() {
        return this.host;
    }

    public void setHost(String host) {
        this.host = host;
    }

    /** Port to bind. */
    public int getPort() {
        return this.port;
    }

    public void setPort(int port) {
        this.port = port;
    }

    /** Whether every loop has a socket of its own. */
    public boolean isReusePort() {
        return this.reusePort;
    }

    public void setReusePort(boolean reusePort) {
        this.reusePort = reusePort;
    }

    /** Whether the server runs on the shared loops when there are some. */
    public boolean isSharedLoops() {
        return this.sharedLoops;
    }

    public void setSharedLoops(boolean sharedLoops) {
        this.sharedLoops = sharedLoops;
    }

    /** Loops of the server's own. */
    public int getLoops() {
        return this.loops;
    }

    public void setLoops(int loops) {
        this.loops = loops;
    }

    /** I/O layer of the server's own loops. */
    public Transport getTransport() {
        return this.transport;
    }

    public void setTransport(Transport transport) {
        this.transport = transport;
    }

    /** Largest datagram received or sent. */
    public DataSize getMaxDatagramSize() {
        return this.maxDatagramSize;
    }

    public void setMaxDatagramSize(DataSize maxDatagramSize) {
        this.maxDatagramSize = maxDatagramSize;
    }

    /** Datagrams read per readiness event. */
    public int getMaxDatagramsPerRead() {
        return this.maxDatagramsPerRead;
    }

    public void setMaxDatagramsPerRead(int maxDatagramsPerRead) {
        this.maxDatagramsPerRead = maxDatagramsPerRead;
    }

    /** Datagrams of one socket waiting to be sent. */
    public int getMaxQueuedSends() {
        return this.maxQueuedSends;
    }

    public void setMaxQueuedSends(int maxQueuedSends) {
        this.maxQueuedSends = maxQueuedSends;
    }

    /** SO_RCVBUF; {@code null} for the system's. */
    public DataSize getReceiveBufferSize() {
        return this.receiveBufferSize;
    }

    public void setReceiveBufferSize(DataSize receiveBufferSize) {
        this.receiveBufferSize = receiveBufferSize;
    }

    /** SO_SNDBUF; {@code null} for the system's. */
    public DataSize getSendBufferSize() {
        return this.sendBufferSize;
    }

    public void setSendBufferSize(DataSize sendBufferSize) {
        this.sendBufferSize = sendBufferSize;
    }

    public Multicast getMulticast() {
        return this.multicast;
    }

    /** Multicast ({@code gev.udp.multicast.*}). */
    public static class Multicast {

        /** Multicast groups (IP literals) to join at start; not with reuse-port. */
        private List<String> groups = new ArrayList<>();

        /** Name of the network interface of multicast ("lo", "eth0"); the system's choice when unset. */
        private String networkInterface;

        /** Whether multicast sent is looped back to this host's sockets. */
        private boolean loopback = true;

        /** Time-to-live of multicast sent. */
        private int ttl = 1;

        /** Groups to join at start. */
        public List<String> getGroups() {
            return this.groups;
        }

        public void setGroups(List<String> groups) {
            this.groups = groups;
        }

        /** Interface of multicast; {@code null} for the system's choice. */
        public String getNetworkInterface() {
            return this.networkInterface;
        }

        public void setNetworkInterface(String networkInterface) {
            this.networkInterface = networkInterface;
        }

        /** Whether multicast sent is looped back. */
        public boolean isLoopback() {
            return this.loopback;
        }

        public void setLoopback(boolean loopback) {
            this.loopback = loopback;
        }

        /** Time-to-live of multicast sent. */
        public int getTtl() {
            return this.ttl;
        }

        public void setTtl(int ttl) {
            this.ttl = ttl;
        }
    }
}
