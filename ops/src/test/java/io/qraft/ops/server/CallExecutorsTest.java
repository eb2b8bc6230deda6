package io.qraft.ops.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.QueueServiceGrpc;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CallExecutorsTest {
  private static <Q, R> ServerCall<Q, R> callOf(MethodDescriptor<Q, R> method) {
    return new ServerCall<>() {
      @Override
      public void request(int numMessages) {}

      @Override
      public void sendHeaders(Metadata headers) {}

      @Override
      public void sendMessage(R message) {}

      @Override
      public void close(Status status, Metadata trailers) {}

      @Override
      public boolean isCancelled() {
        return false;
      }

      @Override
      public Attributes getAttributes() {
        return Attributes.EMPTY;
      }

      @Override
      public MethodDescriptor<Q, R> getMethodDescriptor() {
        return method;
      }
    };
  }

  @Test
  void publishesAndSettlementsRunOnTheCallingThread() {
    CallExecutors executors = new CallExecutors();
    for (MethodDescriptor<?, ?> m : List.of(QueueServiceGrpc.getPublishMethod(),
        QueueServiceGrpc.getPublishStreamMethod(), QueueServiceGrpc.getAckMethod(), QueueServiceGrpc.getNackMethod())) {
      Executor e = executors.getExecutor(callOf(m), new Metadata());
      assertThat(e).as(m.getFullMethodName()).isNotNull();
      AtomicReference<Thread> ranOn = new AtomicReference<>();
      e.execute(() -> ranOn.set(Thread.currentThread()));
      assertThat(ranOn.get()).as(m.getFullMethodName()).isSameAs(Thread.currentThread());
    }
  }

  @Test
  void callsThatMayWaitKeepTheServersPool() {
    CallExecutors executors = new CallExecutors();
    for (MethodDescriptor<?, ?> m : List.of(QueueServiceGrpc.getDeclareQueueMethod(),
        QueueServiceGrpc.getConsumeMethod(), QueueServiceGrpc.getGetMethod(), AdminServiceGrpc.getSyncQueueMethod(),
        AdminServiceGrpc.getClusterStatusMethod())) {
      assertThat(executors.getExecutor(callOf(m), new Metadata())).as(m.getFullMethodName()).isNull();
    }
  }
}
