package io.gev.spring.boot.autoconfigure;

import java.util.Locale;

/**
 * The canonical name of a server: its bean's name in kebab case ({@code tlsEcho} is
 * {@code tls-echo}), the element of its {@code gev.servers.<name>.*} keys and the one name it
 * goes by in logs, health, metrics, the actuator endpoint and published ports.
 */
final class GevServerNames {

    private GevServerNames() {
    }

    /** {@code beanName} in kebab case; a name already in kebab case is returned as it is. */
    static String canonical(String beanName) {
        StringBuilder name = new StringBuilder(beanName.length() + 4);
        for (int i = 0; i < beanName.length(); i++) {
            char c = beanName.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0 && name.charAt(name.length() - 1) != '-'
                        && !Character.isUpperCase(beanName.charAt(i - 1))) {
                    name.append('-');
                }
                name.append(Character.toLowerCase(c));
            } else {
                name.append(c);
            }
        }
        return name.toString();
    }

    /**
     * The form relaxed binding compares names in (lower case, no dashes): a key under
     * {@code gev.servers} written {@code tls-echo}, {@code tlsEcho} or {@code TLSECHO} (from the
     * environment) all stand for server {@code tls-echo}.
     */
    static String uniform(String name) {
        return name.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    }
}
