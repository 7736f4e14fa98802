package io.gev;

import java.net.ConnectException;

/**
 * A {@link Client}'s connection attempt did not complete within its connect timeout; the message
 * names the address and the timeout.
 */
public final class ConnectTimeoutException extends ConnectException {

    private static final long serialVersionUID = 1L;

    public ConnectTimeoutException(String message) {
        super(message);
    }
}
