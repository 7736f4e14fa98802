/** Event loops, their timers, the transport choice and the load balancing of new connections. */
package io.gev.loop;
