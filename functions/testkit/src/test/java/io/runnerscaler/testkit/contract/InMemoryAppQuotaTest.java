package io.runnerscaler.testkit.contract;

import io.runnerscaler.core.memory.InMemoryAppQuota;
import io.runnerscaler.core.port.AppQuota;

/** The in-memory App quota held to the quota's contract. */
class InMemoryAppQuotaTest extends AppQuotaContract {

    @Override
    protected AppQuota quota() {
        return new InMemoryAppQuota();
    }
}
