package io.gev.internal.engine;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fails any test during which a loop's buffer pool refused a release: a ring released twice or
 * never lent, which would have left two owners writing into one ring. Registered for every test
 * of this module through the service file and {@code junit-platform.properties}; the refusal
 * itself also throws on the loop, since the build sets {@value BufferPool#STRICT_PROPERTY}.
 */
public final class BufferPoolOwnershipCheck implements BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(BufferPoolOwnershipCheck.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put("before", BufferPool.violations());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        long before = context.getStore(NAMESPACE).get("before", Long.class);
        assertEquals(before, BufferPool.violations(), "buffer pool ownership violations during "
                + context.getDisplayName() + " (see the log for the stack of each)");
    }
}
