/** The PROXY protocol (HAProxy's, versions 1 and 2): its header's decoder and the address blocks of trusted balancers. */
package io.gev.internal.proxy;
