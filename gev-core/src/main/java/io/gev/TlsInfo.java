package io.gev;

import javax.net.ssl.SSLSession;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What the TLS handshake of a connection settled, as {@link Connection#tls()} shows it. Fixed once
 * the handshake is complete; safe to read from any thread.
 */
public interface TlsInfo {

    /** The protocol version, for example {@code TLSv1.3}. */
    String protocol();

    /** The cipher suite, for example {@code TLS_AES_256_GCM_SHA384}. */
    String cipherSuite();

    /** The protocol chosen by ALPN, or {@code null} when none was negotiated. */
    String applicationProtocol();

    /** The host name the client asked for with SNI, or {@code null} when it sent none. */
    String serverName();

    /**
     * The client's certificate chain, its own certificate first; empty when the client sent none
     * (see {@link TlsOptions.ClientAuth}).
     */
    List<X509Certificate> peerCertificates();

    /** The JDK's session, for anything not shown above. */
    SSLSession session();
}
