/** Lifecycle of gev servers in an application context: start, port publication, graceful stop. */
package io.gev.spring.boot.context;
