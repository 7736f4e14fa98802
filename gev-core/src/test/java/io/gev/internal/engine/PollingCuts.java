package io.gev.internal.engine;

import io.gev.embedded.EmbeddedServer.Polling;
import org.junit.jupiter.params.provider.Arguments;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The cases of the read-path tests over in-memory sockets: each kind of polling, with the input
 * whole, byte by byte, and in seeded random cuts. Arguments: polling, cut ("whole", "byte by
 * byte" or "random") and seed.
 */
final class PollingCuts {

    private PollingCuts() {
    }

    static Stream<Arguments> of(int seeds) {
        List<Arguments> cases = new ArrayList<>();
        for (Polling polling : Polling.values()) {
            cases.add(Arguments.of(polling, "whole", 0L));
            cases.add(Arguments.of(polling, "byte by byte", 0L));
            for (long seed = 1; seed <= seeds; seed++) {
                cases.add(Arguments.of(polling, "random", seed));
            }
        }
        return cases.stream();
    }
}
