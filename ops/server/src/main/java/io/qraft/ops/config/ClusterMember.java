package io.qraft.ops.config;

import io.qraft.api.HostPort;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One node of the cluster as the other nodes and the clients reach it: its id, and the addresses
 * of its gRPC and Raft endpoints. Written {@code id@host:grpcPort:raftPort} in
 * {@code cluster.nodes}.
 *
 * <p>Construction validates the id ({@value #ID_REGEX}), the host and both ports. Immutable.
 *
 * @param id       the node id, unique within the cluster
 * @param host     host name or address (IPv6 without brackets)
 * @param grpcPort the port of the node's gRPC endpoint
 * @param raftPort the port of the node's Raft endpoint
 */
public record ClusterMember(String id, String host, int grpcPort, int raftPort) {

    /** What a node id may look like. */
    public static final String ID_REGEX = "[A-Za-z0-9_-]{1,64}";

    static final Pattern ID = Pattern.compile(ID_REGEX);

    /** The most nodes a cluster may have: Raft quorums beyond seven only cost latency. */
    public static final int MAX_NODES = 7;

    public ClusterMember {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("the node id '" + id + "' does not match " + ID_REGEX);
        }
        // Validates host and ports with the same rules as any other address.
        new HostPort(host, grpcPort);
        new HostPort(host, raftPort);
        if (grpcPort == raftPort) {
            throw new IllegalArgumentException("node '" + id + "' uses port " + grpcPort + " for both gRPC and Raft");
        }
    }

    /** The address clients and other nodes use for gRPC. */
    public HostPort grpcAddress() {
        return new HostPort(host, grpcPort);
    }

    /** The address other nodes use for Raft. */
    public HostPort raftAddress() {
        return new HostPort(host, raftPort);
    }

    /**
     * Parses one {@code id@host:grpcPort:raftPort} entry (IPv6 hosts in brackets).
     *
     * @throws IllegalArgumentException saying what is wrong with the entry
     */
    public static ClusterMember parse(String entry) {
        String s = entry.trim();
        int at = s.indexOf('@');
        if (at < 0) {
            throw new IllegalArgumentException("the entry '" + s + "' has no '@' between id and host");
        }
        String id = s.substring(0, at);
        String address = s.substring(at + 1);
        int lastColon = address.lastIndexOf(':');
        if (lastColon < 0) {
            throw new IllegalArgumentException("the entry '" + s + "' has no ports");
        }
        HostPort hostAndGrpc;
        try {
            hostAndGrpc = HostPort.parse(address.substring(0, lastColon));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the entry '" + s + "' is not id@host:grpcPort:raftPort (" + e.getMessage() + ")");
        }
        int raftPort = HostPort.parsePort(address.substring(lastColon + 1), s);
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("the node id '" + id + "' in '" + s + "' does not match " + ID_REGEX);
        }
        return new ClusterMember(id, hostAndGrpc.host(), hostAndGrpc.port(), raftPort);
    }

    /**
     * Parses a comma-separated list of entries and checks that it describes a cluster: 1 to
     * {@value #MAX_NODES} nodes, unique ids, and no endpoint used twice.
     *
     * @throws IllegalArgumentException saying what is wrong with the list
     */
    public static List<ClusterMember> parseList(String text) {
        List<ClusterMember> members = new ArrayList<>();
        for (String entry : text.split(",", -1)) {
            if (entry.isBlank()) {
                throw new IllegalArgumentException("an entry is empty");
            }
            members.add(parse(entry));
        }
        if (members.size() > MAX_NODES) {
            throw new IllegalArgumentException(members.size() + " nodes, more than " + MAX_NODES);
        }
        Map<String, ClusterMember> byId = new HashMap<>();
        Map<String, ClusterMember> byEndpoint = new HashMap<>();
        for (ClusterMember m : members) {
            if (byId.putIfAbsent(m.id(), m) != null) {
                throw new IllegalArgumentException("the node id '" + m.id() + "' appears twice");
            }
            for (HostPort endpoint : List.of(m.grpcAddress(), m.raftAddress())) {
                ClusterMember other = byEndpoint.putIfAbsent(endpoint.toString(), m);
                if (other != null) {
                    throw new IllegalArgumentException(
                        "nodes '" + other.id() + "' and '" + m.id() + "' both use " + endpoint);
                }
            }
        }
        return List.copyOf(members);
    }

    /** The {@code id@host:grpcPort:raftPort} form that {@link #parse} reads back. */
    @Override
    public String toString() {
        return id + "@" + grpcAddress() + ":" + raftPort;
    }
}
