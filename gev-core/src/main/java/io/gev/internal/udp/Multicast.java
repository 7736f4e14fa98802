package io.gev.internal.udp;

import java.io.IOException;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Enumeration;

/** Finding network interfaces for multicast. */
public final class Multicast {

    private Multicast() {
    }

    /**
     * The interface called {@code name}.
     *
     * @throws IOException when there is none
     */
    public static NetworkInterface byName(String name) throws IOException {
        NetworkInterface iface = NetworkInterface.getByName(name);
        if (iface == null) {
            throw new IOException("no network interface '" + name + "'");
        }
        return iface;
    }

    /**
     * The interface a membership without one is made on where the API needs one (the JDK's
     * {@code join}): the first interface that is up and multicast-capable and not loopback, else
     * the loopback.
     */
    static NetworkInterface defaultInterface() throws IOException {
        NetworkInterface loopback = null;
        Enumeration<NetworkInterface> all = NetworkInterface.getNetworkInterfaces();
        while (all != null && all.hasMoreElements()) {
            NetworkInterface iface = all.nextElement();
            try {
                if (!iface.isUp()) {
                    continue;
                }
                if (iface.isLoopback()) {
                    loopback = loopback == null ? iface : loopback;
                } else if (iface.supportsMulticast()) {
                    return iface;
                }
            } catch (SocketException e) {
                // An interface that went away while we looked.
            }
        }
        if (loopback == null) {
            throw new IOException("no network interface for multicast");
        }
        return loopback;
    }
}
