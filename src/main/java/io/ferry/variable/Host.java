package io.ferry.variable;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** $pid and $hostname: the serving process and the machine's name, as nginx's getpid() and gethostname(). */
public final class Host {
    static final String PID = Long.toString(ProcessHandle.current().pid());

    private Host() {
    }

    public static String name() {
        return Name.VALUE;
    }

    /** Looked up on first use only: a configuration that never logs $hostname never asks. */
    private static final class Name {
        static final String VALUE = lookup();

        private static String lookup() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                // the JDK's message starts with the name gethostname() gave, before the failed lookup
                String m = String.valueOf(e.getMessage());
                int colon = m.indexOf(':');
                return colon > 0 ? m.substring(0, colon) : "localhost";
            }
        }
    }
}
