package io.qraft.client;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per queue, the address that last served a call on it: most likely the queue's leader,
 * so the next call saves a forwarding hop or a redirect.
 *
 * <p>Calls that name no queue (the admin calls) share the key {@link #ANY_QUEUE}, which no
 * queue can have since queue names are never empty. Thread-safe.
 */
final class LeaderCache {

  static final String ANY_QUEUE = "";

  private final List<String> addresses;
  private final ConcurrentMap<String, String> lastGood = new ConcurrentHashMap<>();
  private final AtomicInteger nextStart = new AtomicInteger();

  LeaderCache(List<String> addresses) {
    this.addresses = List.copyOf(addresses);
  }

  List<String> addresses() {
    return addresses;
  }

  /** The remembered address for the key, or null. */
  String get(String key) {
    return lastGood.get(key);
  }

  void remember(String key, String address) {
    lastGood.put(key, address);
  }

  /** Forgets the address unless another call has remembered a newer one meanwhile. */
  void forget(String key, String address) {
    lastGood.remove(key, address);
  }

  void forgetQueue(String key) {
    lastGood.remove(key);
  }

  /** Where a call with nothing remembered starts; rotates so that such calls spread. */
  int nextStartIndex() {
    return Math.floorMod(nextStart.getAndIncrement(), addresses.size());
  }
}
