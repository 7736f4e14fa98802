package io.gev;

import io.gev.internal.proxy.AddressBlock;
import io.gev.internal.proxy.ProxyHeaderDecoder;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The PROXY protocol (HAProxy's, versions 1 and 2) on a {@link Server} behind an L4 balancer
 * (HAProxy's {@code send-proxy} or {@code send-proxy-v2}, NGINX's {@code proxy_protocol}, AWS NLB,
 * …): the balancer starts each connection with a header naming the client, and the server takes
 * {@link Connection#remoteAddress()} from it. Immutable.
 *
 * <pre>{@code
 * Server server = Server.builder(handler)
 *         .proxyProtocol(ProxyProtocol.builder("10.0.0.0/8", "127.0.0.1").build())
 *         .build();
 * }</pre>
 *
 * <p>Only the {@linkplain #trustedProxies() trusted balancers} may connect: a connection from any
 * other address is closed as soon as it is accepted, with a log line and counted as
 * {@link CloseReason#REJECTED}, before it is read (so a client on the internet cannot claim an
 * address with a forged header). A trusted balancer must send the header first, before TLS and
 * before the server's protocol: a connection whose first bytes are not a valid header, whose
 * header is longer than {@link #maxHeaderSize()}, or that sends none within
 * {@link #headerTimeout()}, is closed with a log line saying why, counted as
 * {@link CloseReason#PROTOCOL_ERROR} (one that closes before sending a byte, as a balancer's
 * health check may, is closed quietly). The handler hears of a connection only once its header
 * is read, and of none of these.
 *
 * <p>A header of the balancer's own connection (a v2 {@code LOCAL} command, a v1
 * {@code UNKNOWN}, a Unix-socket or unspecified family) keeps the socket's address.
 * {@link Connection#localAddress()} stays the socket's. The per-address limits of
 * {@link ServerOptions} count the address from the header.
 */
public final class ProxyProtocol {

    /** Time a balancer has to send the header when none is set. */
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(5);
    /**
     * The longest v2 header taken when no limit is set: addresses and room for the TLVs balancers
     * add (AWS's endpoint id, HAProxy's TLS details).
     */
    public static final int DEFAULT_MAX_HEADER_SIZE = 2048;

    private final List<AddressBlock> trusted;
    private final Duration headerTimeout;
    private final int maxHeaderSize;

    private ProxyProtocol(Builder b) {
        this.trusted = List.copyOf(b.trusted);
        this.headerTimeout = b.headerTimeout;
        this.maxHeaderSize = b.maxHeaderSize;
    }

    /**
     * A builder trusting {@code trustedProxies}: addresses ({@code 127.0.0.1}, {@code ::1}) or
     * CIDR blocks ({@code 10.0.0.0/8}, {@code fd00::/8}), as literals (names are not resolved).
     *
     * @throws IllegalArgumentException naming the entry that is neither, or when there is none
     */
    public static Builder builder(String... trustedProxies) {
        return new Builder().trustedProxies(List.of(trustedProxies));
    }

    /** A builder with these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.trusted.addAll(trusted);
        b.headerTimeout = headerTimeout;
        b.maxHeaderSize = maxHeaderSize;
        return b;
    }

    /** The balancers that may connect, in canonical form ({@code 10.0.0.0/8}, {@code 127.0.0.1}). */
    public List<String> trustedProxies() {
        List<String> text = new ArrayList<>(trusted.size());
        for (AddressBlock block : trusted) {
            text.add(block.toString());
        }
        return List.copyOf(text);
    }

    /** Whether a connection from {@code address} may connect (and must send a header). */
    public boolean isTrusted(InetAddress address) {
        for (AddressBlock block : trusted) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** Time from accept to the end of the header. */
    public Duration headerTimeout() {
        return headerTimeout;
    }

    /** The longest v2 header taken, in bytes (a v1 line is at most 107 bytes, as the spec says). */
    public int maxHeaderSize() {
        return maxHeaderSize;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ProxyProtocol)) {
            return false;
        }
        ProxyProtocol other = (ProxyProtocol) o;
        return trusted.equals(other.trusted) && headerTimeout.equals(other.headerTimeout)
                && maxHeaderSize == other.maxHeaderSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(trusted, headerTimeout, maxHeaderSize);
    }

    @Override
    public String toString() {
        return "ProxyProtocol[trustedProxies=" + trusted + ", headerTimeout=" + headerTimeout
                + ", maxHeaderSize=" + maxHeaderSize + "]";
    }

    /**
     * Builds {@link ProxyProtocol}. Each setter checks its argument and throws, naming it, when it
     * is wrong. Not thread-safe.
     */
    public static final class Builder {

        private final List<AddressBlock> trusted = new ArrayList<>();
        private Duration headerTimeout = DEFAULT_HEADER_TIMEOUT;
        private int maxHeaderSize = DEFAULT_MAX_HEADER_SIZE;

        private Builder() {
        }

        /**
         * Replaces the trusted balancers (see {@link ProxyProtocol#builder(String...)}).
         *
         * @return this builder
         * @throws IllegalArgumentException naming the entry that is no address or block, or when the list is empty
         */
        public Builder trustedProxies(List<String> trustedProxies) {
            Objects.requireNonNull(trustedProxies, "trustedProxies");
            List<AddressBlock> blocks = new ArrayList<>(trustedProxies.size());
            for (String entry : trustedProxies) {
                blocks.add(AddressBlock.parse(Objects.requireNonNull(entry, "trustedProxies entry")));
            }
            if (blocks.isEmpty()) {
                throw new IllegalArgumentException("trustedProxies must name at least one balancer's address or block");
            }
            trusted.clear();
            trusted.addAll(blocks);
            return this;
        }

        /**
         * Time a trusted balancer has from accept to the end of its header; default
         * {@link ProxyProtocol#DEFAULT_HEADER_TIMEOUT}.
         *
         * @return this builder
         * @throws IllegalArgumentException when it is not positive
         */
        public Builder headerTimeout(Duration headerTimeout) {
            Objects.requireNonNull(headerTimeout, "headerTimeout");
            if (headerTimeout.isNegative() || headerTimeout.isZero()) {
                throw new IllegalArgumentException("headerTimeout must be positive: " + headerTimeout);
            }
            this.headerTimeout = headerTimeout;
            return this;
        }

        /**
         * The longest v2 header taken, TLVs included; default
         * {@value ProxyProtocol#DEFAULT_MAX_HEADER_SIZE}. A longer one closes the connection.
         *
         * @return this builder
         * @throws IllegalArgumentException outside 232 (a header with Unix socket addresses, which
         *         every receiver must take) to 65,551 (the longest there is)
         */
        public Builder maxHeaderSize(int bytes) {
            if (bytes < ProxyHeaderDecoder.V2_MIN_LIMIT || bytes > ProxyHeaderDecoder.V2_MAX_LENGTH) {
                throw new IllegalArgumentException("maxHeaderSize must be within " + ProxyHeaderDecoder.V2_MIN_LIMIT
                        + ".." + ProxyHeaderDecoder.V2_MAX_LENGTH + ": " + bytes);
            }
            this.maxHeaderSize = bytes;
            return this;
        }

        /** Creates the options. */
        public ProxyProtocol build() {
            return new ProxyProtocol(this);
        }
    }
}
