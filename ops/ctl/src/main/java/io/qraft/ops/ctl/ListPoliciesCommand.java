package io.qraft.ops.ctl;

import io.qraft.api.StatusJson;
import io.qraft.api.v1.ListPoliciesRequest;
import io.qraft.api.v1.PolicyInfo;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code list_policies}: one row per policy, sorted by name. */
@Command(name = "list_policies", mixinStandardHelpOptions = true, description = "Lists the policies.")
final class ListPoliciesCommand extends CtlCommand {

    static final List<String> COLUMNS = List.of("name", "pattern", "apply_to", "priority", "definition");

    @Override
    protected void run(ClusterClient client, Output output) {
        List<PolicyInfo> policies = client.admin(admin -> admin.listPolicies(ListPoliciesRequest.getDefaultInstance()))
            .getPoliciesList();
        output.rows(COLUMNS, policies.stream().map(ListPoliciesCommand::row).toList());
    }

    /**
     * A policy as a row. The definition is a JSON tree: an object in JSON output, and its
     * compact JSON text in a table, as operators wrote it.
     */
    static Map<String, Object> row(PolicyInfo policy) {
        return StatusJson.fields(policy);
    }
}
