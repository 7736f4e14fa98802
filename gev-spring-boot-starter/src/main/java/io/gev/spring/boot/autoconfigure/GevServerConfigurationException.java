package io.gev.spring.boot.autoconfigure;

/**
 * The gev beans and properties of the application do not say which server is which; the
 * failure analyzer prints {@link #getMessage()} and {@link #action()}.
 */
public class GevServerConfigurationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String action;

    public GevServerConfigurationException(String description, String action) {
        this(description, action, null);
    }

    public GevServerConfigurationException(String description, String action, Throwable cause) {
        super(description, cause);
        this.action = action;
    }

    /** What the user should change. */
    public String action() {
        return this.action;
    }
}
