package io.qraft.ops.ctl;

import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.AdminServiceGrpc.AdminServiceBlockingStub;
import io.qraft.api.v1.QueueServiceGrpc;
import io.qraft.api.v1.QueueServiceGrpc.QueueServiceBlockingStub;
import io.qraft.api.HostPort;
import io.qraft.client.LeaderHint;
import io.qraft.client.RedirectRoute;
import io.qraft.client.TlsCredentials;
import java.net.SocketException;
import java.nio.file.Path;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Calls a qraft cluster through whichever of the given nodes answers.
 *
 * <p>A call goes first to the node that answered the previous call, then to the others in the
 * order given, in one pass. When a node answers UNAVAILABLE with the trailing metadata
 * {@value #LEADER_HEADER} (it is not the leader and names the one that is), the call follows that
 * redirect, once per call so that two confused nodes cannot bounce it forever; any other
 * UNAVAILABLE moves on to the next node. Where the next attempt goes is {@link RedirectRoute}'s
 * decision, the same the SDK follows; here the attempts are made at once, one after another.
 * Every other status, including DEADLINE_EXCEEDED, ends the call: the server may have acted on
 * it, and only UNAVAILABLE says it did not. When no node answers, the error lists what each said.
 *
 * <p>Each call has its own deadline. Channels are opened on first use and closed by
 * {@link #close()}. Not thread-safe: one command uses it from one thread.
 */
public final class ClusterClient implements AutoCloseable {

    /** The trailing metadata key of a redirect: the leader's client address, host:port. */
    public static final String LEADER_HEADER = LeaderHint.NAME;

    // One pass over the nodes: each is tried once, plus the one redirect a call follows.
    private static final int MAX_REDIRECTS = 1;

    // A listing of many queues or a get of many large messages exceeds gRPC's 4 MiB default.
    private static final int MAX_INBOUND_BYTES = 256 * 1024 * 1024;

    private final List<HostPort> nodes;
    private final Duration timeout;
    private final Function<HostPort, ManagedChannel> channelFactory;
    private final CallCredentials credentials;
    private final Map<HostPort, ManagedChannel> channels = new LinkedHashMap<>();
    private HostPort lastAnswered;

    /**
     * @param nodes          nodes to try, in order; not empty
     * @param timeout        deadline of each call
     * @param channelFactory opens a channel to a node; {@link #plaintextChannel} outside tests
     */
    public ClusterClient(List<HostPort> nodes, Duration timeout, Function<HostPort, ManagedChannel> channelFactory) {
        this(nodes, timeout, channelFactory, null);
    }

    /**
     * @param credentials sent with every call ({@link io.qraft.client.BasicCredentials}); null for none
     */
    public ClusterClient(List<HostPort> nodes, Duration timeout, Function<HostPort, ManagedChannel> channelFactory,
            CallCredentials credentials) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("no node to call");
        }
        this.nodes = List.copyOf(nodes);
        this.timeout = timeout;
        this.channelFactory = channelFactory;
        this.credentials = credentials;
    }

    /** A plaintext gRPC channel to a node. */
    public static ManagedChannel plaintextChannel(HostPort node) {
        return Grpc.newChannelBuilderForAddress(node.host(), node.port(), InsecureChannelCredentials.create())
            .maxInboundMessageSize(MAX_INBOUND_BYTES)
            .build();
    }

    /**
     * A TLS gRPC channel to a node, trusting the CA certificates in {@code caFile} (PEM).
     *
     * @throws IllegalArgumentException when the file cannot be read
     */
    public static ManagedChannel tlsChannel(HostPort node, Path caFile) {
        return Grpc.newChannelBuilderForAddress(node.host(), node.port(), TlsCredentials.trusting(caFile))
            .maxInboundMessageSize(MAX_INBOUND_BYTES)
            .build();
    }

    /** Plaintext channels when {@code caFile} is null, else TLS channels trusting it. */
    public static Function<HostPort, ManagedChannel> channelFactory(Path caFile) {
        return channelFactory(caFile, null, null);
    }

    /**
     * Plaintext channels when {@code caFile} is null, else TLS channels trusting it and presenting
     * the client certificate {@code certFile} (key {@code keyFile}) when those are not null. The
     * files are read now, so that a bad one is reported before any call.
     *
     * @throws IllegalArgumentException naming a file that cannot be used
     */
    public static Function<HostPort, ManagedChannel> channelFactory(Path caFile, Path certFile, Path keyFile) {
        if (caFile == null) {
            return ClusterClient::plaintextChannel;
        }
        ChannelCredentials tls = TlsCredentials.of(caFile, certFile, keyFile);
        return node -> Grpc.newChannelBuilderForAddress(node.host(), node.port(), tls)
            .maxInboundMessageSize(MAX_INBOUND_BYTES)
            .build();
    }

    /** Runs one AdminService call. */
    public <R> R admin(Function<AdminServiceBlockingStub, R> rpc) {
        return call(channel -> rpc.apply(AdminServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .withCallCredentials(credentials)));
    }

    /** Runs one QueueService call. */
    public <R> R queue(Function<QueueServiceBlockingStub, R> rpc) {
        return call(channel -> rpc.apply(QueueServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .withCallCredentials(credentials)));
    }

    private <R> R call(Function<ManagedChannel, R> rpc) {
        RedirectRoute<HostPort> route = new RedirectRoute<>(callOrder(), MAX_REDIRECTS);
        List<String> failures = new ArrayList<>();
        do {
            HostPort node = route.address();
            StatusRuntimeException failure;
            try {
                return callOn(node, rpc);
            } catch (Unavailable e) {
                failure = e.status;
            }
            failures.add(route.failed(leaderOf(failure)).followsLeader()
                ? node + " redirected to " + route.address()
                : node + ": " + reason(failure));
        } while (!route.triedEveryAddress());
        throw Status.UNAVAILABLE
            .withDescription((failures.size() == 1 ? "" : "no node answered: ") + String.join("; ", failures))
            .asRuntimeException();
    }

    /**
     * The result; {@link Unavailable} when the node answered UNAVAILABLE; any other status is the
     * cluster's answer and propagates as a {@link StatusRuntimeException}.
     */
    private <R> R callOn(HostPort node, Function<ManagedChannel, R> rpc) throws Unavailable {
        try {
            R result = rpc.apply(channel(node));
            lastAnswered = node;
            return result;
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            if (code == Status.Code.UNAVAILABLE) {
                throw new Unavailable(e);
            }
            if (code == Status.Code.DEADLINE_EXCEEDED) {
                // gRPC's own text lists transport internals; say what happened instead.
                throw Status.DEADLINE_EXCEEDED
                    .withDescription(node + " did not answer within " + timeout.toSeconds() + " s")
                    .asRuntimeException();
            }
            throw e;
        }
    }

    private List<HostPort> callOrder() {
        List<HostPort> order = new ArrayList<>();
        if (lastAnswered != null) {
            order.add(lastAnswered);
        }
        for (HostPort node : nodes) {
            if (!order.contains(node)) {
                order.add(node);
            }
        }
        return order;
    }

    private ManagedChannel channel(HostPort node) {
        return channels.computeIfAbsent(node, channelFactory);
    }

    private static HostPort leaderOf(StatusRuntimeException e) {
        String leader = LeaderHint.from(e);
        if (leader == null) {
            return null;
        }
        try {
            return HostPort.parse(leader);
        } catch (IllegalArgumentException malformed) {
            return null;
        }
    }

    /** The server's message, or for a failure on the way to the server, what went wrong there. */
    private static String reason(StatusRuntimeException e) {
        Throwable root = e.getCause();
        while (root != null && root.getCause() != null) {
            root = root.getCause();
        }
        if (root instanceof UnknownHostException) {
            return "unknown host";
        }
        if (root instanceof SocketException && root.getMessage() != null) {
            // Netty's native transport prefixes the OS error with the syscall: "finishConnect(..)
            // failed with error(-111): Connection refused"; the OS error is what a person needs.
            String message = root.getMessage();
            int syscallEnd = message.lastIndexOf("): ");
            return "cannot connect (" + (syscallEnd < 0 ? message : message.substring(syscallEnd + 3)) + ")";
        }
        if (root != null && root.getMessage() != null) {
            return root.getMessage();
        }
        String description = e.getStatus().getDescription();
        return description == null || description.isEmpty() ? "unavailable" : description;
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        for (ManagedChannel channel : channels.values()) {
            try {
                channel.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A node answered UNAVAILABLE: the call may go elsewhere. */
    private static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient StatusRuntimeException status;

        Unavailable(StatusRuntimeException status) {
            super(null, null, false, false);
            this.status = status;
        }
    }
}
