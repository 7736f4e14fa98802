package io.gev.websocket;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which {@code Origin}s may open a WebSocket, as Spring's WebSocket support decides it: a request
 * without {@code Origin} (a non-browser client, which could send any origin anyway) and a page of
 * the server's own origin always; others only when an allowed origin or origin pattern names them.
 *
 * <p>Same origin means the {@code Origin}'s scheme, host and port are those the client connected
 * to: {@code https} over TLS and {@code http} otherwise, the {@code Host} header's host, and its
 * port or the scheme's default (80, 443). Behind a proxy that terminates TLS or rewrites
 * {@code Host}, list the public origin instead. Immutable.
 */
final class OriginRules {

    /** The wildcard that, as an allowed origin or origin pattern, allows every origin. */
    static final String ANY = "*";

    private static final Pattern PORT_LIST = Pattern.compile("\\*|[0-9]{1,5}(,[0-9]{1,5})*");

    private final boolean any;
    /** Lower case, trailing slash cut. */
    private final Set<String> origins;
    private final List<Pattern> patterns;

    private OriginRules(boolean any, Set<String> origins, List<Pattern> patterns) {
        this.any = any;
        this.origins = origins;
        this.patterns = patterns;
    }

    /** Rules allowing the same origin and {@code origins} and {@code patterns}, both checked already. */
    static OriginRules of(List<String> origins, List<String> patterns) {
        boolean any = origins.contains(ANY) || patterns.contains(ANY);
        Set<String> exact = new HashSet<>();
        for (String origin : origins) {
            exact.add(trimSlash(origin).toLowerCase(Locale.ROOT));
        }
        List<Pattern> compiled = new ArrayList<>(patterns.size());
        for (String pattern : patterns) {
            compiled.add(compile(pattern, "allowedOriginPatterns"));
        }
        return new OriginRules(any, Set.copyOf(exact), List.copyOf(compiled));
    }

    /**
     * Whether a request may connect.
     *
     * @param origin its {@code Origin} header, {@code null} when it has none
     * @param host its {@code Host} header
     * @param tls whether it came over TLS
     */
    boolean allows(String origin, String host, boolean tls) {
        if (origin == null || any) {
            return true;
        }
        String o = trimSlash(origin);
        if (origins.contains(o.toLowerCase(Locale.ROOT))) {
            return true;
        }
        for (Pattern p : patterns) {
            if (p.matcher(o).matches()) {
                return true;
            }
        }
        return isSameOrigin(o, host, tls);
    }

    /** Whether {@code origin} ({@code scheme://host[:port]}) is the origin the client connected to. */
    static boolean isSameOrigin(String origin, String host, boolean tls) {
        String scheme = tls ? "https" : "http";
        int sep = origin.indexOf("://");
        if (sep != scheme.length() || !origin.regionMatches(true, 0, scheme, 0, sep)) {
            return false;
        }
        int defaultPort = tls ? 443 : 80;
        String[] ours = hostAndPort(host, defaultPort);
        String[] theirs = hostAndPort(origin.substring(sep + 3), defaultPort);
        return ours != null && theirs != null && ours[0].equalsIgnoreCase(theirs[0]) && ours[1].equals(theirs[1]);
    }

    /**
     * {@code host[:port]} or {@code [v6]:port} split into host and decimal port, the default
     * port when none is given; {@code null} when malformed or holding a path.
     */
    private static String[] hostAndPort(String authority, int defaultPort) {
        int colon;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                return null;
            }
            colon = close + 1 < authority.length() ? close + 1 : -1;
            if (colon > 0 && authority.charAt(colon) != ':') {
                return null;
            }
        } else {
            colon = authority.lastIndexOf(':');
        }
        String host = colon < 0 ? authority : authority.substring(0, colon);
        String port = colon < 0 ? String.valueOf(defaultPort) : authority.substring(colon + 1);
        if (host.isEmpty() || host.indexOf('/') >= 0 || !isPort(port)) {
            return null;
        }
        return new String[] {host, String.valueOf(Integer.parseInt(port))};
    }

    private static boolean isPort(String port) {
        if (port.isEmpty() || port.length() > 5) {
            return false;
        }
        for (int i = 0; i < port.length(); i++) {
            if (port.charAt(i) < '0' || port.charAt(i) > '9') {
                return false;
            }
        }
        return Integer.parseInt(port) <= 65535;
    }

    private static String trimSlash(String origin) {
        return origin.endsWith("/") ? origin.substring(0, origin.length() - 1) : origin;
    }

    /**
     * An origin pattern as a case-insensitive regular expression: {@code *} stands for any
     * characters, a trailing {@code :[*]} for any port or none, {@code :[8080,8081]} for one of
     * those ports.
     *
     * @throws IllegalArgumentException naming {@code name} for a malformed port list
     */
    private static Pattern compile(String pattern, String name) {
        int colon = portList(pattern);
        String body = colon < 0 ? pattern : pattern.substring(0, colon);
        String ports = colon < 0 ? null : pattern.substring(colon + 2, pattern.length() - 1);
        if (ports != null && !PORT_LIST.matcher(ports).matches()) {
            throw new IllegalArgumentException(name + " must give ports as [*] or [port,port...]: " + pattern);
        }
        StringBuilder regex = new StringBuilder();
        int from = 0;
        for (int star = body.indexOf('*'); star >= 0; star = body.indexOf('*', from)) {
            regex.append(Pattern.quote(body.substring(from, star))).append(".*");
            from = star + 1;
        }
        regex.append(Pattern.quote(body.substring(from)));
        if (ports != null) {
            regex.append(ports.equals(ANY) ? "(:[0-9]+)?" : ":(" + ports.replace(',', '|') + ")");
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE);
    }

    /**
     * Where the port list {@code :[...]} that ends {@code pattern} begins, or -1 when it has
     * none; a bracket not after a colon, as in {@code http://[::1]}, is part of the host.
     */
    private static int portList(String pattern) {
        int open = pattern.lastIndexOf('[');
        return pattern.endsWith("]") && open > 0 && pattern.charAt(open - 1) == ':' ? open - 1 : -1;
    }

    /**
     * {@code values} copied, each checked to be one non-blank origin without spaces or commas
     * (commas only in a pattern's port list), and for patterns to have a well-formed port list.
     *
     * @throws IllegalArgumentException naming {@code name}
     */
    static List<String> check(List<String> values, String name, boolean patterns) {
        Objects.requireNonNull(values, name);
        for (String v : values) {
            if (v == null) {
                throw new IllegalArgumentException(name + " must not hold null");
            }
            String outsidePorts = patterns && portList(v) >= 0 ? v.substring(0, portList(v)) : v;
            if (v.isBlank() || v.chars().anyMatch(c -> c <= 0x20 || c == 0x7F) || outsidePorts.indexOf(',') >= 0) {
                throw new IllegalArgumentException(name + " must hold one origin an entry, without spaces or commas: '"
                        + HttpHead.printable(v) + "'");
            }
            if (patterns) {
                compile(v, name);
            }
        }
        return List.copyOf(values);
    }

    @Override
    public String toString() {
        return "OriginRules[same origin" + (any ? ", any" : "") + ", " + origins + ", " + patterns + "]";
    }
}
