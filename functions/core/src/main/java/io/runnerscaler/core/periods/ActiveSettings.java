package io.runnerscaler.core.periods;

import io.runnerscaler.core.config.IdleSettings;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The idle settings that apply to a pool at an instant.
 *
 * @param period index into the pool's {@code periods} of the period that supplied them; empty when the
 *               pool's base values apply
 */
public record ActiveSettings(IdleSettings idle, OptionalInt period) {

    public ActiveSettings {
        Objects.requireNonNull(idle, "idle");
        Objects.requireNonNull(period, "period");
    }

    public boolean inPeriod() {
        return period.isPresent();
    }
}
