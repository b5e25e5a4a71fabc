package io.ferry.cli;

import io.ferry.conf.directive.ConfigLoader;
import io.ferry.log.ErrorLog;
import io.ferry.model.FerryConfig;
import io.ferry.server.FerryServer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The command line, flag for flag as nginx's. */
@Command(name = "ferry", usageHelpAutoWidth = true)
public final class Main implements Callable<Integer> {
    static final Map<String, String> SIGNALS = Map.of("stop", "TERM", "quit", "QUIT", "reload", "HUP", "reopen", "USR1",
            "upgrade", "USR2");

    @Option(names = {"-h", "-?"})
    boolean help;
    @Option(names = "-v")
    boolean version;
    @Option(names = "-V")
    boolean versionFull;
    @Option(names = "-t")
    boolean test;
    @Option(names = "-T")
    boolean testDump;
    @Option(names = "-q")
    boolean quiet;
    @Option(names = "-s", paramLabel = "signal")
    String signal;
    @Option(names = "-p", paramLabel = "prefix")
    Path prefix;
    @Option(names = "-e", paramLabel = "filename")
    String errorLog;
    @Option(names = "-c", paramLabel = "filename")
    Path conf;
    @Option(names = "-g", paramLabel = "directives")
    String globals;

    private final PrintStream err = System.err;

    public static void main(String[] args) {
        // Netty's JFR events (buffer allocation) cost every start the JFR metadata and event classes; a
        // recording that wants them asks with -Dio.netty.jfr.enabled=true.
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
        CommandLine cli = new CommandLine(new Main()).setPosixClusteredShortOptionsAllowed(true);
        cli.setParameterExceptionHandler((e, a) -> {
            System.err.println("ferry: " + e.getMessage());
            System.err.println(usage());
            return 1;
        });
        cli.setUsageHelpLongOptionsMaxWidth(20);
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() {
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
