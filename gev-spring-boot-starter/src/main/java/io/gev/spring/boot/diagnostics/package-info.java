/** Failure analyzers that explain why gev servers could not start. */
package io.gev.spring.boot.diagnostics;
