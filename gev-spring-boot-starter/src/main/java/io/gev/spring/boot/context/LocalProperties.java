package io.gev.spring.boot.context;

import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code local.gev.*} properties the lifecycles publish once their servers are bound (ports,
 * socket files), as Spring Boot publishes {@code local.server.port}: a map property source of
 * their own, first in the environment, so that {@code @Value("${local.gev.server.port}")} sees them.
 */
final class LocalProperties {

    private LocalProperties() {
    }

    /** The writable map of the property source {@code name} in {@code environment}, added first if missing. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> of(ConfigurableEnvironment environment, String name) {
        MutablePropertySources sources = environment.getPropertySources();
        PropertySource<?> source = sources.get(name);
        if (source == null) {
            source = new MapPropertySource(name, new LinkedHashMap<>());
            sources.addFirst(source);
        }
        return (Map<String, Object>) source.getSource();
    }
}
