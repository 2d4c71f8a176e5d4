package io.runnerscaler.core.model;

/** How an instance is bought. */
public enum Market {
    SPOT,
    ON_DEMAND
}
