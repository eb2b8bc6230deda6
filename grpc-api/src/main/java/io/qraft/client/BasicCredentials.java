package io.qraft.client;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.SecurityLevel;
import io.grpc.Status;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * A user name and password sent with every call as the header
 * {@code authorization: Basic base64(user:password)} (RFC 7617, UTF-8). Used by the SDK
 * ({@link QraftClient.Builder#credentials}), qraftctl and qraft-perf alike.
 *
 * <p>The password travels readable by anyone on the path unless the channel is encrypted, so it
 * is sent only over TLS or to a loopback address (127.0.0.0/8, ::1, localhost); on any other
 * plaintext channel the call fails with UNAUTHENTICATED before anything is sent.
 *
 * <p>Immutable; {@link #toString()} names the user only.
 */
public final class BasicCredentials extends CallCredentials {

  /** The request header that carries the credentials. */
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** Why a call with credentials failed on a plaintext channel to another host. */
  public static final String CLEARTEXT_REFUSED =
      "credentials are sent only over TLS or to a loopback address; use tls(...)";

  private static final Set<String> LOOPBACK_HOSTS =
      Set.of("127.0.0.1", "::1", "0:0:0:0:0:0:0:1", "localhost");

  private final String user;
  private final String header;

  /**
   * @throws IllegalArgumentException when the user is empty or holds ':' or a control character,
   *     or the password is empty or holds a control character
   */
  public BasicCredentials(String user, String password) {
    this.header = headerValue(user, password);
    this.user = user;
  }

  /**
   * The value of the {@code authorization} header: {@code Basic base64(user:password)}.
   *
   * @throws IllegalArgumentException as {@link #BasicCredentials(String, String)}
   */
  public static String headerValue(String user, String password) {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    if (user.isEmpty()) {
      throw new IllegalArgumentException("the user name is empty");
    }
    // RFC 7617: the first ':' ends the user name, so a user name cannot hold one.
    if (user.indexOf(':') >= 0) {
      throw new IllegalArgumentException("the user name cannot contain ':'");
    }
    if (password.isEmpty()) {
      throw new IllegalArgumentException("the password is empty");
    }
    // RFC 7617 forbids control characters in both; a trailing '\r' from a file is the usual one.
    if (hasControl(user)) {
      throw new IllegalArgumentException("the user name cannot contain control characters");
    }
    if (hasControl(password)) {
      throw new IllegalArgumentException("the password cannot contain control characters");
    }
    return "Basic " + Base64.getEncoder()
        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** A user name and password read back from a header value. */
  public record Pair(String user, String password) {}

  /** Longer header values are refused before any decoding: a user name and password fit in far less. */
  public static final int MAX_HEADER_CHARS = 4_096;

  /**
   * Reads {@code Basic base64(user:password)} back (the scheme in any case, RFC 7617); null for
   * anything else: too long, another scheme, not base64, no ':' or an empty user name. The
   * nodes read every call's header with it.
   */
  public static Pair parse(String header) {
    if (header == null || header.length() > MAX_HEADER_CHARS || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
    int colon = decoded.indexOf(':');
    return colon <= 0 ? null : new Pair(decoded.substring(0, colon), decoded.substring(colon + 1));
  }

  /**
   * The password in a file: its first line, without the line end (the file may hold more lines,
   * which are ignored). For qraftctl and qraft-perf, which never take a password as an argument.
   *
   * @throws IOException when the file cannot be read or is not UTF-8
   */
  public static String readPassword(Path file) throws IOException {
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line = reader.readLine();
      return line == null ? "" : line;
    }
  }

  /**
   * The credentials a command-line tool (qraftctl, qraft-perf) sends, or null for none: the user
   * of its {@code --user} option, else of {@code $QRAFT_USER}, with the first line of its
   * {@code --password-file}, else {@code $QRAFT_PASSWORD}. A password from the environment
   * without a user is ignored, as the environment may hold it for another tool.
   *
   * @param user the {@code --user} option, or null
   * @param passwordFile the {@code --password-file} option, or null
   * @param environment the environment variables, by name
   * @throws IllegalArgumentException with a message for the person at the terminal: a user
   *     without a password, a password file without a user or that cannot be read, credentials
   *     that cannot be sent
   */
  public static BasicCredentials fromCommandLine(String user, Path passwordFile,
      Function<String, String> environment) {
    String name = user != null ? user : nonEmpty(environment.apply("QRAFT_USER"));
    if (name == null) {
      if (passwordFile != null) {
        throw new IllegalArgumentException("--password-file needs --user (or QRAFT_USER)");
      }
      return null;
    }
    String password;
    if (passwordFile != null) {
      password = passwordIn(passwordFile);
    } else {
      password = nonEmpty(environment.apply("QRAFT_PASSWORD"));
      if (password == null) {
        throw new IllegalArgumentException("the user " + name
            + " needs a password: give --password-file FILE or set QRAFT_PASSWORD");
      }
    }
    try {
      return new BasicCredentials(name, password);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Invalid credentials: " + e.getMessage());
    }
  }

  private static String passwordIn(Path file) {
    String password;
    try {
      password = readPassword(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read the password file " + file + ": " + reason(e));
    }
    if (password.isEmpty()) {
      throw new IllegalArgumentException(
          "the password file " + file + " has no password on its first line");
    }
    return password;
  }

  private static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof CharacterCodingException) {
      return "not UTF-8 text";
    }
    return e.getMessage();
  }

  private static String nonEmpty(String value) {
    return value == null || value.isEmpty() ? null : value;
  }

  public String user() {
    return user;
  }

  @Override
  public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
    if (info.getSecurityLevel() != SecurityLevel.PRIVACY_AND_INTEGRITY
        && !isLoopback(info.getAuthority())) {
      applier.fail(Status.UNAUTHENTICATED.withDescription(CLEARTEXT_REFUSED));
      return;
    }
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, header);
    applier.apply(headers);
  }

  /**
   * Whether the authority (host, host:port, [ipv6]:port) names this machine by a loopback
   * address or "localhost". Other names are not resolved: a name that resolves to 127.0.0.1
   * today may not tomorrow.
   */
  static boolean isLoopback(String authority) {
    if (authority == null) {
      return false;
    }
    String host = authority;
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      host = close < 0 ? host : host.substring(1, close);
    } else if (host.indexOf(':') == host.lastIndexOf(':') && host.indexOf(':') >= 0) {
      // One colon: host:port. More than one without brackets: an IPv6 literal alone.
      host = host.substring(0, host.indexOf(':'));
    }
    return LOOPBACK_HOSTS.contains(host.toLowerCase(Locale.ROOT)) || inLoopbackNet(host);
  }

  /** An IPv4 literal in 127.0.0.0/8, all of which is this machine (not a name: it is not resolved). */
  private static boolean inLoopbackNet(String host) {
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals("127")) {
      return false;
    }
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')
          || Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }

  private static boolean hasControl(String s) {
    return s.codePoints().anyMatch(Character::isISOControl);
  }

  @Override
  public String toString() {
    return "BasicCredentials[user=" + user + "]";
  }
}
