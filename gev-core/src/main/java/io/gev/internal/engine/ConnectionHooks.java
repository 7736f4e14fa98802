package io.gev.internal.engine;

import io.gev.CloseReason;

/**
 * What an engine that makes its connections itself (a client's, {@link ClientEngine}) is told of
 * their lives, beside the protocol and handler. Loop thread; never throws.
 */
interface ConnectionHooks {

    /** {@code c} is open: its protocol's and handler's {@code onConnect} ran, and it is still live. */
    void opened(AbstractConnection c);

    /**
     * {@code c} closed for {@code reason} ({@code cause} may be {@code null}), after it opened or
     * before it could (a TLS handshake failed, the engine stopped while it was connecting).
     */
    void closed(AbstractConnection c, CloseReason reason, Throwable cause);
}
