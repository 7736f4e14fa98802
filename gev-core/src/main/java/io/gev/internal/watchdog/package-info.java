/** Loop health and timers: the progress marks each loop bumps, the blocked-loop watchdog, timer handles; not API. */
package io.gev.internal.watchdog;
