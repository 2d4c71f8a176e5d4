/** Benchmarks. */
package io.runnerscaler.benchmarks;
