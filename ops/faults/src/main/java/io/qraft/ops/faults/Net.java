package io.qraft.ops.faults;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Network faults between the node namespaces, with nft (table inet qf in each node namespace).
 * Only the suite's own namespaces (qn1..qn3) and addresses (10.213.0.0/24) are ever touched.
 */
final class Net {

  static final String CLIENT = "client";
  static final String CLIENT_IP = "10.213.0.10";

  /** A directed cut: packets from {@code from} to {@code to} are dropped. */
  record Cut(String from, String to) {}

  private final List<SuiteNode> nodes;
  private final Set<Cut> cuts = new LinkedHashSet<>();

  Net(List<SuiteNode> nodes) {
    this.nodes = nodes;
  }

  static String ip(List<SuiteNode> nodes, String id) {
    if (CLIENT.equals(id)) {
      return CLIENT_IP;
    }
    return nodes.stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow().ip();
  }

  synchronized void cutOneWay(String from, String to) {
    cuts.add(new Cut(from, to));
  }

  synchronized void cutBoth(String a, String b) {
    cuts.add(new Cut(a, b));
    cuts.add(new Cut(b, a));
  }

  synchronized Set<Cut> cuts() {
    return Set.copyOf(cuts);
  }

  /** Installs the current cuts in every node namespace (replacing what was there). */
  synchronized void apply() {
    for (SuiteNode n : nodes) {
      List<String> in = new ArrayList<>();
      List<String> out = new ArrayList<>();
      for (Cut c : cuts) {
        if (c.from().equals(n.id())) {
          out.add("ip daddr " + ip(nodes, c.to()) + " drop");
        }
        if (c.to().equals(n.id())) {
          in.add("ip saddr " + ip(nodes, c.from()) + " drop");
        }
      }
      StringBuilder script = new StringBuilder()
          .append("add table inet qf\n")
          .append("delete table inet qf\n");
      if (!in.isEmpty() || !out.isEmpty()) {
        script.append("table inet qf {\n")
            .append("  chain input { type filter hook input priority 0; policy accept;\n");
        in.forEach(r -> script.append("    ").append(r).append('\n'));
        script.append("  }\n")
            .append("  chain output { type filter hook output priority 0; policy accept;\n");
        out.forEach(r -> script.append("    ").append(r).append('\n'));
        script.append("  }\n}\n");
      }
      Cmd.check(List.of("ip", "netns", "exec", n.netns(), "nft", "-f", "-"), script.toString());
    }
  }

  /** Removes every cut. */
  synchronized void heal() {
    cuts.clear();
    apply();
  }
}
