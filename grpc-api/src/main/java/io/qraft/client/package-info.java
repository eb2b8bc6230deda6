/**
 * The Java client of qraft: {@link io.qraft.client.QraftClient} declares queues, publishes,
 * fetches, acks and consumes over gRPC, and finds the node that leads each queue by itself.
 *
 * <p>Requests and responses are the generated messages of {@code io.qraft.api.v1}; this
 * package adds routing, retries and a push consumer around them, nothing else.
 */
package io.qraft.client;
