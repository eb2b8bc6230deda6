package io.qraft.log;

import io.qraft.api.v1.Delivery;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/** A consumer's deliveries as the hub hands them over, and why its stream ended, if it did. */
final class CollectingSink implements ConsumerHub.Sink {
  final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
  final AtomicReference<RuntimeException> closed = new AtomicReference<>();

  @Override
  public void deliver(Delivery delivery) {
    deliveries.add(delivery);
  }

  @Override
  public void closed(RuntimeException reason) {
    closed.set(reason);
  }
}
