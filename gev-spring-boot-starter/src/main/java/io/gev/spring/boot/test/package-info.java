/**
 * Support for tests of applications with gev servers: {@link io.gev.spring.boot.test.LocalGevServerPort}
 * injects the bound port, {@link io.gev.spring.boot.test.GevTestClient} talks to it over a plain socket.
 */
package io.gev.spring.boot.test;
