package dev.botdb.tune;

import dev.botdb.tune.TuneInput.Storage;
import dev.botdb.tune.TuneInput.Workload;

/**
 * What the operator stated ({@code botdb tune --ram 4GB --connections 100 ...}); null = find it out.
 *
 * @param ramBytes    --ram
 * @param connections --connections
 * @param cpus        --cpus
 * @param storage     --storage
 * @param workload    --workload (default bot)
 */
public record TuneOptions(Long ramBytes, Integer connections, Integer cpus, Storage storage, Workload workload) {
    public TuneOptions {
        workload = workload == null ? Workload.BOT : workload;
    }

    /** Nothing stated: RAM and CPUs from the server or this machine, a bot's workload on SSD. */
    public static TuneOptions none() {
        return new TuneOptions(null, null, null, null, Workload.BOT);
    }
}
