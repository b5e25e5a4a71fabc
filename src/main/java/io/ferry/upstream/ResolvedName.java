package io.ferry.upstream;

/**
 * A `server NAME [service=SERVICE] resolve` line: the name looked up at run time, and the peer
 * every address it answers becomes ({@code template}: the line's parameters, its address unset).
 * With a service, SRV records give the names, ports and weights instead.
 */
public record ResolvedName(String host, int port, String service, UpstreamServer template) {

    /** The name asked: the host's A/AAAA, or nginx's SRV name, "_SERVICE._tcp.HOST" unless SERVICE has a dot. */
    public String query() {
        if (service == null) {
            return host;
        }
        return (service.indexOf('.') >= 0 ? service : "_" + service + "._tcp") + "." + host;
    }
}
