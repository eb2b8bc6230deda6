package io.qraft.ops.ctl;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.ClearPolicyRequest;
import io.qraft.api.v1.ClearPolicyResponse;
import io.qraft.api.v1.ClusterStatusRequest;
import io.qraft.api.v1.ClusterStatusResponse;
import io.qraft.api.v1.DeclareQueueRequest;
import io.qraft.api.v1.DeclareQueueResponse;
import io.qraft.api.v1.DeleteQueueRequest;
import io.qraft.api.v1.DeleteQueueResponse;
import io.qraft.api.v1.GetRequest;
import io.qraft.api.v1.GetResponse;
import io.qraft.api.v1.ListPoliciesRequest;
import io.qraft.api.v1.ListPoliciesResponse;
import io.qraft.api.v1.ListQueuesRequest;
import io.qraft.api.v1.ListQueuesResponse;
import io.qraft.api.v1.PublishRequest;
import io.qraft.api.v1.PublishResponse;
import io.qraft.api.v1.PurgeQueueRequest;
import io.qraft.api.v1.PurgeQueueResponse;
import io.qraft.api.v1.QueueServiceGrpc;
import io.qraft.api.v1.RebalanceRequest;
import io.qraft.api.v1.RebalanceResponse;
import io.qraft.api.v1.SetPolicyRequest;
import io.qraft.api.v1.SetPolicyResponse;
import io.qraft.api.HostPort;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A stand-in for a qraft node, served in-process under its address: each method answers with
 * what the test told it, and every request is recorded. Unanswered methods fail UNIMPLEMENTED.
 */
final class FakeNode implements AutoCloseable {

    private static final AtomicInteger NEXT = new AtomicInteger();

    final HostPort address;
    final List<Object> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Function<Object, Object>> answers = new ConcurrentHashMap<>();
    private final Server server;

    FakeNode() throws IOException {
        address = new HostPort("fake-" + NEXT.incrementAndGet(), 5691);
        server = InProcessServerBuilder.forName(address.toString()).directExecutor()
            .addService(new Admin()).addService(new Queues()).build().start();
    }

    /** Channels to fake nodes by address; an address without a fake node is unavailable. */
    static ManagedChannel channel(HostPort address) {
        return InProcessChannelBuilder.forName(address.toString()).directExecutor().build();
    }

    /** An unused address, where no node answers. */
    static HostPort nowhere() {
        return new HostPort("absent-" + NEXT.incrementAndGet(), 1);
    }

    @SuppressWarnings("unchecked")
    <Q, R> FakeNode answer(String method, Function<Q, R> answer) {
        answers.put(method, request -> answer.apply((Q) request));
        return this;
    }

    /** Makes a method answer UNAVAILABLE, naming the leader as a qraft node does. */
    FakeNode redirect(String method, HostPort leader) {
        Metadata trailers = new Metadata();
        trailers.put(io.qraft.client.LeaderHint.KEY, leader.toString());
        return answer(method, request -> {
            throw Status.UNAVAILABLE.withDescription("not the leader").asRuntimeException(trailers);
        });
    }

    long calls(String method) {
        return requests.stream().filter(r -> methodOf(r).equals(method)).count();
    }

    private static String methodOf(Object request) {
        String type = request.getClass().getSimpleName();
        return type.substring(0, type.length() - "Request".length());
    }

    @SuppressWarnings("unchecked")
    private <R> void respond(Object request, StreamObserver<R> observer) {
        requests.add(request);
        Function<Object, Object> answer = answers.get(methodOf(request));
        if (answer == null) {
            observer.onError(Status.UNIMPLEMENTED.asRuntimeException());
            return;
        }
        try {
            observer.onNext((R) answer.apply(request));
            observer.onCompleted();
        } catch (StatusRuntimeException e) {
            observer.onError(e);
        }
    }

    @Override
    public void close() {
        server.shutdownNow();
    }

    private final class Admin extends AdminServiceGrpc.AdminServiceImplBase {
        @Override
        public void clusterStatus(ClusterStatusRequest request, StreamObserver<ClusterStatusResponse> observer) {
            respond(request, observer);
        }

        @Override
        public void listQueues(ListQueuesRequest request, StreamObserver<ListQueuesResponse> observer) {
            respond(request, observer);
        }

        @Override
        public void setPolicy(SetPolicyRequest request, StreamObserver<SetPolicyResponse> observer) {
            respond(request, observer);
        }

        @Override
        public void clearPolicy(ClearPolicyRequest request, StreamObserver<ClearPolicyResponse> observer) {
            respond(request, observer);
        }

        @Override
        public void listPolicies(ListPoliciesRequest request, StreamObserver<ListPoliciesResponse> observer) {
            respond(request, observer);
        }

        @Override
        public void rebalance(RebalanceRequest request, StreamObserver<RebalanceResponse> observer) {
            respond(request, observer);
        }
    }

    private final class Queues extends QueueServiceGrpc.QueueServiceImplBase {
        @Override
        public void declareQueue(DeclareQueueRequest request, StreamObserver<DeclareQueueResponse> observer) {
            respond(request, observer);
        }

        @Override
        public void deleteQueue(DeleteQueueRequest request, StreamObserver<DeleteQueueResponse> observer) {
            respond(request, observer);
        }

        @Override
        public void purgeQueue(PurgeQueueRequest request, StreamObserver<PurgeQueueResponse> observer) {
            respond(request, observer);
        }

        @Override
        public void publish(PublishRequest request, StreamObserver<PublishResponse> observer) {
            respond(request, observer);
        }

        @Override
        public void get(GetRequest request, StreamObserver<GetResponse> observer) {
            respond(request, observer);
        }
    }
}
