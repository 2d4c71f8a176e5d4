package io.runnerscaler.core.memory;

import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.port.MachineStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Machine records, capacity, on-demand grants and boot history in memory, each operation atomic (one lock), as
 * the DynamoDB store's conditional writes and transactions are per item.
 */
public class InMemoryMachineStore implements MachineStore {

    private final Map<String, Machine> records = new LinkedHashMap<>();
    /** Live records by pool, so planning reads a pool's live machines only, as the DynamoDB store's Query does. */
    private final Map<String, Map<String, Machine>> live = new HashMap<>();
    private final Map<String, PoolItem> pools = new HashMap<>();

    /** The pool's counters, as DynamoDB keeps them in one item. */
    private static final class PoolItem {
        int reserved;
        long version;
        long stateVersion;
        long auditedVersion = -1;
        int grants;
        final List<Instant> bootFailures = new ArrayList<>();
    }

    private PoolItem item(String pool) {
        return pools.computeIfAbsent(pool, p -> new PoolItem());
    }

    @Override
    public synchronized void put(Machine m) {
        Machine current = records.get(m.instanceId());
        if (m.state() == MachineState.TERMINATED) {
            write(m);
            return;
        }
        if (m.state().isFirst() || (current != null && current.state().isAlive())) {
            if (current == null || current.state() != m.state()) {
                item(m.pool()).stateVersion++;
            }
            write(m);
        }
    }

    @Override
    public synchronized boolean transition(Machine from, Machine to) {
        Machine current = records.get(from.instanceId());
        if (current == null || !current.state().isAlive() || current.state() != from.state()) {
            return false;
        }
        put(to);
        return true;
    }

    private void write(Machine m) {
        Machine before = records.put(m.instanceId(), m);
        if (before != null && !before.pool().equals(m.pool())) {
            live.getOrDefault(before.pool(), new HashMap<>()).remove(m.instanceId());
        }
        Map<String, Machine> pool = live.computeIfAbsent(m.pool(), p -> new LinkedHashMap<>());
        if (m.state().isAlive()) {
            pool.put(m.instanceId(), m);
        } else {
            pool.remove(m.instanceId());
        }
    }

    @Override
    public synchronized boolean markEnded(Machine m, Instant at, String reason) {
        Machine current = records.get(m.instanceId());
        if (current == null || !current.state().isAlive()) {
            return false;
        }
        write(current.ended(at, reason));
        PoolItem item = item(m.pool());
        item.reserved--;
        item.version++;
        item.stateVersion++;
        return true;
    }

    @Override
    public synchronized Optional<Machine> find(String instanceId) {
        return Optional.ofNullable(records.get(instanceId));
    }

    @Override
    public synchronized List<Machine> alive(String pool) {
        return List.copyOf(live.getOrDefault(pool, Map.of()).values());
    }

    /** Every record, ended ones included, in the order first recorded. */
    public synchronized List<Machine> all() {
        return List.copyOf(records.values());
    }

    @Override
    public synchronized int reserve(String pool, int wanted, int limit) {
        PoolItem item = item(pool);
        int granted = Math.max(0, Math.min(wanted, limit - item.reserved));
        if (granted > 0) {
            item.reserved += granted;
            item.version++;
        }
        return granted;
    }

    @Override
    public synchronized int reserve(String pool, int wanted, int limit, long version) {
        return item(pool).version != version ? CHANGED : reserve(pool, wanted, limit);
    }

    /** The counters are the records themselves here, so they never drift. */
    @Override
    public synchronized PoolCounters counters(String pool) {
        PoolItem item = item(pool);
        return MachineStore.countersOf(List.copyOf(live.getOrDefault(pool, Map.of()).values()), item.grants, item.bootFailures, item.reserved, item.version,
                item.stateVersion);
    }

    @Override
    public synchronized Map<String, Integer> auditCounters(String pool, List<Machine> alive, PoolCounters read) {
        return Map.of();
    }

    @Override
    public synchronized void release(String pool, int count) {
        if (count <= 0) {
            return;
        }
        PoolItem item = item(pool);
        item.reserved -= count;
        item.version++;
    }

    @Override
    public synchronized int reserved(String pool) {
        return pools.containsKey(pool) ? pools.get(pool).reserved : 0;
    }

    @Override
    public synchronized int audit(String pool, int aliveMachines) {
        PoolItem item = pools.get(pool);
        if (item == null) {
            return 0;
        }
        boolean correct = item.auditedVersion == item.version && item.reserved != aliveMachines;
        if (!correct) {
            item.auditedVersion = item.version;
            return 0;
        }
        int correction = aliveMachines - item.reserved;
        item.reserved = aliveMachines;
        item.version++;
        item.auditedVersion = item.version;
        return correction;
    }

    @Override
    public synchronized void grantOnDemand(String pool, int machines) {
        item(pool).grants += machines;
    }

    @Override
    public synchronized int takeOnDemand(String pool, int wanted) {
        PoolItem item = item(pool);
        int taken = Math.max(0, Math.min(wanted, item.grants));
        item.grants -= taken;
        return taken;
    }

    @Override
    public synchronized int onDemandGrants(String pool) {
        return pools.containsKey(pool) ? pools.get(pool).grants : 0;
    }

    @Override
    public synchronized void recordBootFailure(String pool, Instant at) {
        item(pool).bootFailures.add(at);
    }

    @Override
    public synchronized void resetBootFailures(String pool) {
        item(pool).bootFailures.clear();
    }

    @Override
    public synchronized List<Instant> bootFailures(String pool) {
        return pools.containsKey(pool) ? List.copyOf(pools.get(pool).bootFailures) : List.of();
    }
}
