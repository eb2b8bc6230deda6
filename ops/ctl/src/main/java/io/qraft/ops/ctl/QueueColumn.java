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
    // Effective: the declare argument, else the policy's, else the default.
    ACK_MODE,
    GROUP,
    CONSUMERS,
    ARGUMENTS,
    EFFECTIVE_ARGUMENTS;

    /** What list_queues shows when no column is named. */
    static final List<QueueColumn> DEFAULT = List.of(NAME, LEADER, REPLICAS, MESSAGES, MESSAGES_UNACKED);

    String columnName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
