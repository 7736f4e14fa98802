package io.gev.websocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The origin decisions, at and around each boundary: same origin, exact origins, patterns. */
class OriginRulesTest {

    private static final OriginRules SAME_ORIGIN_ONLY = OriginRules.of(List.of(), List.of());

    @ParameterizedTest(name = "{0} to Host {1}, tls {2}: {3}")
    @CsvSource({
            // the same scheme, host and port
            "http://h:1834, h:1834, false, true",
            "HTTP://H:1834, h:1834, false, true",
            "http://h:1834/, h:1834, false, true",
            "http://127.0.0.1:8080, 127.0.0.1:8080, false, true",
            "http://[::1]:8080, [::1]:8080, false, true",
            "http://[::1], [::1], false, true",
            // the port one off either way, or missing on one side only
            "http://h:1833, h:1834, false, false",
            "http://h:1835, h:1834, false, false",
            "http://h, h:1834, false, false",
            "http://h:1834, h, false, false",
            // default ports: written or not, the same port
            "http://h, h, false, true",
            "http://h:80, h, false, true",
            "http://h, h:80, false, true",
            "https://h, h, true, true",
            "https://h:443, h, true, true",
            "https://h, h:443, true, true",
            "https://h:8443, h:8443, true, true",
            // the scheme follows TLS: an http page is another origin than a wss server
            "http://h:443, h:443, true, false",
            "https://h:80, h:80, false, false",
            "https://h:1834, h:1834, false, false",
            "http://h:1834, h:1834, true, false",
            "ws://h:1834, h:1834, false, false",
            // another host, or what is not an origin
            "http://g:1834, h:1834, false, false",
            "http://h.evil:1834, h:1834, false, false",
            "http://h:1834/path, h:1834, false, false",
            "http://h:65536, h:65536, false, false",
            "http://h:, h:, false, false",
            "null, h:1834, false, false",
            "h:1834, h:1834, false, false",
            "http://[::1]x, [::1]x, false, false",
    })
    void sameOriginOnlyByDefault(String origin, String host, boolean tls, boolean allowed) {
        assertEquals(allowed, SAME_ORIGIN_ONLY.allows(origin, host, tls));
    }

    @Test
    void requestsWithoutOriginAreAllowed() {
        assertTrue(SAME_ORIGIN_ONLY.allows(null, "h:1834", false));
        assertTrue(SAME_ORIGIN_ONLY.allows(null, "", true));
    }

    @Test
    void exactOriginsIgnoreCaseAndATrailingSlashAndAddToTheSameOrigin() {
        OriginRules rules = OriginRules.of(List.of("https://app.example/", "http://localhost:8080"), List.of());
        assertTrue(rules.allows("https://app.example", "ws.example:1834", false));
        assertTrue(rules.allows("HTTPS://APP.EXAMPLE/", "ws.example:1834", false));
        assertTrue(rules.allows("http://localhost:8080", "localhost:1834", false));
        assertTrue(rules.allows("http://localhost:1834", "localhost:1834", false), "the same origin still");
        assertFalse(rules.allows("http://localhost:8081", "localhost:1834", false));
        assertFalse(rules.allows("http://localhost", "localhost:1834", false));
        assertFalse(rules.allows("https://app.example:443", "ws.example:1834", false), "exact: the port as written");
        assertFalse(rules.allows("https://sub.app.example", "ws.example:1834", false));
        assertFalse(rules.allows("null", "ws.example:1834", false));
    }

    @Test
    void aWildcardAllowsEveryOrigin() {
        for (OriginRules rules : new OriginRules[] {OriginRules.of(List.of("*"), List.of()),
                OriginRules.of(List.of(), List.of("*")), OriginRules.of(List.of("https://a.example", "*"), List.of())}) {
            assertTrue(rules.allows("https://anywhere.example", "h", false), rules.toString());
            assertTrue(rules.allows("null", "h", true), rules.toString());
        }
    }

    @Test
    void hostPatterns() {
        OriginRules rules = OriginRules.of(List.of(), List.of("https://*.example.com"));
        assertTrue(rules.allows("https://a.example.com", "h", false));
        assertTrue(rules.allows("https://a.b.example.com", "h", false));
        assertTrue(rules.allows("HTTPS://A.EXAMPLE.COM", "h", false));
        assertFalse(rules.allows("https://example.com", "h", false), "the dot before the domain is part of it");
        assertFalse(rules.allows("https://evil-example.com", "h", false));
        assertFalse(rules.allows("https://a.example.com.evil", "h", false));
        assertFalse(rules.allows("http://a.example.com", "h", false));
        assertFalse(rules.allows("https://a.example.com:8443", "h", false), "no port unless the pattern allows one");
    }

    @Test
    void portPatterns() {
        OriginRules any = OriginRules.of(List.of(), List.of("http://localhost:[*]"));
        assertTrue(any.allows("http://localhost", "h", false));
        assertTrue(any.allows("http://localhost:1", "h", false));
        assertTrue(any.allows("http://localhost:8080", "h", false));
        assertFalse(any.allows("http://localhost:", "h", false));
        assertFalse(any.allows("http://localhost:80x", "h", false));
        assertFalse(any.allows("http://localhost.evil:8080", "h", false));
        assertFalse(any.allows("https://localhost:8080", "h", false));

        OriginRules listed = OriginRules.of(List.of(), List.of("https://*.example.com:[8080,8081]"));
        assertTrue(listed.allows("https://a.example.com:8080", "h", false));
        assertTrue(listed.allows("https://a.example.com:8081", "h", false));
        assertFalse(listed.allows("https://a.example.com:8079", "h", false));
        assertFalse(listed.allows("https://a.example.com:8082", "h", false));
        assertFalse(listed.allows("https://a.example.com:80810", "h", false));
        assertFalse(listed.allows("https://a.example.com", "h", false));

        OriginRules ipv6 = OriginRules.of(List.of(), List.of("http://[::1]:[*]", "http://[fe80::1]"));
        assertTrue(ipv6.allows("http://[::1]:8080", "h", false));
        assertTrue(ipv6.allows("http://[::1]", "h", false));
        assertTrue(ipv6.allows("http://[fe80::1]", "h", false), "a bracket not after a colon is the host's");
        assertFalse(ipv6.allows("http://[fe80::1]:8080", "h", false));
    }

    @Test
    void malformedEntriesAreRefusedNamingTheArgument() {
        assertThrows(IllegalArgumentException.class, () -> OriginRules.check(List.of(""), "allowedOrigins", false));
        for (String bad : new String[] {"https://a.example:[80;81]", "https://a.example:[]", "https://a.example:[x]",
                "https://a.example:[123456]", "https://a.example:[80,]", "https://a, https://b", "https://a b"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OriginRules.check(List.of(bad), "allowedOriginPatterns", true), bad);
            assertTrue(e.getMessage().startsWith("allowedOriginPatterns"), e.getMessage());
        }
        assertEquals(List.of("https://*.a:[80,81]"),
                OriginRules.check(List.of("https://*.a:[80,81]"), "allowedOriginPatterns", true));
        assertThrows(IllegalArgumentException.class,
                () -> OriginRules.check(List.of("https://a:[80,81]"), "allowedOrigins", false), "no commas in an origin");
    }
}
