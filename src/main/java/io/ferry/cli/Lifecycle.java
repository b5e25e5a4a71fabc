package io.ferry.cli;

import io.ferry.conf.directive.ConfigLoader;
import io.ferry.log.ErrorLogs;
import io.ferry.log.ErrorLog;
import io.ferry.model.FerryConfig;
import io.ferry.net.ListenerSet;
import io.ferry.server.FerryServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The master's life: start, write the pid file once every listener is bound, then react to
 * signals as nginx's master does. The JVM keeps SIGQUIT for thread dumps, so bin/ferry (the
 * supervising parent whose pid is in the pid file) turns QUIT into WINCH for us.
 */
final class Lifecycle {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");

    private final Path home;
    private final Path confFile;
    private final String globals;
    private final PrintStream err;
    private final ErrorLog fallbackLog;
    private List<ErrorLog> logs;
    private Duration shutdownTimeout;
    private final BlockingQueue<String> commands = new LinkedBlockingQueue<>();

    Lifecycle(Path home, Path confFile, String globals, ErrorLog fallbackLog, PrintStream err) {
        this.fallbackLog = fallbackLog;
        this.home = home;
        this.confFile = confFile;
        this.globals = globals;
        this.err = err;
    }

    int run(FerryConfig config) {
        logs = ErrorLog.orFallback(config.errorLogs(), fallbackLog);
        try {
            ErrorLogs.configure(logs);
        } catch (RuntimeException e) {
            err.println("ferry: [emerg] " + e.getMessage());
            return 1;
        }
        long replacing = Upgrade.replacedPid();
        FerryServer server;
        ListenerSet.takeOver(replacing > 0);
        try {
            server = FerryServer.start(config);
        } catch (IOException | RuntimeException e) {
            LOG.error(ErrorLogs.EMERG, e.getMessage());
            err.println("ferry: [emerg] " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            ListenerSet.takeOver(false);
        }
        shutdownTimeout = config.workerShutdownTimeout();
        // Signals are handled before the pid file announces this process: a signal sent as soon as the
        // file appears is queued for the loop below, never left to the JVM's default action.
        handle("TERM", "stop");
        handle("INT", "stop");
        handle("WINCH", "quit");
        handle("HUP", "reload");
        handle("USR1", "reopen");
        Path pidFile = config.pidFile();
        try {
            Files.createDirectories(pidFile.getParent());
            if (replacing > 0) {
                Upgrade.keepOldPid(pidFile);
            }
            Upgrade.writeAtomically(pidFile, ErrorLogs.masterPid() + "\n");
        } catch (IOException e) {
            LOG.error(ErrorLogs.EMERG, "open() \"{}\" failed ({})", pidFile, e.getMessage());
            server.stop();
            return 1;
        }
        LOG.info(ErrorLogs.NOTICE, "ferry/{} started, pid {}", Version.NUMBER, ErrorLogs.masterPid());
        if (replacing > 0) {
            Upgrade.retire(replacing);
        }
        try {
            serve(server);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.stop();
        }
        // after an upgrade the pid file is the new process's, and this one's is the .oldbin
        Upgrade.removeIfOurs(pidFile);
        Upgrade.removeIfOurs(Upgrade.oldbin(pidFile));
        LOG.info(ErrorLogs.NOTICE, "exit");
        return 0;
    }

    private void serve(FerryServer server) throws InterruptedException {
        while (true) {
            String command = commands.take();
            switch (command) {
                case "stop" -> {
                    LOG.info(ErrorLogs.NOTICE, "signal received, exiting");
                    server.stop();
                    return;
                }
                case "quit" -> {
                    LOG.info(ErrorLogs.NOTICE, "gracefully shutting down");
                    server.quit(shutdownTimeout);
                    return;
                }
                case "reload" -> reload(server);
                case "reopen" -> {
                    LOG.info(ErrorLogs.NOTICE, "reopening logs");
                    ErrorLogs.configure(logs);
                    server.reopenLogs();
                }
                default -> throw new IllegalStateException(command);
            }
        }
    }

    /** A broken file leaves the running configuration untouched; the error goes to the error log. */
    private void reload(FerryServer server) {
        LOG.info(ErrorLogs.NOTICE, "signal 1 (SIGHUP) received, reconfiguring");
        try {
            FerryConfig next;
            try {
                next = ConfigLoader.load(home, confFile, globals).config();
            } catch (Exception e) {
                server.reloadFailed();
                throw e;
            }
            server.reload(next);
            // the connections of before are the old worker's: its own timeout applies to them
            server.retire(shutdownTimeout);
            shutdownTimeout = next.workerShutdownTimeout();
            logs = ErrorLog.orFallback(next.errorLogs(), fallbackLog);
            ErrorLogs.configure(logs);
        } catch (Exception e) {
            LOG.error(ErrorLogs.EMERG, e.getMessage());
        }
    }

    private void handle(String signal, String command) {
        Signal.handle(new Signal(signal), s -> commands.add(command));
    }

}
