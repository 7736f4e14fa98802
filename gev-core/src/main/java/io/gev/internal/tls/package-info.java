/** TLS between a connection and its socket, on the JDK's {@code SSLEngine}; not API. */
package io.gev.internal.tls;
