package io.gev.internal.tls;

import io.gev.TlsInfo;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What a completed handshake settled, read once from the engine. */
public final class TlsSession implements TlsInfo {

    private final SSLSession session;
    private final String protocol;
    private final String cipherSuite;
    private final String applicationProtocol;
    private final String serverName;
    private final List<X509Certificate> peerCertificates;

    TlsSession(SSLEngine engine) {
        this.session = engine.getSession();
        this.protocol = session.getProtocol();
        this.cipherSuite = session.getCipherSuite();
        String alpn = engine.getApplicationProtocol();
        this.applicationProtocol = alpn == null || alpn.isEmpty() ? null : alpn;
        this.serverName = requestedHostName(session);
        this.peerCertificates = peerCertificates(session);
    }

    private static String requestedHostName(SSLSession session) {
        if (session instanceof ExtendedSSLSession) {
            for (SNIServerName name : ((ExtendedSSLSession) session).getRequestedServerNames()) {
                if (name instanceof SNIHostName) {
                    return ((SNIHostName) name).getAsciiName();
                }
            }
        }
        return null;
    }

    private static List<X509Certificate> peerCertificates(SSLSession session) {
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate certificate : session.getPeerCertificates()) {
                if (certificate instanceof X509Certificate) {
                    chain.add((X509Certificate) certificate);
                }
            }
            return Collections.unmodifiableList(chain);
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    /** {@code true} for TLS 1.3, which has no renegotiation (its post-handshake messages are fine). */
    boolean isTls13() {
        return "TLSv1.3".equals(protocol);
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public String cipherSuite() {
        return cipherSuite;
    }

    @Override
    public String applicationProtocol() {
        return applicationProtocol;
    }

    @Override
    public String serverName() {
        return serverName;
    }

    @Override
    public List<X509Certificate> peerCertificates() {
        return peerCertificates;
    }

    @Override
    public SSLSession session() {
        return session;
    }

    @Override
    public String toString() {
        return "TlsInfo[protocol=" + protocol + ", cipherSuite=" + cipherSuite + ", applicationProtocol="
                + applicationProtocol + ", serverName=" + serverName + ", peer="
                + (peerCertificates.isEmpty() ? "none" : peerCertificates.get(0).getSubjectX500Principal()) + "]";
    }
}
