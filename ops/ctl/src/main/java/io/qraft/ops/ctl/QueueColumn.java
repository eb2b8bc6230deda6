package io.qraft.ops.ctl;

import io.qraft.api.v1.QueueInfo;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The columns list_queues can show, each read from a {@link QueueInfo}. The column name is the
 * constant's name in lower case; it is also the JSON key. Immutable.
 */
enum QueueColumn {
    NAME(QueueInfo::getName),
    // The policy that applies; empty when none does.
    POLICY(QueueInfo::getPolicy),
    LEADER(QueueInfo::getLeader),
    REPLICAS(q -> List.copyOf(q.getReplicasList())),
    SYNCHRONISED_REPLICAS(q -> List.copyOf(q.getSynchronisedReplicasList())),
    MESSAGES(QueueInfo::getMessages),
    MESSAGES_UNACKED(QueueInfo::getMessagesUnacked),
    BYTES(QueueInfo::getBytes),
    // Dropped with ha-promote-on-shutdown: always when an old part stayed unavailable.
    MESSAGES_GIVEN_UP(QueueInfo::getMessagesGivenUp),
    // Effective: the declare argument, else the policy's, else the default.
    ACK_MODE(QueueInfo::getAckMode),
    GROUP(QueueInfo::getGroup),
    CONSUMERS(QueueInfo::getConsumers),
    // Sorted so that the same queue always prints the same way.
    ARGUMENTS(q -> new TreeMap<>(q.getArgumentsMap())),
    EFFECTIVE_ARGUMENTS(q -> new TreeMap<>(q.getEffectiveArgumentsMap()));

    /** What list_queues shows when no column is named. */
    static final List<QueueColumn> DEFAULT = List.of(NAME, LEADER, REPLICAS, MESSAGES, MESSAGES_UNACKED);

    private final Function<QueueInfo, Object> reader;

    QueueColumn(Function<QueueInfo, Object> reader) {
        this.reader = reader;
    }

    String columnName() {
        return name().toLowerCase(Locale.ROOT);
    }

    Object valueOf(QueueInfo queue) {
        return reader.apply(queue);
    }
}
