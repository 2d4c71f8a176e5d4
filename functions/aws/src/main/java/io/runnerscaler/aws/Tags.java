package io.runnerscaler.aws;

import io.runnerscaler.core.config.PoolConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ec2.model.Tag;

/** The tag keys this project puts on everything it launches; IAM conditions in the template rely on them. */
public final class Tags {

    public static final String STACK = "runner-scaler:stack";
    public static final String POOL = "runner-scaler:pool";
    public static final String FORGE = "runner-scaler:forge";
    public static final String JOB = "runner-scaler:job";
    public static final String MANAGED_BY = "managed-by";
    public static final String MANAGED_BY_VALUE = "runner-scaler";

    private Tags() {
    }

    /** Stack, pool, forge and managed-by: what every instance, volume and pool template of a pool carries. */
    static Map<String, String> forPool(String stack, PoolConfig pool) {
        var all = new LinkedHashMap<String, String>();
        all.put(STACK, stack);
        all.put(POOL, pool.name());
        all.put(FORGE, pool.forge().id());
        all.put(MANAGED_BY, MANAGED_BY_VALUE);
        return all;
    }

    static List<Tag> ec2(Map<String, String> tags) {
        return tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
    }
}
