package io.qraft.api;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The definition of a policy: which keys it sets, to what. Keys and values are
 * those RabbitMQ operators know (see the policy table of the product
 * description), validated here for every caller: qraftctl before it sends,
 * the node before it submits, the metadata machine when it applies.
 *
 * <p>Values arrive typed as JSON gives them (strings, numbers, lists): a key
 * that takes a number accepts a JSON number or a string holding a whole
 * number; {@code ha-params} with {@code ha-mode nodes} takes a list of node
 * ids; {@code dead-letter-queue} a queue name (a string, kept as given, spaces
 * and all); {@code single-active-consumer} a JSON boolean or the string
 * {@code true} or {@code false}. The limits take the ranges and values of the
 * declare arguments ({@link QueueArguments}). The normalised form
 * ({@link #values()}) is text: numbers in decimal, node lists comma-separated
 * (node ids contain no commas).
 *
 * <p>Immutable; thread-safe.
 */
public final class PolicyDefinition {
  public static final String HA_MODE = "ha-mode";
  public static final String HA_PARAMS = "ha-params";
  public static final String HA_SYNC_MODE = "ha-sync-mode";
  public static final String HA_SYNC_BATCH_SIZE = "ha-sync-batch-size";
  public static final String HA_PROMOTE_ON_SHUTDOWN = "ha-promote-on-shutdown";
  public static final String QUEUE_LEADER_LOCATOR = "queue-leader-locator";

  public static final String MODE_ALL = "all";
  public static final String MODE_EXACTLY = "exactly";
  public static final String MODE_NODES = "nodes";
  public static final String SYNC_AUTOMATIC = "automatic";
  public static final String SYNC_MANUAL = "manual";
  public static final String PROMOTE_WHEN_SYNCED = "when-synced";
  public static final String PROMOTE_ALWAYS = "always";
  public static final String LOCATOR_CLIENT_LOCAL = "client-local";
  public static final String LOCATOR_BALANCED = "balanced";

  /** Keys with a fixed set of values: the HA keys and every such declare argument. */
  private static final Map<String, Set<String>> CHOICES = choices();

  /** Keys that take a whole number: key to {min, max}; the declare arguments' ranges are theirs. */
  private static final Map<String, long[]> NUMBERS = numbers();

  /** Keys whose value is a queue name (a JSON string). */
  private static final Set<String> QUEUE_NAMES = QueueArguments.queueNamedKeys();

  /** Every key a definition may set, sorted. */
  public static final SortedSet<String> KEYS;

  static {
    TreeSet<String> keys = new TreeSet<>(CHOICES.keySet());
    keys.addAll(NUMBERS.keySet());
    keys.addAll(QUEUE_NAMES);
    keys.add(HA_PARAMS);
    KEYS = Collections.unmodifiableSortedSet(keys);
  }

  private final SortedMap<String, String> values;

  private static Map<String, Set<String>> choices() {
    Map<String, Set<String>> choices = new TreeMap<>(Map.of(
        HA_MODE, Set.of(MODE_ALL, MODE_EXACTLY, MODE_NODES),
        HA_SYNC_MODE, Set.of(SYNC_AUTOMATIC, SYNC_MANUAL),
        HA_PROMOTE_ON_SHUTDOWN, Set.of(PROMOTE_WHEN_SYNCED, PROMOTE_ALWAYS),
        QUEUE_LEADER_LOCATOR, Set.of(LOCATOR_CLIENT_LOCAL, LOCATOR_BALANCED)));
    for (String key : QueueArguments.keysWithAllowedValues()) {
      choices.put(key, QueueArguments.allowedValues(key));
    }
    return Collections.unmodifiableMap(choices);
  }

  private static Map<String, long[]> numbers() {
    Map<String, long[]> numbers = new TreeMap<>();
    numbers.put(HA_SYNC_BATCH_SIZE, new long[] {1, Integer.MAX_VALUE});
    for (String key : QueueArguments.numericKeys()) {
      numbers.put(key, QueueArguments.numericRange(key));
    }
    return Collections.unmodifiableMap(numbers);
  }

  private PolicyDefinition(SortedMap<String, String> values) {
    this.values = Collections.unmodifiableSortedMap(values);
  }

  /**
   * Validates a definition as decoded from JSON: values are Strings, Numbers or Lists.
   *
   * @throws IllegalArgumentException with a sentence naming the key and what it takes
   */
  public static PolicyDefinition parse(Map<String, ?> given) {
    if (given.isEmpty()) {
      throw new IllegalArgumentException("the policy definition is empty: give at least one key; known keys: " + KEYS);
    }
    SortedMap<String, String> out = new TreeMap<>();
    for (Map.Entry<String, ?> e : given.entrySet()) {
      String key = e.getKey();
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException("unknown policy key " + Quoted.of(key) + "; known keys: " + KEYS);
      }
      if (key.equals(HA_PARAMS)) {
        continue;
      }
      out.put(key, value(key, e.getValue()));
    }
    haParams(out, given.get(HA_PARAMS), given.containsKey(HA_PARAMS));
    return new PolicyDefinition(out);
  }

  /**
   * Re-validates a normalised definition ({@link #values()}), as stored in the metadata.
   *
   * @throws IllegalArgumentException as {@link #parse}
   */
  public static PolicyDefinition fromValues(Map<String, String> stored) {
    Map<String, Object> typed = new LinkedHashMap<>(stored);
    String params = stored.get(HA_PARAMS);
    if (params != null && MODE_NODES.equals(stored.get(HA_MODE))) {
      typed.put(HA_PARAMS, params.isEmpty() ? List.of() : Arrays.asList(params.split(",", -1)));
    }
    return parse(typed);
  }

  /** Sets ha-params in out, after ha-mode; ha-mode and ha-params go together (except all). */
  private static void haParams(SortedMap<String, String> out, Object params, boolean given) {
    String mode = out.get(HA_MODE);
    if (mode == null) {
      if (given) {
        throw new IllegalArgumentException("ha-params needs ha-mode: add \"ha-mode\": \"exactly\" (with a count) "
            + "or \"nodes\" (with a list of node ids)");
      }
      return;
    }
    switch (mode) {
      case MODE_ALL -> {
        if (given) {
          throw new IllegalArgumentException("ha-mode all places a replica on every node and takes no ha-params: "
              + "remove ha-params, or use ha-mode exactly with a count");
        }
      }
      case MODE_EXACTLY -> {
        if (!given) {
          throw new IllegalArgumentException("ha-mode exactly needs ha-params: a positive count of replicas, e.g. "
              + "\"ha-params\": 2");
        }
        if (!(params instanceof String) && !(params instanceof Number)) {
          throw new IllegalArgumentException("ha-params with ha-mode exactly must be a positive count of replicas, "
              + "e.g. 2, not " + describe(params));
        }
        out.put(HA_PARAMS, Long.toString(number(HA_PARAMS, params, new long[] {1, Integer.MAX_VALUE})));
      }
      default -> out.put(HA_PARAMS, String.join(",", nodes(params, given)));
    }
  }

  private static List<String> nodes(Object params, boolean given) {
    if (!given) {
      throw new IllegalArgumentException("ha-mode nodes needs ha-params: a list of node ids, e.g. "
          + "\"ha-params\": [\"n1\", \"n2\"]");
    }
    if (!(params instanceof List<?> list) || list.isEmpty()) {
      throw new IllegalArgumentException("ha-params with ha-mode nodes must be a non-empty list of node ids, e.g. "
          + "[\"n1\", \"n2\"], not " + describe(params));
    }
    List<String> ids = new ArrayList<>();
    for (Object o : list) {
      if (!(o instanceof String id) || id.isBlank() || id.contains(",") || !id.strip().equals(id)) {
        throw new IllegalArgumentException("ha-params lists node ids: each must be a string such as \"n1\", not "
            + describe(o));
      }
      if (!ids.contains(id)) {
        ids.add(id);
      }
    }
    return ids;
  }

  /** The normalised text of one key's value (any key but ha-params). */
  private static String value(String key, Object value) {
    if (QUEUE_NAMES.contains(key)) {
      return queueName(key, value);
    }
    Set<String> choices = CHOICES.get(key);
    if (choices == null) {
      return Long.toString(number(key, value, NUMBERS.get(key)));
    }
    // JSON has booleans: "single-active-consumer": true reads as what it says.
    return choice(key, value instanceof Boolean b && choices.contains(b.toString()) ? b.toString() : value, choices);
  }

  private static String queueName(String key, Object value) {
    if (!(value instanceof String name)) {
      throw new IllegalArgumentException("policy key '" + key + "' takes a queue name as a string, not "
          + describe(value));
    }
    // Not trimmed: spaces are part of a queue name.
    String problem = QueueNames.problem(name);
    if (problem != null) {
      throw new IllegalArgumentException("policy key '" + key + "' takes a queue name, and " + describe(value)
          + " cannot be one: " + problem);
    }
    return name;
  }

  private static String choice(String key, Object value, Set<String> choices) {
    if (!(value instanceof String s) || !choices.contains(s.trim())) {
      throw new IllegalArgumentException("policy key '" + key + "' takes one of " + new TreeSet<>(choices) + ", not "
          + describe(value));
    }
    return s.trim();
  }

  private static long number(String key, Object value, long[] range) {
    BigDecimal n = null;
    if (value instanceof String s) {
      try {
        n = new BigDecimal(s.trim());
      } catch (NumberFormatException e) {
        // reported below
      }
    } else if (value instanceof Number number) {
      n = number instanceof BigDecimal d ? d
          : number instanceof BigInteger i ? new BigDecimal(i)
          : number instanceof Double || number instanceof Float ? BigDecimal.valueOf(number.doubleValue())
          : BigDecimal.valueOf(number.longValue());
    }
    BigInteger whole = null;
    if (n != null) {
      try {
        whole = n.toBigIntegerExact();
      } catch (ArithmeticException e) {
        // not whole: reported below
      }
    }
    if (whole == null) {
      throw new IllegalArgumentException("policy key '" + key + "' takes a whole number between " + range[0] + " and "
          + range[1] + ", not " + describe(value));
    }
    if (whole.compareTo(BigInteger.valueOf(range[0])) < 0 || whole.compareTo(BigInteger.valueOf(range[1])) > 0) {
      throw new IllegalArgumentException("policy key '" + key + "' must be between " + range[0] + " and " + range[1]
          + ", not " + whole);
    }
    return whole.longValue();
  }

  private static String describe(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String s) {
      return Quoted.json(s);
    }
    if (value instanceof List<?> list) {
      String text = list.toString();
      return "a list " + (text.length() <= Quoted.MAX_CHARS ? text : Quoted.of(text));
    }
    if (value instanceof Map<?, ?>) {
      return "an object";
    }
    if (value instanceof Boolean b) {
      return b.toString();
    }
    return value.toString();
  }

  /** The normalised keys and values, sorted by key. */
  public SortedMap<String, String> values() {
    return values;
  }

  /**
   * The values typed as JSON would show them: whole numbers as Long, the node list of
   * {@code ha-mode nodes} as a List of Strings, {@code single-active-consumer} as a Boolean, the
   * rest as Strings. Sorted by key.
   */
  public Map<String, Object> typed() {
    Map<String, Object> out = new TreeMap<>();
    for (Map.Entry<String, String> e : values.entrySet()) {
      boolean numeric = NUMBERS.containsKey(e.getKey())
          || (e.getKey().equals(HA_PARAMS) && MODE_EXACTLY.equals(values.get(HA_MODE)));
      out.put(e.getKey(), numeric ? (Object) Long.parseLong(e.getValue())
          : e.getKey().equals(HA_PARAMS) ? haNodes()
          : e.getKey().equals(QueueArguments.SINGLE_ACTIVE_CONSUMER) ? (Object) Boolean.valueOf(e.getValue())
          : e.getValue());
    }
    return out;
  }

  /** The node ids of {@code ha-mode nodes}, in the order given; empty for other modes. */
  public List<String> haNodes() {
    if (!MODE_NODES.equals(values.get(HA_MODE))) {
      return List.of();
    }
    return List.of(values.get(HA_PARAMS).split(","));
  }

  /**
   * Refuses {@code ha-mode nodes} naming none of the cluster's nodes: such a policy could
   * place no replica. Names of unknown nodes beside known ones are kept (as RabbitMQ does),
   * so a policy can name a node before it joins.
   *
   * @throws IllegalArgumentException naming the cluster's nodes
   */
  public void requireKnownNodes(Collection<String> members) {
    List<String> named = haNodes();
    if (!named.isEmpty() && named.stream().noneMatch(members::contains)) {
      throw new IllegalArgumentException("ha-params " + named + " names no node of this cluster; its nodes are "
          + new TreeSet<>(members));
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PolicyDefinition other && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
