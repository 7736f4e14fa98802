package io.gev.websocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Building routes: what a route keeps, what it inherits, and the arguments refused. */
class WebSocketRoutesTest {

    private final WebSocketHandler a = new Recorder();
    private final WebSocketHandler b = new Recorder();

    @Test
    void routesKeepTheirOrderAndAreFoundByExactPath() {
        WebSocketRoutes routes = WebSocketRoutes.builder().route("/b", b).route("/a", a).build();
        assertEquals(List.of("/b", "/a"), routes.routes().stream().map(WebSocketRoute::path).toList());
        assertSame(a, routes.route("/a").orElseThrow().handler());
        assertEquals(Optional.empty(), routes.route("/a/"));
        assertEquals(Optional.empty(), routes.route("/A"));
    }

    @Test
    void aRouteInheritsWhatItDoesNotSet() {
        WebSocketRoute plain = WebSocketRoute.of("/a", a);
        assertEquals(Optional.empty(), plain.subprotocols());
        assertEquals(Optional.empty(), plain.allowedOrigins());
        assertEquals(Optional.empty(), plain.allowedOriginPatterns());

        WebSocketRoute patterns = WebSocketRoute.builder("/a", a).allowedOriginPatterns("https://*.x").build();
        assertEquals(Optional.of(List.of()), patterns.allowedOrigins(), "origin rules are the route's as a whole");
        assertEquals(Optional.of(List.of("https://*.x")), patterns.allowedOriginPatterns());
        WebSocketRoute origins = WebSocketRoute.builder("/a", a).allowedOrigins("https://x").build();
        assertEquals(Optional.of(List.of()), origins.allowedOriginPatterns());
        WebSocketRoute both = origins.toBuilder().allowedOriginPatterns("https://*.y").subprotocols("s").build();
        assertEquals(Optional.of(List.of("https://x")), both.allowedOrigins());
        assertEquals(Optional.of(List.of("https://*.y")), both.allowedOriginPatterns());
        assertEquals(Optional.of(List.of("s")), both.subprotocols());
        assertEquals(both.toString(), both.toBuilder().build().toString());

        WebSocketOptions options = WebSocketOptions.builder().allowedOrigins("https://server.example").build();
        Endpoints endpoints = Endpoints.routed(WebSocketRoutes.builder().route(plain).route(
                WebSocketRoute.builder("/b", b).allowedOriginPatterns("https://*.x").build()).build(), options);
        assertTrue(endpoints.find("/a").origins.allows("https://server.example", "h", false));
        assertFalse(endpoints.find("/b").origins.allows("https://server.example", "h", false));
        assertTrue(endpoints.find("/b").origins.allows("https://b.x", "h", false));
    }

    @Test
    void badArgumentsAreNamed() {
        for (String path : new String[] {"", "echo", "/echo?x", "/echo#x", "/echo/*", "/e cho", "/e\u0001"}) {
            expect("path", () -> WebSocketRoute.of(path, a));
        }
        expect("path", () -> WebSocketRoute.of(null, a));
        expect("handler", () -> WebSocketRoute.of("/a", null));
        expect("subprotocols", () -> WebSocketRoute.builder("/a", a).subprotocols("not a token"));
        expect("allowedOrigins", () -> WebSocketRoute.builder("/a", a).allowedOrigins("a,b"));
        expect("allowedOriginPatterns", () -> WebSocketRoute.builder("/a", a).allowedOriginPatterns("http://h:[x]"));
        expect("route", () -> WebSocketRoutes.builder().route(null));
        expect("/a", () -> WebSocketRoutes.builder().route("/a", a).route("/a", b));
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> WebSocketRoutes.builder().build());
        assertTrue(none.getMessage().contains("routes"), none.getMessage());
    }

    private static void expect(String name, Executable call) {
        RuntimeException e = assertThrows(RuntimeException.class, call);
        assertTrue(e instanceof IllegalArgumentException || e instanceof NullPointerException, e.toString());
        assertTrue(String.valueOf(e.getMessage()).contains(name), "message should name " + name + ": " + e.getMessage());
    }
}
