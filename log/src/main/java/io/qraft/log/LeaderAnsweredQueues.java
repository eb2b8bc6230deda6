package io.qraft.log;

import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.QueueLookup;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Queue definitions the metadata leader gave this node while its own metadata replica did
 * not have them yet (a queue declared a moment ago elsewhere, a replica that is behind).
 *
 * <p>Without them every publish, get and ack of such a queue asks the metadata leader
 * again, so the data path of a queue depends on the metadata group's majority as long as
 * the local replica lags: with the metadata leader and one other node paused, a leader that
 * could still confirm {@code local} publishes would wait on a paused node instead.
 *
 * <p>An answer is used only while the local replica has applied less than the leader had
 * when it answered; from then on the local replica knows at least as much, and it decides
 * (a queue it does not have was deleted meanwhile). Answers without a definition are not
 * kept. Bounded: the least recently used answer goes first. Thread-safe.
 */
final class LeaderAnsweredQueues {
  static final int MAX_ENTRIES = 10_000;

  private record Answer(QueueDef queue, long appliedIndex) {}

  private final Map<String, Answer> answers = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Answer> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  /** Keeps the leader's answer if it found the queue. */
  synchronized void remember(String queue, QueueLookup answer) {
    if (answer.getFound()) {
      answers.put(queue, new Answer(answer.getQueue(), answer.getAppliedIndex()));
    }
  }

  /**
   * The leader's answer for the queue while it is newer than the local replica, else null
   * (and the answer is dropped).
   *
   * @param localApplied the index the local metadata replica has applied, read after it
   *     was found not to have the queue
   */
  synchronized QueueDef newerThanLocal(String queue, long localApplied) {
    Answer a = answers.get(queue);
    if (a == null) {
      return null;
    }
    if (localApplied >= a.appliedIndex()) {
      answers.remove(queue);
      return null;
    }
    return a.queue();
  }

  synchronized int size() {
    return answers.size();
  }
}
