/** The {@code gev} actuator endpoint: what the gev servers of an application are doing. */
package io.gev.spring.boot.actuate;
