package io.qraft.ops.ctl;

import io.qraft.api.StatusJson;
import io.qraft.api.v1.ListQueuesRequest;
import io.qraft.api.v1.QueueInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/** {@code list_queues [columns...]}: one row per queue, with the columns asked for. */
@Command(name = "list_queues", mixinStandardHelpOptions = true,
    description = "Lists the queues.")
final class ListQueuesCommand extends CtlCommand {

    // Strings, checked in checkArguments(): a converter failing on a variadic parameter makes
    // picocli report an "unmatched argument" instead of the converter's message.
    @Parameters(paramLabel = "COLUMN", arity = "0..*",
        description = "Columns to show, in order: name, policy, leader, replicas, synchronised_replicas, messages, "
            + "messages_unacked, bytes, messages_given_up, messages_expired, dead_lettered, dropped, publishes_rejected, "
            + "deliveries_timed_out, ack_mode, group, consumers, arguments, effective_arguments "
            + "(default: name leader replicas messages messages_unacked).")
    private List<String> columnNames = new ArrayList<>();

    private List<QueueColumn> shown = QueueColumn.DEFAULT;

    @Override
    protected void checkArguments() {
        if (columnNames.isEmpty()) {
            return;
        }
        List<QueueColumn> columns = new ArrayList<>();
        for (String name : columnNames) {
            try {
                columns.add(new Converters.QueueColumnConverter().convert(name));
            } catch (TypeConversionException e) {
                throw new ParameterException(commandLine(), "Invalid column: " + e.getMessage());
            }
        }
        shown = List.copyOf(columns);
    }

    @Override
    protected void run(ClusterClient client, Output output) {
        List<QueueInfo> queues = client.admin(admin -> admin.listQueues(ListQueuesRequest.getDefaultInstance()))
            .getQueuesList();
        output.rows(shown.stream().map(QueueColumn::columnName).toList(),
            queues.stream().map(q -> row(shown, q)).toList());
    }

    static Map<String, Object> row(List<QueueColumn> columns, QueueInfo queue) {
        Map<String, Object> fields = StatusJson.fields(queue);
        Map<String, Object> row = new LinkedHashMap<>();
        for (QueueColumn column : columns) {
            row.put(column.columnName(), fields.get(column.columnName()));
        }
        return row;
    }
}
