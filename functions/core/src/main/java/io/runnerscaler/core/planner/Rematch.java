package io.runnerscaler.core.planner;

/** A queued job no pool took that a pool of the config now in force takes: give it that pool ({@link Planner#rematch}). */
public record Rematch(String jobKey, String pool, Reason reason) {
}
