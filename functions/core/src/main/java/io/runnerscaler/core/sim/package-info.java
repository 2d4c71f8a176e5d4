/**
 * A discrete-event simulation of pools on a virtual clock, driven by the real planner and carried out by the
 * real executor over the in-memory adapters ({@link io.runnerscaler.core.memory}): jobs arrive, machines boot,
 * run jobs, retire at MaxBuilds, get interrupted, and are removed, each step recorded in a timeline with the
 * reasons the executor logged. Used by scenario and property tests, the CLI's {@code simulate} and the demo.
 * Entry point: {@link io.runnerscaler.core.sim.Simulation#builder}.
 */
package io.runnerscaler.core.sim;
