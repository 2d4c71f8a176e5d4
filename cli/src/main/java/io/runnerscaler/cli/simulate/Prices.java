package io.runnerscaler.cli.simulate;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Market;
import java.util.Map;

/**
 * Hourly machine prices in USD: a default on-demand and spot price, and optional prices per instance
 * type. A pool is priced by its first (preferred) instance type, which is the one the simulator launches.
 */
public record Prices(Price fallback, Map<String, Price> byInstanceType) {

    /** us-east-1 m6i.large: on-demand list price, and a typical spot price (about 36 % of it). */
    public static final Price DEFAULT = new Price(0.096, 0.035);

    public Prices {
        byInstanceType = Map.copyOf(byInstanceType);
    }

    /** One instance type's hourly prices. */
    public record Price(double onDemand, double spot) {
        public Price {
            if (!(onDemand >= 0) || !(spot >= 0)) {
                throw new IllegalArgumentException("prices must not be negative");
            }
        }

        public double hourly(Market market) {
            return market == Market.SPOT ? spot : onDemand;
        }
    }

    public Price forPool(PoolConfig pool) {
        return pool.instanceTypes().isEmpty() ? fallback
                : byInstanceType.getOrDefault(pool.instanceTypes().getFirst(), fallback);
    }

    /**
     * Reads {@code TYPE=ON_DEMAND/SPOT}, e.g. {@code m6i.large=0.096/0.035}; the spot part may be left
     * out, and the spot price is then the default ratio of the on-demand one.
     */
    public static Map.Entry<String, Price> parseTypePrice(String spec, Price fallback) {
        int eq = spec.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("'" + spec + "' should be TYPE=ON_DEMAND/SPOT, like m6i.large=0.096/0.035");
        }
        String type = spec.substring(0, eq).strip();
        String[] parts = spec.substring(eq + 1).split("/", -1);
        try {
            double onDemand = Double.parseDouble(parts[0].strip());
            double spot = parts.length > 1 ? Double.parseDouble(parts[1].strip())
                    : onDemand * fallback.spot() / fallback.onDemand();
            if (parts.length > 2) {
                throw new NumberFormatException();
            }
            return Map.entry(type, new Price(onDemand, spot));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + spec + "' should be TYPE=ON_DEMAND/SPOT in USD per hour,"
                    + " like m6i.large=0.096/0.035");
        }
    }
}
