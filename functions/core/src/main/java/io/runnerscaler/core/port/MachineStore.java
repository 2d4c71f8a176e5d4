package io.runnerscaler.core.port;

import io.runnerscaler.core.model.Machine;
import java.util.List;
import java.util.Optional;

/** Machine records (DynamoDB in production). */
public interface MachineStore {

    void put(Machine machine);

    Optional<Machine> find(String instanceId);

    /** The pool's machines that are not TERMINATED. */
    List<Machine> alive(String pool);

    /** The pool's machine launched for or running the given job, if any. */
    default Optional<Machine> forJob(String pool, String jobKey) {
        return alive(pool).stream().filter(m -> m.jobId().filter(jobKey::equals).isPresent()).findFirst();
    }
}
