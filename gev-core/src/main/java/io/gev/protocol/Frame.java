package io.gev.protocol;

import java.nio.ByteBuffer;

/**
 * The holder a {@link Protocol} fills with one decoded frame. gev reuses one instance per loop so
 * that decoding allocates nothing; it is cleared before each {@link Protocol#unpack} call.
 */
public final class Frame {

    private Object context;
    private ByteBuffer payload;

    /** Sets what {@link io.gev.Handler#onMessage} receives. {@code payload} may be {@code null}. */
    public void set(Object context, ByteBuffer payload) {
        this.context = context;
        this.payload = payload;
    }

    /** The protocol's context object, or {@code null}. */
    public Object context() {
        return context;
    }

    /** The payload view, or {@code null}. */
    public ByteBuffer payload() {
        return payload;
    }

    /** Forgets the frame. */
    public void clear() {
        context = null;
        payload = null;
    }
}
