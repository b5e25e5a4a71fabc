package io.ferry.resolver;

/**
 * HOST[:PORT] of a {@code *_pass} evaluated from variables, as nginx's ngx_parse_url reads it
 * without resolving: {@code port} is {@code defaultPort} when {@code noPort}.
 */
public record PassAddress(String host, int port, boolean noPort) {

    /** Null, with {@code error} holding nginx's complaint, when the text is no such address. */
    public static PassAddress parse(String hostPort, int defaultPort, StringBuilder error) {
        int colon = hostPort.lastIndexOf(':');
        if (colon >= 0 && hostPort.indexOf(']', colon) >= 0) {
            colon = -1;
        }
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        int port = defaultPort;
        if (colon >= 0) {
            String digits = hostPort.substring(colon + 1);
            port = digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(Character::isDigit)
                    ? 0 : Integer.parseInt(digits);
            if (port < 1 || port > 65535) {
                error.append("invalid port in upstream \"").append(hostPort).append('"');
                return null;
            }
        }
        if (host.isEmpty()) {
            error.append("no host in upstream \"").append(hostPort).append('"');
            return null;
        }
        return new PassAddress(host, port, colon < 0);
    }
}
