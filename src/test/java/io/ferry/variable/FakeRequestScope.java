package io.ferry.variable;

import io.ferry.model.LocationSettings;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.MatchResult;

/** A fixed variable source for template and map tests: plain fields, no network, no Netty. */
final class FakeRequestScope implements RequestScope {
    String remoteAddr = "192.0.2.7";
    String remotePort = "51000";
    String serverAddr = "127.0.0.1";
    String serverPort = "8080";
    String serverName = "example.org";
    String host = "example.org";
    String args;
    String uri = "/";
    String requestUri = "/";
    String method = "GET";
    String scheme = "http";
    String protocol = "HTTP/1.1";
    LocationSettings settings;
    String requestId = "0123456789abcdef0123456789abcdef";
    final Map<String, String> headers = new HashMap<>();
    MatchResult captures;

    FakeRequestScope header(String name, String value) {
        headers.put(name.toLowerCase(Locale.ROOT), value);
        return this;
    }

    FakeRequestScope args(String args) {
        this.args = args;
        return this;
    }

    @Override
    public String remoteAddr() {
        return remoteAddr;
    }

    @Override
    public String remotePort() {
        return remotePort;
    }

    @Override
    public String serverAddr() {
        return serverAddr;
    }

    @Override
    public String serverPort() {
        return serverPort;
    }

    @Override
    public String serverName() {
        return serverName;
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public String requestHeader(String lowerName) {
        return headers.get(lowerName);
    }

    @Override
    public String args() {
        return args;
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public String requestUri() {
        return requestUri;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String scheme() {
        return scheme;
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public LocationSettings settings() {
        return settings;
    }

    @Override
    public String requestId() {
        return requestId;
    }

    @Override
    public String capture(int n) {
        if (captures == null || n > captures.groupCount()) {
            return null;
        }
        return captures.group(n);
    }

    @Override
    public String capture(String name) {
        return captures instanceof Captures c ? c.group(name) : null;
    }

    @Override
    public void captures(MatchResult match) {
        this.captures = match;
    }
}
