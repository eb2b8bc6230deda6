package io.qraft.log;

/** A cluster member: its id and the addresses clients (gRPC) and peers (Raft) reach it at. */
public record NodeAddress(String id, String host, int grpcPort, int raftPort) {
  public String grpcAddress() {
    return host + ":" + grpcPort;
  }

  public String raftAddress() {
    return host + ":" + raftPort;
  }
}
