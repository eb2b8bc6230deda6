package io.qraft.ops.tls;

import java.util.Locale;

/**
 * The {@code tls.client_auth} of a node: what the client port asks of a client's certificate.
 * A presented certificate must chain to {@code tls.ca_file} in every mode (a handshake with an
 * untrusted one fails); the modes differ in whether one is demanded and whether its subject CN
 * logs in as a user (with {@code auth.enabled}).
 */
public enum ClientAuthMode {
    /** A certificate is not needed and does not log in: users give a password. */
    NONE,
    /** A presented certificate logs in as the user its CN names; without one, a password does. */
    OPTIONAL,
    /** The handshake fails without a certificate; it logs in as the user its CN names. */
    REQUIRED;

    /** The mode of a valid {@code tls.client_auth} value (none, optional, required). */
    public static ClientAuthMode of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** Whether a verified client certificate names the caller. */
    public boolean logsIn() {
        return this != NONE;
    }

    /** The value as the configuration file spells it. */
    public String configValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
