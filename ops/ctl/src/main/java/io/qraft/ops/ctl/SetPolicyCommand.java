package io.qraft.ops.ctl;

import io.qraft.api.Policy;
import io.qraft.api.v1.SetPolicyRequest;
import io.qraft.api.v1.SetPolicyResponse;
import io.qraft.api.DefinitionJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code set_policy NAME PATTERN DEFINITION [--priority N] [--apply-to queues]}: adds a policy, or
 * replaces the one of that name. The definition is checked here first, with the node's rules, so
 * a typo is a usage error before anything is sent; the node checks again (and also that named
 * nodes exist).
 */
@Command(name = "set_policy", mixinStandardHelpOptions = true,
    description = "Sets a policy: its definition applies to the queues whose name matches PATTERN.")
final class SetPolicyCommand extends CtlCommand {

    @Parameters(index = "0", paramLabel = "NAME", description = "Policy name; setting an existing name replaces it.")
    private String name;

    @Parameters(index = "1", paramLabel = "PATTERN",
        description = "Regular expression (RE2 syntax) found in queue names; anchor it, e.g. '^important\\.'.")
    private String pattern;

    @Parameters(index = "2", paramLabel = "DEFINITION",
        description = "JSON object of keys: ha-mode, ha-params, ha-sync-mode, ha-sync-batch-size, "
            + "ha-promote-on-shutdown, ack-mode, batch-size, batch-bytes, batch-linger-ms, queue-leader-locator, "
            + "queue-log, and the limits message-ttl, expires, max-length, max-length-bytes, overflow, "
            + "delivery-limit, dead-letter-queue, consumer-timeout, single-active-consumer; "
            + "e.g. '{\"ha-mode\":\"exactly\",\"ha-params\":2}'.")
    private String definition;

    @Option(names = "--priority", paramLabel = "N", defaultValue = "0",
        description = "Of several matching policies the highest priority applies; of equal ones, the smallest "
            + "name (default: ${DEFAULT-VALUE}).")
    private int priority;

    @Option(names = "--apply-to", paramLabel = "KIND", defaultValue = Policy.APPLY_TO_QUEUES,
        description = "What the policy applies to: only queues for now (default: ${DEFAULT-VALUE}).")
    private String applyTo;

    @Override
    protected void checkArguments() {
        try {
            new Policy(name, pattern, applyTo, priority, DefinitionJson.parse(definition));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(commandLine(), "Invalid policy: " + e.getMessage());
        }
    }

    @Override
    protected void run(ClusterClient client, Output output) {
        SetPolicyRequest request = SetPolicyRequest.newBuilder().setName(name).setPattern(pattern)
            .setDefinition(definition).setPriority(priority).setApplyTo(applyTo).build();
        SetPolicyResponse response = client.admin(admin -> admin.setPolicy(request));
        output.row(ListPoliciesCommand.COLUMNS, ListPoliciesCommand.row(response.getPolicy()));
    }
}
