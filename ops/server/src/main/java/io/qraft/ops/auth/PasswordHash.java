package io.qraft.ops.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Password hashes: Argon2id (BouncyCastle) with OWASP's parameters (19 MiB, two passes, one
 * lane), a random 16-byte salt, written as a PHC string
 * {@code $argon2id$v=19$m=19456,t=2,p=1$SALT$HASH} (unpadded base64). The string is what the
 * metadata group stores: a node computes it before the user's entry is appended, so the state
 * machine never hashes and every replica stores the same bytes.
 *
 * <p>Verifying costs tens of milliseconds on purpose; the node verifies a password once per
 * connection and caches the outcome. Thread-safe.
 */
public final class PasswordHash {
  static final int MEMORY_KIB = 19_456;
  static final int PASSES = 2;
  static final int LANES = 1;
  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  /** Bounds on the parameters of a stored hash, so a damaged or hostile one cannot exhaust a node. */
  private static final int MAX_MEMORY_KIB = 262_144;
  private static final int MAX_PASSES = 10;
  private static final int MAX_LANES = 8;
  private static final Pattern PHC = Pattern.compile(
      "\\$argon2id\\$v=19\\$m=(\\d{1,7}),t=(\\d{1,2}),p=(\\d{1,2})\\$([A-Za-z0-9+/]{16,64})\\$([A-Za-z0-9+/]{16,128})");
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Verified against when the user is unknown, so that the answer takes as long as for a known one. */
  private static final String DUMMY = hash("qraft dummy password");

  private PasswordHash() {}

  /** A new hash of {@code password} with a fresh salt. */
  public static String hash(String password) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    byte[] out = argon2(password, salt, MEMORY_KIB, PASSES, LANES, HASH_BYTES);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + PASSES + ",p=" + LANES + "$"
        + b64.encodeToString(salt) + "$" + b64.encodeToString(out);
  }

  /** True when {@code password} is the one {@code encoded} was made from; false for any other input. */
  public static boolean verify(String password, String encoded) {
    Matcher m = encoded == null ? null : PHC.matcher(encoded);
    if (m == null || !m.matches()) {
      return false;
    }
    int memory = Integer.parseInt(m.group(1));
    int passes = Integer.parseInt(m.group(2));
    int lanes = Integer.parseInt(m.group(3));
    if (memory < 8 * lanes || memory > MAX_MEMORY_KIB || passes < 1 || passes > MAX_PASSES
        || lanes < 1 || lanes > MAX_LANES) {
      return false;
    }
    byte[] salt = Base64.getDecoder().decode(m.group(4));
    byte[] expected = Base64.getDecoder().decode(m.group(5));
    byte[] actual = argon2(password, salt, memory, passes, lanes, expected.length);
    return MessageDigest.isEqual(expected, actual);
  }

  /** Spends the time of one verification and answers false: for a user that does not exist. */
  public static boolean verifyNobody(String password) {
    verify(password, DUMMY);
    return false;
  }

  /** True for a string {@link #verify} can read (the shape a node stores). */
  public static boolean wellFormed(String encoded) {
    return encoded != null && PHC.matcher(encoded).matches();
  }

  private static byte[] argon2(String password, byte[] salt, int memory, int passes, int lanes, int length) {
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withSalt(salt).withMemoryAsKB(memory).withIterations(passes).withParallelism(lanes).build());
    byte[] out = new byte[length];
    generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }
}
