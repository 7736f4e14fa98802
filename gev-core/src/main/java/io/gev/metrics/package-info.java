/** Micrometer binding; micrometer-core is an optional dependency, needed only for this package. */
package io.gev.metrics;
