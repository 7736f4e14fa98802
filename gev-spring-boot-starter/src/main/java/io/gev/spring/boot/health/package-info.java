/** Actuator health of gev servers. */
package io.gev.spring.boot.health;
