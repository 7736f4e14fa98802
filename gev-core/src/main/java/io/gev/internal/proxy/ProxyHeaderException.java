package io.gev.internal.proxy;

import java.io.IOException;

/** The first bytes of a connection are not a valid PROXY protocol header, or one over the limit; the message says which. */
public final class ProxyHeaderException extends IOException {

    private static final long serialVersionUID = 1L;

    public ProxyHeaderException(String message) {
        super(message);
    }
}
