package io.qraft.api;

import java.net.InetSocketAddress;
import java.util.regex.Pattern;

/**
 * A network endpoint written as {@code host:port}; an IPv6 literal is written in brackets,
 * {@code [::1]:5691}.
 *
 * <p>Construction validates the host's characters and the port range (1..65535); the host is not
 * resolved, so a name that DNS does not know yet is accepted. Immutable.
 *
 * @param host a host name, an IPv4 literal, or an IPv6 literal without brackets
 * @param port 1..65535
 */
public record HostPort(String host, int port) {

    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.%A-Za-z]+");

    public HostPort {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("the host is empty");
        }
        boolean v6 = host.indexOf(':') >= 0;
        if (!(v6 ? IPV6 : HOST_NAME).matcher(host).matches()) {
            throw new IllegalArgumentException("the host '" + host + "' has characters a host name cannot have");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("the port " + port + " is not in 1..65535");
        }
    }

    /**
     * Parses {@code host:port} or {@code [ipv6]:port}.
     *
     * @throws IllegalArgumentException saying what is wrong with the text
     */
    public static HostPort parse(String text) {
        String s = text.trim();
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("'" + text + "' is not [ipv6]:port");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("'" + text + "' has no port");
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("'" + text + "' has an IPv6 host; write it in brackets");
            }
        }
        return new HostPort(host, parsePort(port, text));
    }

    public static int parsePort(String port, String context) {
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("the port '" + port + "' in '" + context + "' is not a number in 1..65535");
        }
        int p = Integer.parseInt(port);
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("the port " + p + " in '" + context + "' is not in 1..65535");
        }
        return p;
    }

    /** True for 0.0.0.0 and ::, which bind every interface. */
    public boolean isWildcard() {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }

    /** Resolves the host now; for binding a server socket. */
    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(host, port);
    }

    /** {@code host:port}, with brackets around an IPv6 host; {@link #parse} reads it back. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
