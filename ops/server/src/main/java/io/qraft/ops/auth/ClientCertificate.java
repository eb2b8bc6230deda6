package io.qraft.ops.auth;

import io.grpc.Grpc;
import io.grpc.ServerCall;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The user a call's client certificate names: the common name (CN) of its subject. Only a
 * certificate the TLS handshake verified is read (it chained to {@code tls.ca_file}, else there
 * would be no connection), so the name is as trustworthy as the CA that signed it. Stateless.
 */
final class ClientCertificate {
  private ClientCertificate() {}

  /** What a connection's certificate says: none, or the CN of its subject (empty when it has none). */
  record Subject(String commonName, String distinguishedName) {}

  /** The subject of the call's verified client certificate, or null when the call has none. */
  static Subject of(ServerCall<?, ?> call) {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (session == null) {
      return null;
    }
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return null; // the client presented none (tls.client_auth = optional)
    }
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return null;
    }
    String dn = leaf.getSubjectX500Principal().getName();
    return new Subject(commonName(dn), dn);
  }

  /**
   * The most specific CN of an RFC 2253 name (the leftmost: CN=alice,OU=ops,O=acme names alice),
   * or empty when the name has no CN.
   */
  static String commonName(String rfc2253) {
    List<Rdn> rdns;
    try {
      rdns = new LdapName(rfc2253).getRdns();
    } catch (InvalidNameException e) {
      return ""; // the JDK wrote this name itself; unreadable means no usable CN
    }
    // LdapName lists the RDNs right to left: the leftmost is last.
    for (int i = rdns.size() - 1; i >= 0; i--) {
      Rdn rdn = rdns.get(i);
      if (rdn.getType().equalsIgnoreCase("CN") && rdn.getValue() instanceof String cn) {
        return cn;
      }
    }
    return "";
  }
}
