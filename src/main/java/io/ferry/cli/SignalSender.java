package io.ferry.cli;

import io.ferry.conf.ConfException;
import io.ferry.conf.directive.ConfigLoader;
import io.ferry.server.FerryServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** -s stop|quit|reload|reopen|upgrade: signals the process whose pid is in the pid file, as nginx does. */
final class SignalSender {
    private SignalSender() {
    }

    static int send(String signal, Path home, Path confFile, String globals, PrintStream err) {
        String sig = Main.SIGNALS.get(signal);
        if (sig == null) {
            err.println("ferry: invalid option: \"-s " + signal + "\"");
            return 1;
        }
        Path pidFile = home.resolve("logs/ferry.pid");
        try {
            ConfigLoader.Loaded loaded = ConfigLoader.load(home, confFile, globals);
            pidFile = loaded.config().pidFile();
            if (signal.equals("reload") || signal.equals("upgrade")) {
                FerryServer.check(loaded.config());
            }
        } catch (ConfException | IOException e) {
            if (signal.equals("reload") || signal.equals("upgrade")) {
                // A reload or upgrade of a broken file would be refused anyway; say so here, where the operator looks.
                err.println("ferry: [emerg] " + e.getMessage());
                return 1;
            }
        }
        String text;
        try {
            text = Files.readString(pidFile, StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            err.println("ferry: [error] open() \"" + pidFile + "\" failed (2: No such file or directory)");
            return 1;
        } catch (IOException e) {
            err.println("ferry: [error] open() \"" + pidFile + "\" failed (" + e.getMessage() + ")");
            return 1;
        }
        if (!text.matches("\\d+")) {
            err.println("ferry: [error] invalid PID number \"" + text + "\" in \"" + pidFile + "\"");
            return 1;
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + sig, text).redirectErrorStream(true).start();
            String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (kill.waitFor() != 0) {
                err.println("ferry: [alert] kill(" + text + ", SIG" + sig + ") failed (" + out + ")");
                return 1;
            }
        } catch (IOException e) {
            err.println("ferry: [alert] kill(" + text + ", SIG" + sig + ") failed (" + e.getMessage() + ")");
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        return 0;
    }
}
