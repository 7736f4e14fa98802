package io.gev.spring.boot.test;

import org.springframework.beans.factory.annotation.Value;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Injects the port the only (or first) gev TCP server bound, {@code local.gev.server.port}; with
 * {@code gev.server.port=0} that is the free port it picked. A shortcut for
 * {@code @Value("${local.gev.server.port}")}, as {@code @LocalServerPort} is for the web server.
 * The property exists once the servers have started, so inject it into tests, not into beans the
 * servers need.
 */
@Target({ ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Value("${local.gev.server.port}")
public @interface LocalGevServerPort {
}
