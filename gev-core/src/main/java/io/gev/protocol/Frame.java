package io.gev.protocol;

/**
 * The holder a {@link Protocol} fills with one decoded message. gev reuses one instance per loop,
 * so decoding allocates nothing (the type parameter is erased: a {@code Frame<ByteBuffer>} costs
 * no more than an untyped one); it is cleared before each {@link Protocol#unpack} call.
 *
 * @param <M> the type of message the protocol decodes
 */
public final class Frame<M> {

    private Object context;
    private M message;

    /**
     * Sets what {@link io.gev.Handler#onMessage} receives: the context (a message type, say) and
     * the message. Either may be {@code null}.
     */
    public void set(Object context, M message) {
        this.context = context;
        this.message = message;
    }

    /** The protocol's context object, or {@code null}. */
    public Object context() {
        return context;
    }

    /** The decoded message, or {@code null}. */
    public M message() {
        return message;
    }

    /** Forgets the frame. */
    public void clear() {
        context = null;
        message = null;
    }
}
