/**
 * Loop health and timers: the progress marks each loop bumps, the blocked-loop watchdog, timer
 * handles, and the throttle that keeps a repeating error to a log line a second; not API.
 */
package io.gev.internal.watchdog;
