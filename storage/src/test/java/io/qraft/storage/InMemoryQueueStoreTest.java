package io.qraft.storage;

import java.nio.file.Path;

class InMemoryQueueStoreTest extends QueueStoreContract {

  @Override
  QueueStore create(Path dir) {
    return new InMemoryQueueStore();
  }
}
