package io.qraft.ops.ctl;

import io.qraft.api.StatusJson;
import io.qraft.api.v1.QueueInfo;
import java.util.List;
import java.util.Locale;

/**
 * The columns list_queues can show: fields of {@link QueueInfo}, valued as {@link StatusJson}
 * values them. The column name is the constant's name in lower case; it is also the JSON key and
 * the field's name. Immutable.
 */
enum QueueColumn {
    NAME,
    // The policy that applies; empty when none does.
    POLICY,
    LEADER,
    REPLICAS,
    SYNCHRONISED_REPLICAS,
    MESSAGES,
    MESSAGES_UNACKED,
    BYTES,
    // Dropped with ha-promote-on-shutdown: always when an old part stayed unavailable.
    MESSAGES_GIVEN_UP,
    // What the queue's limits did (see the limit keys in the README): expired whether dead-lettered
    // or dropped; dead_lettered and dropped by reason (reason=count,...).
    MESSAGES_EXPIRED,
    DEAD_LETTERED,
    DROPPED,
    PUBLISHES_REJECTED,
    DELIVERIES_TIMED_OUT,
    DEAD_LETTER_RESENDS,
    // Effective: the declare argument, else the policy's, else the default.
    ACK_MODE,
    GROUP,
    CONSUMERS,
    ARGUMENTS,
    EFFECTIVE_ARGUMENTS;

    /**
     * What list_queues shows when no column is named. The limits' counts are not among them:
     * dead_lettered and dropped are maps by reason, too wide for every row, and a column of their
     * totals would be no field of QueueInfo, which every column is.
     */
    static final List<QueueColumn> DEFAULT = List.of(NAME, LEADER, REPLICAS, MESSAGES, MESSAGES_UNACKED);

    String columnName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
