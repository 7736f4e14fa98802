/**
 * Loop health and timers: the progress marks each loop bumps, the blocked-loop watchdog, timer
 * handles, the throttle that keeps a repeating error to a few log lines a period, and the log of
 * client faults built on it; not API.
 */
package io.gev.internal.watchdog;
