package io.qraft.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Streams publishes to one queue with a window of outstanding confirms
 * (publisher confirms with a prefetch, in RabbitMQ terms). Obtained from
 * {@link QraftClient#publisher}.
 *
 * <p>Guarantees: at most {@code window} publishes wait for a confirm at any
 * time; each returned future completes once, with the confirm or with the
 * error that ended its retries (a {@link PublishTimeoutException} says the
 * message may or may not be stored). Thread-safe.
 */
public final class Publisher {
  private final QraftClient client;
  private final String queue;
  private final Semaphore window;
  private final int size;

  Publisher(QraftClient client, String queue, int window) {
    if (window < 1) {
      throw new IllegalArgumentException("window must be at least 1, not " + window);
    }
    this.client = client;
    this.queue = queue;
    this.window = new Semaphore(window);
    this.size = window;
  }

  /** Publishes body, first waiting while the window is full. */
  public CompletableFuture<PublishConfirm> send(byte[] body) throws InterruptedException {
    window.acquire();
    CompletableFuture<PublishConfirm> confirm;
    try {
      confirm = client.publish(queue, body);
    } catch (RuntimeException e) {
      window.release();
      throw e;
    }
    confirm.whenComplete((ok, error) -> window.release());
    return confirm;
  }

  /** Publishes still waiting for their confirm. */
  public int outstanding() {
    return size - window.availablePermits();
  }

  public String queue() {
    return queue;
  }
}
