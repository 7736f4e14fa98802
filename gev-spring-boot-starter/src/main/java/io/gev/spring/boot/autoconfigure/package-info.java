/** Auto-configuration of gev servers and the {@code gev.*} properties. */
package io.gev.spring.boot.autoconfigure;
