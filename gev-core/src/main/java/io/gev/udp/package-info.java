/**
 * UDP on gev's event loops: {@link io.gev.udp.DatagramServer}, its {@link io.gev.udp.DatagramHandler}
 * and {@link io.gev.udp.DatagramOptions}.
 */
package io.gev.udp;
