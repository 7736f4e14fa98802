/**
 * The Protocol SPI that frames byte streams into messages, and the built-in protocols. Protocols
 * use only the public API and {@link io.gev.buffer}, exactly as a user's own protocol would.
 */
package io.gev.protocol;
