package io.qraft.statemachine;

import io.qraft.api.v1.Message;

/**
 * A dead-lettered message waiting in its queue for the leader to move it to the queue's
 * dead-letter queue: its offset, why it died, when (leader time), and the message as published.
 */
public record DeadLetter(long offset, String reason, long deadAtMs, Message message) {}
