package io.gev.internal;

import java.net.InetSocketAddress;

/** A bound listening socket registered on one loop. */
interface Listener {

    /** The bound address. */
    InetSocketAddress localAddress();

    /** Stops accepting and closes the socket; runs on the listener's loop. */
    void close();
}
