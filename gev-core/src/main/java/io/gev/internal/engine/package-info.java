/** The engine behind a server, its loops, and the read → decode → dispatch → write path of a connection; not API. */
package io.gev.internal.engine;
