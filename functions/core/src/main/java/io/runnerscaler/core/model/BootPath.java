package io.runnerscaler.core.model;

import java.util.Locale;

/**
 * How a job came to run, as the {@code TimeToRunner} metric and {@code runner-scaler machines} name it. A machine
 * comes up {@link #COLD} or from the {@link #STOPPED} pool; a job it takes after it was ready came the
 * {@link #IDLE} way.
 */
public enum BootPath {
    /** A new instance: launch, EC2 boot, the image's boot, runner registration. */
    COLD,
    /** A stopped pool machine started: StartInstances, boot from its kept volume, registration. */
    STOPPED,
    /** The job was taken by a machine that was already up and registered when the job was queued. */
    IDLE;

    /** The name in metrics and output: {@code cold}, {@code stopped}, {@code idle}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
