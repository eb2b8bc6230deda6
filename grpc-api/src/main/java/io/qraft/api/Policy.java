package io.qraft.api;

import io.qraft.api.log.v1.PolicyDef;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * One operator policy: a name, a regular expression on queue names, what
 * it applies to, a priority and a {@link PolicyDefinition}. Constructed only
 * valid; {@link #toDef()} is the form the metadata stores.
 *
 * <p>The pattern is found anywhere in a queue name, as in RabbitMQ: anchor it
 * ({@code ^orders\.}) to match from the start.
 *
 * <p>Patterns are RE2 syntax, matched by RE2/J in time linear in the queue
 * name whatever the pattern: the metadata leader matches every policy against
 * every declared queue, so a pattern that backtracks ({@code ^(a+)+$} under
 * Java's engine) could otherwise stall the catalog. RE2 has what policies use
 * (classes, alternation, anchors, repetition); it has no backreferences and no
 * lookaround, and a pattern using them is refused with the reason.
 *
 * <p>Immutable; thread-safe.
 */
public final class Policy {
  /** The only kind of object a policy applies to for now. */
  public static final String APPLY_TO_QUEUES = "queues";
  private static final int MAX_NAME_BYTES = HardLimits.POLICY_NAME_BYTES;
  private static final int MAX_PATTERN_BYTES = HardLimits.POLICY_PATTERN_BYTES;

  private final String name;
  private final Pattern pattern;
  private final String applyTo;
  private final int priority;
  private final PolicyDefinition definition;

  /** @throws IllegalArgumentException with a sentence saying what to change */
  public Policy(String name, String pattern, String applyTo, int priority, PolicyDefinition definition) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a policy needs a name");
    }
    if (HardLimits.utf8Bytes(name) > MAX_NAME_BYTES || HardLimits.hasLoneSurrogate(name)) {
      throw new IllegalArgumentException("policy name must be 1 to " + MAX_NAME_BYTES + " bytes of UTF-8");
    }
    if (!APPLY_TO_QUEUES.equals(applyTo)) {
      throw new IllegalArgumentException("a policy can apply to queues only, not " + Quoted.of(applyTo)
          + ": use --apply-to queues");
    }
    if (pattern == null || HardLimits.utf8Bytes(pattern) > MAX_PATTERN_BYTES || HardLimits.hasLoneSurrogate(pattern)) {
      throw new IllegalArgumentException("policy pattern must be at most " + MAX_PATTERN_BYTES + " bytes of UTF-8");
    }
    try {
      this.pattern = Pattern.compile(pattern);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("pattern " + Quoted.of(pattern) + " is not a regular expression this"
          + " cluster matches (RE2 syntax: no backreferences or lookaround): " + e.getDescription());
    }
    this.name = name;
    this.applyTo = applyTo;
    this.priority = priority;
    this.definition = java.util.Objects.requireNonNull(definition);
  }

  /**
   * A policy from its stored form, re-validated.
   *
   * @throws IllegalArgumentException as the constructor and {@link PolicyDefinition#fromValues}
   */
  public static Policy fromDef(PolicyDef def) {
    return new Policy(def.getName(), def.getPattern(), def.getApplyTo(), def.getPriority(),
        PolicyDefinition.fromValues(def.getDefinitionMap()));
  }

  /**
   * A stored policy as a node reads it back, or empty when it no longer validates: a policy kept
   * by an earlier version whose pattern used Java syntax RE2 does not have (lookaround,
   * backreferences). Such a policy applies to no queue until it is set again or cleared; readers
   * skip it instead of failing for every queue.
   */
  public static java.util.Optional<Policy> stored(PolicyDef def) {
    try {
      return java.util.Optional.of(fromDef(def));
    } catch (IllegalArgumentException e) {
      return java.util.Optional.empty();
    }
  }

  public PolicyDef toDef() {
    return PolicyDef.newBuilder().setName(name).setPattern(pattern.pattern()).setApplyTo(applyTo)
        .setPriority(priority).putAllDefinition(definition.values()).build();
  }

  /** True when the pattern is found in the queue's name. */
  public boolean matches(String queue) {
    return pattern.matcher(queue).find();
  }

  public String name() {
    return name;
  }

  public String pattern() {
    return pattern.pattern();
  }

  public String applyTo() {
    return applyTo;
  }

  public int priority() {
    return priority;
  }

  public PolicyDefinition definition() {
    return definition;
  }

  @Override
  public String toString() {
    return "policy " + name + " (" + pattern.pattern() + ", priority " + priority + "): " + definition;
  }
}
