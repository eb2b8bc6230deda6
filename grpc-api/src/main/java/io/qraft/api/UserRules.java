package io.qraft.api;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a user record may hold, shared by the node that builds a user command and the replicas
 * that re-check it on apply: names, encoded password hashes, tags. Each check answers null when
 * the value is fine, else a sentence a person can act on.
 *
 * <p>Stateless; thread-safe.
 */
public final class UserRules {
  /** May manage users, permissions and the cluster (RabbitMQ's meaning). */
  public static final String ADMINISTRATOR = "administrator";
  /** May read the cluster's state and statistics. */
  public static final String MONITORING = "monitoring";
  /** The tags a user may carry, sorted. */
  public static final Set<String> TAGS = java.util.Collections.unmodifiableSet(new TreeSet<>(Set.of(ADMINISTRATOR, MONITORING)));

  private UserRules() {}

  /** A user name: 1 to 255 bytes of UTF-8, no control character, no ':'. */
  public static String nameProblem(String name) {
    if (name == null || name.isEmpty()) {
      return "user name is empty: give a name of 1 to " + HardLimits.USER_NAME_BYTES + " bytes of UTF-8";
    }
    // A string with a lone surrogate cannot be encoded as UTF-8 and would change on the way to disk.
    int lone = HardLimits.loneSurrogateAt(name);
    if (lone >= 0) {
      return "user name is not valid UTF-8 (lone surrogate at char " + lone + ")";
    }
    int bytes = HardLimits.utf8Bytes(name);
    if (bytes > HardLimits.USER_NAME_BYTES) {
      return "user name is " + bytes + " bytes of UTF-8; the most is " + HardLimits.USER_NAME_BYTES;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isISOControl(c)) {
        return "user name " + Quoted.of(name) + " holds a control character (U+" + String.format("%04X", (int) c)
            + " at char " + i + "): choose a name without one";
      }
      if (c == ':') {
        // HTTP Basic authentication sends "name:password" and splits it at the first ':'.
        return "user name " + Quoted.of(name) + " holds ':', which Basic authentication takes as the end of the"
            + " name: choose a name without it";
      }
    }
    return null;
  }

  /**
   * An encoded password hash ("argon2id$...", "pbkdf2-sha256$..."): never empty (there is no
   * password-less login by hash), at most {@link HardLimits#PASSWORD_HASH_BYTES} bytes of printable
   * ASCII. Encoded hashes are ASCII (PHC strings, base64), so anything else is a caller that sent
   * the password or raw digest bytes by mistake; the text is never echoed back.
   */
  public static String hashProblem(String hash) {
    if (hash == null || hash.isEmpty()) {
      return "password hash is empty: the node hashes the password before it writes the command";
    }
    if (hash.length() > HardLimits.PASSWORD_HASH_BYTES) {
      return "password hash is " + hash.length() + " characters; the most is " + HardLimits.PASSWORD_HASH_BYTES;
    }
    for (int i = 0; i < hash.length(); i++) {
      char c = hash.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return "password hash holds a character that is not printable ASCII (at char " + i + "): give it encoded,"
            + " as \"argon2id$...\" or \"pbkdf2-sha256$...\"";
      }
    }
    return null;
  }

  /** Tags from {@link #TAGS}; a tag given twice counts once. */
  public static String tagsProblem(List<String> tags) {
    for (String tag : tags) {
      if (!TAGS.contains(tag)) {
        return "unknown user tag " + Quoted.of(tag) + ": the tags are " + String.join(", ", TAGS);
      }
    }
    return null;
  }

  /** The tags as stored: sorted, each once. */
  public static List<String> normalTags(List<String> tags) {
    return List.copyOf(new TreeSet<>(tags));
  }
}
