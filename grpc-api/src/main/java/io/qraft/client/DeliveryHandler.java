package io.qraft.client;

import io.qraft.api.v1.Delivery;

/**
 * What a {@link Consumer} does with each delivery.
 *
 * <p>Called on the consumer's own thread, one delivery at a time and in the order the
 * server sent them, so it may block (for example on {@link QraftClient#ack(Delivery)}).
 * A delivery stays outstanding until the handler (or anyone) acks or nacks it; an
 * exception thrown here is logged and settles nothing.
 */
@FunctionalInterface
public interface DeliveryHandler {

  void handle(Delivery delivery) throws Exception;
}
