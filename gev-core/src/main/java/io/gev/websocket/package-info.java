/**
 * A WebSocket server (RFC 6455, with permessage-deflate from RFC 7692) on gev's Protocol SPI:
 * {@link io.gev.websocket.WebSocketServer} builds one around a
 * {@link io.gev.websocket.WebSocketHandler}, or several on their own paths
 * ({@link io.gev.websocket.WebSocketRoutes}), configured by
 * {@link io.gev.websocket.WebSocketOptions}. Like every built-in protocol it uses only gev's
 * public API.
 */
package io.gev.websocket;
