package io.qraft.ops.ctl;

import picocli.CommandLine.Command;

/** {@code cancel_sync_queue QUEUE}: stops a copy that sync_queue started. */
@Command(name = "cancel_sync_queue", mixinStandardHelpOptions = true,
    description = "Stops copying the old messages of QUEUE (what was copied stays copied). A queue whose policy "
        + "says ha-sync-mode automatic keeps copying.")
final class CancelSyncQueueCommand extends SyncQueueCommand {
    @Override
    boolean cancel() {
        return true;
    }
}
