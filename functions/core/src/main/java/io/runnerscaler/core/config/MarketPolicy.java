package io.runnerscaler.core.config;

/** Which market a pool buys machines on. */
public enum MarketPolicy {
    SPOT,
    ON_DEMAND,
    /** Spot first; what spot cannot supply is bought on demand in the same invocation. */
    SPOT_WITH_FALLBACK
}
