# Sourced by bin/qraft-server and bin/qraftctl before they start Java.
# A value already set in the environment wins over the defaults below.

# Java to use; by default the one on the PATH.
# JAVA_HOME=/path/to/jdk-17

# JVM options of a node:
#   -Xms256m -Xmx512m              heap: queue data lives in files and the page cache; the heap holds
#                                  each group's newest log entries (up to 16 MB) and ~20 s of replies
#   -XX:MaxDirectMemorySize=512m   bounds the off-heap buffers of gRPC/Netty and Ratis
#   -XX:+UseSerialGC               one collector thread; enough for a heap this size
#   -XX:ActiveProcessorCount=2     sizes thread pools as for two cores, so several nodes share a machine well
#   -Djava.util.concurrent.ForkJoinPool.common.parallelism=4
#                                  Ratis runs replication steps on the common pool; with two cores its
#                                  default of one thread makes Java start a new thread for nearly every task
# Raise the sizes together for a node with large messages or many queues.
# A node compiles its hot code for its first minutes under load (C2); adding
#   -XX:TieredStopAtLevel=1        compiles with C1 only: full speed within seconds of a start, but
#                                  about two thirds of the warmed speed (bench/RESULTS.md, section 18)
QRAFT_JVM_OPTS="${QRAFT_JVM_OPTS:--Xms256m -Xmx512m -XX:MaxDirectMemorySize=512m -XX:+UseSerialGC -XX:ActiveProcessorCount=2 -Djava.util.concurrent.ForkJoinPool.common.parallelism=4}"

# JVM options of qraftctl (small heap, fast start).
QRAFT_CTL_JVM_OPTS="${QRAFT_CTL_JVM_OPTS:--Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC}"
