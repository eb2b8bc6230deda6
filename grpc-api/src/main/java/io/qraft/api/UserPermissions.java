package io.qraft.api;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.qraft.api.log.v1.PermissionDef;
import java.util.Objects;

/**
 * What a user may do to queues, as RabbitMQ grants it: three RE2 patterns, for configure
 * (declare, delete), write (publish) and read (consume, get, purge). A pattern is searched
 * anywhere in the queue's name, so {@code orders} also grants {@code my-orders-2}: anchor it
 * with ^ and $. The empty pattern grants nothing (not, as a regex would, everything).
 *
 * <p>RE2/J matches in time linear in the name whatever the pattern, so a user's pattern cannot
 * stall the node that checks it. Patterns are compiled once, here.
 *
 * <p>Immutable; thread-safe.
 */
public final class UserPermissions {
  /** What an operation needs, by RabbitMQ's table. */
  public enum Kind {
    CONFIGURE, WRITE, READ;

    /** The kind's name as an operator writes it: configure, write, read. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Grants nothing. */
  public static final UserPermissions NONE = new UserPermissions("", "", "");

  private final String configure;
  private final String write;
  private final String read;
  // Null for an empty pattern: it grants nothing.
  private final Pattern configurePattern;
  private final Pattern writePattern;
  private final Pattern readPattern;

  private UserPermissions(String configure, String write, String read) {
    this.configure = configure;
    this.write = write;
    this.read = read;
    this.configurePattern = compile(configure);
    this.writePattern = compile(write);
    this.readPattern = compile(read);
  }

  /** The permissions; IllegalArgumentException (with {@link #problem}'s sentence) when a pattern is refused. */
  public static UserPermissions of(String configure, String write, String read) {
    String problem = problem(configure, write, read);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return new UserPermissions(configure, write, read);
  }

  public static UserPermissions fromDef(PermissionDef def) {
    return of(def.getConfigure(), def.getWrite(), def.getRead());
  }

  public PermissionDef toDef(String user) {
    return PermissionDef.newBuilder().setUser(user).setConfigure(configure).setWrite(write).setRead(read).build();
  }

  /** Null when all three patterns may be stored, else why not (the first refused). */
  public static String problem(String configure, String write, String read) {
    String problem = patternProblem(Kind.CONFIGURE, configure);
    if (problem == null) {
      problem = patternProblem(Kind.WRITE, write);
    }
    return problem == null ? patternProblem(Kind.READ, read) : problem;
  }

  /** Null when the pattern may be stored for that kind: at most 1,024 bytes of UTF-8 that RE2/J compiles. */
  public static String patternProblem(Kind kind, String pattern) {
    if (pattern == null) {
      return kind.label() + " pattern is missing: give one (\"\" grants nothing)";
    }
    // Kept in memory as given and stored as UTF-8: a lone surrogate would make the two differ.
    if (HardLimits.hasLoneSurrogate(pattern)) {
      return kind.label() + " pattern is not valid UTF-8";
    }
    int bytes = HardLimits.utf8Bytes(pattern);
    if (bytes > HardLimits.PERMISSION_PATTERN_BYTES) {
      return kind.label() + " pattern is " + bytes + " bytes of UTF-8; the most is " + HardLimits.PERMISSION_PATTERN_BYTES;
    }
    try {
      compile(pattern);
      return null;
    } catch (PatternSyntaxException e) {
      return kind.label() + " pattern " + Quoted.of(pattern) + " is not a regular expression this cluster matches"
          + " (RE2 syntax: no backreferences or lookaround): " + e.getDescription();
    } catch (RuntimeException e) {
      // Replicas run this check on every committed entry before they apply it: it must answer, never throw.
      return kind.label() + " pattern " + Quoted.of(pattern) + " is not a regular expression this cluster matches";
    }
  }

  private static Pattern compile(String pattern) {
    return pattern.isEmpty() ? null : Pattern.compile(pattern);
  }

  /** True when the pattern of that kind is found anywhere in the queue's name. */
  public boolean allows(Kind kind, String queue) {
    Pattern p = switch (kind) {
      case CONFIGURE -> configurePattern;
      case WRITE -> writePattern;
      case READ -> readPattern;
    };
    return p != null && p.matcher(queue).find();
  }

  public String configure() {
    return configure;
  }

  public String write() {
    return write;
  }

  public String read() {
    return read;
  }

  /** The pattern of that kind, as given. */
  public String pattern(Kind kind) {
    return switch (kind) {
      case CONFIGURE -> configure;
      case WRITE -> write;
      case READ -> read;
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UserPermissions p && configure.equals(p.configure) && write.equals(p.write)
        && read.equals(p.read);
  }

  @Override
  public int hashCode() {
    return Objects.hash(configure, write, read);
  }

  @Override
  public String toString() {
    return "configure=" + Quoted.of(configure) + " write=" + Quoted.of(write) + " read=" + Quoted.of(read);
  }
}
