package io.qraft.storage;

/**
 * A failure of the storage engine underneath a {@link QueueStore}: an I/O
 * error, a full disk, a damaged file. Unchecked because the state machine
 * cannot recover from it locally; the replica must stop applying.
 */
public class StoreException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
