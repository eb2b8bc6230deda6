package io.qraft.ops.auth;

import com.sun.net.httpserver.HttpExchange;
import io.grpc.StatusRuntimeException;
import java.net.InetSocketAddress;
import java.util.Set;

/**
 * Who may read the HTTP port with auth.enabled: the paths of {@code http.open_paths}
 * (by default /metrics, /health and /ready, for scrapers and load balancers) are open; the
 * web page and /api/* need a user with the monitoring or administrator tag, by HTTP Basic
 * authentication (a browser asks for it). The HTTP port has no TLS, so a password is accepted
 * only from the node's own host (a browser through an SSH tunnel, or a TLS proxy there).
 * Thread-safe.
 */
public final class HttpAccess {
  private final Authenticator authenticator;
  private final Set<String> openPaths;

  /** What to answer instead of the page: a status and a sentence; null when access is granted. */
  public record Refusal(int status, String message, boolean askForCredentials) {}

  public HttpAccess(Authenticator authenticator, Set<String> openPaths) {
    this.authenticator = authenticator;
    this.openPaths = Set.copyOf(openPaths);
  }

  public Refusal check(HttpExchange exchange) {
    String path = exchange.getRequestURI().getPath();
    if (openPaths.contains(path)) {
      return null;
    }
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (authorization == null) {
      return new Refusal(401, "log in with a user tagged monitoring or administrator", true);
    }
    InetSocketAddress peer = exchange.getRemoteAddress();
    if (peer == null || peer.getAddress() == null || !peer.getAddress().isLoopbackAddress()) {
      return new Refusal(403, "this port has no TLS: a password is accepted only from the node's own host "
          + "(an SSH tunnel, or a TLS proxy on the host)", false);
    }
    Principal principal;
    try {
      principal = authenticator.basic(authorization);
    } catch (StatusRuntimeException e) {
      return new Refusal(401, e.getStatus().getDescription(), true);
    }
    if (!principal.monitoring()) {
      return new Refusal(403, principal.describe() + " may not read the management pages: it needs the "
          + "monitoring or administrator tag", false);
    }
    return null;
  }
}
