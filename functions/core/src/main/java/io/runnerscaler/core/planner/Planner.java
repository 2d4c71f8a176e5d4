package io.runnerscaler.core.planner;

import io.runnerscaler.core.config.IdleSettings;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Decides what a pool needs at an instant. Pure: no clock, no I/O. Scale-up, the reaper, the simulator
 * and the demo all call this; nothing else decides.
 */
public final class Planner {

    public Plan plan(PoolState state, Instant now) {
        var pool = state.pool();
        IdleSettings idle = pool.idle();
        List<Machine> machines = state.machines().stream().filter(m -> m.state().isAlive()).toList();
        long idleCount = count(machines, MachineState.IDLE);
        long launching = count(machines, MachineState.LAUNCHING);
        List<Action> actions = new ArrayList<>();

        int idleTarget = idle.idleCount();
        long wanted = Math.max(0, state.queuedJobs() + idleTarget - idleCount - launching);
        long room = pool.limit() - machines.size();
        long launch = Math.min(wanted, room);
        if (pool.maxGrowthRate() > 0) {
            launch = Math.min(launch, pool.maxGrowthRate() - launching);
        }
        if (launch > 0) {
            actions.add(new Action.Launch((int) launch, Market.ON_DEMAND,
                    state.queuedJobs() > 0 ? Reason.JOBS_WAITING : Reason.BELOW_IDLE_COUNT));
        } else if (wanted > 0) {
            actions.add(new Action.Hold(room <= 0 ? Reason.LIMIT_REACHED : Reason.GROWTH_RATE,
                    wanted + " more wanted"));
        }

        long keepIdle = Math.max(0, idleTarget + state.queuedJobs());
        List<Machine> idleMachines = machines.stream().filter(m -> m.state() == MachineState.IDLE)
                .sorted(Comparator.comparing(Machine::stateSince).reversed()).toList();
        for (int i = 0; i < idleMachines.size(); i++) {
            Machine m = idleMachines.get(i);
            if (i >= keepIdle && !Duration.between(m.stateSince(), now).minus(idle.idleTime()).isNegative()) {
                actions.add(new Action.Terminate(m.instanceId(), Reason.IDLE_TIME_EXCEEDED));
            }
        }
        return new Plan(pool.name(), actions);
    }

    private static long count(List<Machine> machines, MachineState state) {
        return machines.stream().filter(m -> m.state() == state).count();
    }
}
