/**
 * A discrete-event simulation of pools on a virtual clock, driven by the real planner: jobs arrive,
 * machines boot, run jobs, retire at MaxBuilds, get interrupted, and are removed, each step recorded in
 * a timeline with the planner's reasons. Used by scenario tests, the CLI's {@code simulate} and the demo.
 * Entry point: {@link io.runnerscaler.core.sim.Simulation#builder}.
 */
package io.runnerscaler.core.sim;
