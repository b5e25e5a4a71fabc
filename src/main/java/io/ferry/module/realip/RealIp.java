package io.ferry.module.realip;

import io.ferry.module.access.AccessRule;
import java.util.List;

/**
 * set_real_ip_from / real_ip_header / real_ip_recursive: the client address is taken from the
 * header only when the connection comes from a trusted proxy.
 */
record RealIp(List<AccessRule> trusted, String header, boolean recursive) {
}
