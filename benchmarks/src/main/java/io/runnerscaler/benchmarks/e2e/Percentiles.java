package io.runnerscaler.benchmarks.e2e;

import java.util.Arrays;
import java.util.Locale;

/** Nearest-rank percentiles of a set of durations, in milliseconds. */
public record Percentiles(int count, double min, double p50, double p95, double p99, double max, double mean) {

    public static Percentiles ofNanos(long[] nanos) {
        if (nanos.length == 0) {
            return new Percentiles(0, 0, 0, 0, 0, 0, 0);
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElse(0) / 1e6;
        return new Percentiles(sorted.length, ms(sorted[0]), ms(rank(sorted, 50)), ms(rank(sorted, 95)),
                ms(rank(sorted, 99)), ms(sorted[sorted.length - 1]), mean);
    }

    public static Percentiles ofMillis(double[] millis) {
        long[] nanos = Arrays.stream(millis).mapToLong(m -> Math.round(m * 1e6)).toArray();
        return ofNanos(nanos);
    }

    private static long rank(long[] sorted, int percentile) {
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** Milliseconds with one decimal below 100 ms, whole above: precise where it means something. */
    public static String format(double ms) {
        return ms < 100 ? String.format(Locale.ROOT, "%.1f", ms) : String.format(Locale.ROOT, "%.0f", ms);
    }
}
