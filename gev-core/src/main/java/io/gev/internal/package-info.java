/**
 * Implementation: Netty IoHandles for listeners and connections, the read/write path, loop
 * state. Not API; may change in any release.
 */
package io.gev.internal;
