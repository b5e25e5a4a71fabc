package io.ferry.bench;

import java.util.Arrays;

/** Entry point of the benchmark's load tools: {@code java -jar loadgen.jar COMMAND [--key value]...}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] argv) throws Exception {
        if (argv.length == 0) {
            System.err.println("usage: loadgen backend|ws|idle|bulk|tls|startup|report [--key value]...");
            System.exit(2);
        }
        Args args = new Args(Arrays.copyOfRange(argv, 1, argv.length));
        switch (argv[0]) {
            case "backend" -> Backend.run(args);
            case "ws" -> WsBench.run(args);
            case "idle" -> WsIdle.run(args);
            case "bulk" -> Bulk.run(args);
            case "tls" -> TlsHandshakes.run(args);
            case "startup" -> Startup.run(args);
            case "report" -> Report.run(args);
            default -> {
                System.err.println("unknown command " + argv[0]);
                System.exit(2);
            }
        }
    }
}
