package io.qraft.client;

import com.google.protobuf.ByteString;
import io.qraft.api.v1.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Streams publishes to one queue with a window of outstanding confirms
 * (publisher confirms with a prefetch, in RabbitMQ terms). Obtained from
 * {@link QraftClient#publisher}.
 *
 * <p>Sends that arrive while the publisher's requests are all waiting for confirms travel
 * together in its next request, as {@link PublishBatching} describes: each send still gets
 * its own confirm with its own offset, but the sends of one request are stored or refused
 * together.
 *
 * <p>Guarantees: at most {@code window} publishes wait for a confirm at any
 * time; each returned future completes once, with the confirm or with the
 * error that ended its retries (a {@link PublishTimeoutException} says the
 * message may or may not be stored); messages are offered to the server in the order of
 * their sends. Thread-safe.
 */
public final class Publisher {
  private final QraftClient client;
  private final String queue;
  private final Semaphore window;
  private final int size;
  private final PublishBatching batching;

  /** Sends not yet in a request, oldest first. Guarded by this. */
  private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
  /** Requests sent and not yet confirmed. Guarded by this. */
  private int requestsInFlight;

  private record Pending(Message message, CompletableFuture<PublishConfirm> confirm) {}

  Publisher(QraftClient client, String queue, int window, PublishBatching batching) {
    if (window < 1) {
      throw new IllegalArgumentException("window must be at least 1, not " + window);
    }
    this.client = client;
    this.queue = queue;
    this.window = new Semaphore(window);
    this.size = window;
    this.batching = java.util.Objects.requireNonNull(batching, "batching");
  }

  /** Publishes body, first waiting while the window is full. */
  public CompletableFuture<PublishConfirm> send(byte[] body) throws InterruptedException {
    return send(body, Map.of());
  }

  /** Publishes body with headers, first waiting while the window is full. */
  public CompletableFuture<PublishConfirm> send(byte[] body, Map<String, String> headers)
      throws InterruptedException {
    Message message = Message.newBuilder().setBody(ByteString.copyFrom(body)).putAllHeaders(headers).build();
    window.acquire();
    CompletableFuture<PublishConfirm> confirm = new CompletableFuture<>();
    confirm.whenComplete((ok, error) -> window.release());
    List<List<Pending>> ready;
    synchronized (this) {
      waiting.add(new Pending(message, confirm));
      ready = takeRequests();
    }
    sendAll(ready);
    return confirm;
  }

  /** Publishes still waiting for their confirm. */
  public int outstanding() {
    return size - window.availablePermits();
  }

  public String queue() {
    return queue;
  }

  /** Cuts the waiting sends into as many requests as may go now. Called holding this. */
  private List<List<Pending>> takeRequests() {
    List<List<Pending>> requests = new ArrayList<>(1);
    while (!waiting.isEmpty() && requestsInFlight < batching.maxRequests()) {
      List<Pending> request = new ArrayList<>(Math.min(waiting.size(), batching.maxMessages()));
      long bytes = 0;
      while (!waiting.isEmpty() && request.size() < batching.maxMessages()) {
        long next = waiting.peek().message().getSerializedSize();
        if (!request.isEmpty() && bytes + next > batching.maxBytes()) {
          break;
        }
        bytes += next;
        request.add(waiting.poll());
      }
      requestsInFlight++;
      requests.add(request);
    }
    return requests;
  }

  private void sendAll(List<List<Pending>> requests) {
    for (List<Pending> request : requests) {
      send(request);
    }
  }

  private void send(List<Pending> request) {
    List<Message> messages = new ArrayList<>(request.size());
    for (Pending p : request) {
      messages.add(p.message());
    }
    CompletableFuture<PublishConfirm> sent;
    try {
      sent = client.publishBatch(queue, messages);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete((confirm, error) -> {
      List<List<Pending>> next;
      synchronized (this) {
        requestsInFlight--;
        next = takeRequests();
      }
      // The next request leaves before the callers' callbacks run on this thread.
      sendAll(next);
      settle(request, confirm, error);
    });
  }

  private void settle(List<Pending> request, PublishConfirm confirm, Throwable error) {
    try {
      complete(request, confirm, error);
    } catch (RuntimeException bug) {
      // A send left waiting would hold its window permit, and the publisher with it, forever.
      request.forEach(p -> p.confirm().completeExceptionally(bug));
    }
  }

  private void complete(List<Pending> request, PublishConfirm confirm, Throwable error) {
    if (error != null) {
      Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
          ? error.getCause() : error;
      request.forEach(p -> p.confirm().completeExceptionally(cause));
      return;
    }
    // A confirm of a local-ack queue carries no offsets: they are known only once the entry is
    // applied, after the leader's own fsync that confirms it.
    List<Long> offsets = confirm.offsets();
    for (int i = 0; i < request.size(); i++) {
      List<Long> own = i < offsets.size() ? List.of(offsets.get(i)) : List.of();
      request.get(i).confirm().complete(new PublishConfirm(queue, own));
    }
  }
}
