package io.runnerscaler.testkit.contract;

import io.runnerscaler.core.memory.InMemoryJobLedger;
import io.runnerscaler.core.port.JobLedger;

/** The in-memory job ledger held to the ledger's contract. */
class InMemoryJobLedgerTest extends JobLedgerContract {

    @Override
    protected JobLedger ledger() {
        return new InMemoryJobLedger();
    }
}
