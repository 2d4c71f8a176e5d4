package io.runnerscaler.cli.config;

import java.util.List;
import java.util.Optional;

/**
 * What to do about each docker-machine amazonec2 flag that is not a pool key. The table in
 * docs/migrate-from-docker-machine.md says the same; change both together.
 */
final class MachineOptionAdvice {

    /** Flags the importer turns into pool keys, or that the subnet implies: no warning. */
    private static final List<String> CARRIED_OVER = List.of("amazonec2-instance-type", "amazonec2-subnet-id",
            "amazonec2-ami", "amazonec2-request-spot-instance", "amazonec2-vpc-id", "amazonec2-zone");

    private MachineOptionAdvice() {
    }

    /**
     * @param values the flag's values joined by commas; quoted only for flags that cannot hold a secret
     * @return the warning text, or empty when the flag is carried over into the pool
     */
    static Optional<String> forOption(String option, String values) {
        if (CARRIED_OVER.contains(option)) {
            return Optional.empty();
        }
        return Optional.of(switch (option) {
            case "amazonec2-region" -> "pools launch in the region the scaler is deployed to; deploy the stack in "
                    + values;
            case "amazonec2-access-key", "amazonec2-secret-key", "amazonec2-session-token" ->
                    "credentials are not imported: the scaler uses its Lambda role. Delete this key pair if nothing "
                            + "else uses it";
            case "amazonec2-spot-price" -> "no equivalent: EC2 caps spot at the on-demand price and AWS advises "
                    + "against a max price; dropped";
            case "amazonec2-block-duration-minutes" -> "no equivalent: EC2 no longer offers spot blocks (defined "
                    + "duration); dropped";
            case "amazonec2-root-size" -> "set the root volume size (" + values + " GiB) in the launch template's "
                    + "block device mapping";
            case "amazonec2-volume-type", "amazonec2-device-name" -> "set the root volume (" + values + ") in the "
                    + "launch template's block device mapping";
            case "amazonec2-security-group" -> "put security group(s) " + values + " in the launch template; they "
                    + "need no inbound rules, runners only connect out";
            case "amazonec2-security-group-readonly" -> "no equivalent: the scaler never edits security groups";
            case "amazonec2-iam-instance-profile" -> "put instance profile " + values + " in the launch template; "
                    + "it must also allow ssm:GetParameter on the pool's tokenParameter only";
            case "amazonec2-tags" -> "put tags " + values + " in the launch template's tag specifications; the "
                    + "scaler adds its own runner-scaler tags";
            case "amazonec2-use-private-address" -> "no equivalent: nothing connects to the machines, the runner "
                    + "on each machine connects out to GitLab";
            case "amazonec2-private-address-only" -> "disable public IP addresses in the launch template's network "
                    + "interface (or use subnets without auto-assigned public IPs)";
            case "amazonec2-monitoring", "amazonec2-use-ebs-optimized-instance", "amazonec2-metadata-token",
                 "amazonec2-metadata-token-response-hop-limit" -> "set it in the launch template";
            case "amazonec2-userdata" -> "merge this script into the launch template's user data, before the "
                    + "runner bootstrap";
            case "amazonec2-ssh-user", "amazonec2-ssh-keypath", "amazonec2-keypair-name", "amazonec2-ssh-port",
                 "amazonec2-open-port" -> "no equivalent: nothing connects to the machines over SSH or the Docker "
                    + "API; add a key pair to the launch template only if you want to log in";
            case "amazonec2-retries" -> "no equivalent: the scaler retries launches itself with backoff";
            case "amazonec2-endpoint", "amazonec2-insecure-transport" -> "no equivalent per pool: point the whole "
                    + "scaler at another endpoint with its endpoint setting";
            // Unknown flags may hold anything, so their values are never quoted.
            default -> option.startsWith("engine-")
                    ? "a Docker engine setting docker-machine applied at provisioning; configure Docker in your AMI "
                            + "or the launch template's user data"
                    : "no equivalent, ignored; if it matters, express it in the launch template";
        });
    }
}
