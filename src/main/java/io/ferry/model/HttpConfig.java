package io.ferry.model;

import java.net.InetSocketAddress;
import java.util.List;

/** The http block: its virtual servers, and the demo backends the default configuration starts. */
public record HttpConfig(List<VirtualServer> servers, List<InetSocketAddress> demoBackends) {
}
