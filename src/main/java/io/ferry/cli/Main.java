package io.ferry.cli;

import io.ferry.conf.directive.ConfigLoader;
import io.ferry.log.ErrorLog;
import io.ferry.model.FerryConfig;
import io.ferry.server.FerryServer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/** The command line, flag for flag as nginx's, parsed as its ngx_get_options does. */
public final class Main {
    static final Map<String, String> SIGNALS = Map.of("stop", "TERM", "quit", "QUIT", "reload", "HUP", "reopen", "USR1",
            "upgrade", "USR2");

    boolean help;
    boolean version;
    boolean versionFull;
    boolean test;
    boolean testDump;
    boolean quiet;
    String signal;
    Path prefix;
    String errorLog;
    Path conf;
    String globals;

    private final PrintStream err = System.err;

    public static void main(String[] args) {
        // Netty's JFR events (buffer allocation) cost every start the JFR metadata and event classes; a
        // recording that wants them asks with -Dio.netty.jfr.enabled=true.
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
        Main main = new Main();
        String error = main.parse(args);
        if (error != null) {
            System.err.println("ferry: " + error);
            System.err.println(usage());
            System.exit(1);
        }
        System.exit(main.call());
    }

    /** Reads the options as nginx does: flags may be clustered, a value follows its letter or is the next argument. */
    String parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("-")) {
                return "invalid option: \"" + arg + "\"";
            }
            for (int p = 1; p < arg.length(); p++) {
                char flag = arg.charAt(p);
                switch (flag) {
                    case '?', 'h' -> help = true;
                    case 'v' -> version = true;
                    case 'V' -> versionFull = true;
                    case 't' -> test = true;
                    case 'T' -> testDump = true;
                    case 'q' -> quiet = true;
                    case 'p', 'e', 'c', 'g', 's' -> {
                        String value;
                        if (p + 1 < arg.length()) {
                            value = arg.substring(p + 1);
                        } else if (i + 1 < args.length) {
                            value = args[++i];
                        } else {
                            return "option \"-" + flag + "\" requires " + switch (flag) {
                                case 'p' -> "directory name";
                                case 'e', 'c' -> "file name";
                                default -> "parameter";
                            };
                        }
                        switch (flag) {
                            case 'p' -> prefix = Path.of(value);
                            case 'e' -> errorLog = value;
                            case 'c' -> conf = Path.of(value);
                            case 'g' -> globals = value;
                            default -> signal = value;
                        }
                        p = arg.length();
                    }
                    default -> {
                        return "invalid option: \"" + flag + "\"";
                    }
                }
            }
        }
        return null;
    }

    int call() {
        if (help) {
            err.println(Version.shortLine());
            err.println(usage());
            return 0;
        }
        if (version || versionFull) {
            err.println(versionFull ? Version.full() : Version.shortLine());
            if (!test && !testDump && signal == null) {
                return 0;
            }
        }
        Path home = prefix != null ? prefix : Path.of(System.getProperty("ferry.home", ".")).toAbsolutePath();
        Path confFile = home.resolve(conf != null ? conf : Path.of("conf/ferry.conf")).normalize();
        if (signal != null) {
            return SignalSender.send(signal, home, confFile, globals, err);
        }
        ConfigLoader.Loaded loaded;
        try {
            loaded = ConfigLoader.load(home, confFile, globals);
            if (test || testDump) {
                FerryServer.check(loaded.config());
            }
        } catch (Exception e) {
            err.println("ferry: [emerg] " + e.getMessage());
            if (test || testDump) {
                err.println("ferry: configuration file " + confFile + " test failed");
            }
            return 1;
        }
        if (test || testDump) {
            if (!quiet) {
                err.println("ferry: the configuration file " + confFile + " syntax is ok");
                err.println("ferry: configuration file " + confFile + " test is successful");
            }
            if (testDump) {
                loaded.parsed().sources().forEach((path, text) -> {
                    System.out.println("# configuration file " + path + ":");
                    System.out.print(text);
                    System.out.println();
                });
            }
            return 0;
        }
        FerryConfig config = loaded.config();
        return new Lifecycle(home, confFile, globals, ErrorLog.fallback(errorLog, home), err).run(config);
    }

    static String usage() {
        return String.join("\n",
                "Usage: ferry [-?hvVtTq] [-s signal] [-p prefix]",
                "             [-e filename] [-c filename] [-g directives]",
                "",
                "Options:",
                "  -?,-h         : this help",
                "  -v            : show version and exit",
                "  -V            : show version and configure options then exit",
                "  -t            : test configuration and exit",
                "  -T            : test configuration, dump it and exit",
                "  -q            : suppress non-error messages during configuration testing",
                "  -s signal     : send signal to a master process: stop, quit, reopen, reload, upgrade",
                "  -p prefix     : set prefix path (default: the installation directory)",
                "  -e filename   : set error log file (default: logs/error.log)",
                "  -c filename   : set configuration file (default: conf/ferry.conf)",
                "  -g directives : set global directives out of configuration file");
    }
}
