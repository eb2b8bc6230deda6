package io.qraft.ops.server;

import io.qraft.api.v1.GroupStatus;
import io.qraft.api.v1.NodeStatusResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who leads each group, as the nodes report it: a node only knows the groups it holds a
 * replica of, so on a cluster larger than a replica set no single node can answer alone.
 * A node that says it is the leader is believed first; else the leader most replicas name.
 */
final class LeaderView {
  private LeaderView() {}

  static Map<String, String> of(List<NodeStatusResponse> nodes) {
    Map<String, String> self = new HashMap<>();
    Map<String, Map<String, Integer>> named = new HashMap<>();
    for (NodeStatusResponse n : nodes) {
      if (!n.getRunning()) {
        continue;
      }
      for (GroupStatus g : n.getLocalGroupsList()) {
        if ("leader".equals(g.getRole())) {
          self.put(g.getGroup(), n.getNode());
        }
        if (!g.getLeader().isEmpty()) {
          named.computeIfAbsent(g.getGroup(), k -> new HashMap<>()).merge(g.getLeader(), 1, Integer::sum);
        }
      }
    }
    Map<String, String> out = new HashMap<>();
    named.forEach((group, votes) -> out.put(group, votes.entrySet().stream()
        .max(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
        .orElseThrow().getKey()));
    out.putAll(self);
    return out;
  }
}
