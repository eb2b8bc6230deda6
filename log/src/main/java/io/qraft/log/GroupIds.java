package io.qraft.log;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;

/** Names of groups and peers. */
public final class GroupIds {
  /** The metadata group: the same id on every node of every cluster. */
  public static final RaftGroupId METADATA = RaftGroupId.valueOf(
      UUID.nameUUIDFromBytes("qraft-metadata".getBytes(StandardCharsets.UTF_8)));

  private GroupIds() {}

  public static RaftGroupId parse(String group) {
    return RaftGroupId.valueOf(UUID.fromString(group));
  }

  public static String text(RaftGroupId id) {
    return id.getUuid().toString();
  }

  public static RaftPeerId peer(String nodeId) {
    return RaftPeerId.valueOf(nodeId);
  }

  /** The group as a sentence names it: "the metadata group" or "shard <id>". */
  public static String describe(RaftGroupId id) {
    return id.equals(METADATA) ? "the metadata group" : "shard " + text(id);
  }
}
