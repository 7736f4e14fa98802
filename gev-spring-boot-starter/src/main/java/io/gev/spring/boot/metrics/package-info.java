/** Micrometer meters of gev servers. */
package io.gev.spring.boot.metrics;
