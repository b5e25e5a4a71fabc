package io.ferry.cli;

import io.ferry.log.ErrorLogs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The new process's side of {@code -s upgrade} (USR2 to bin/ferry, which starts the launcher and jar now on
 * disk with the same command line and FERRY_UPGRADE_FROM naming the running master). Every TCP listener has
 * SO_REUSEPORT, so the new process binds the same ports while the old one still accepts; once it serves, it
 * keeps the old pid file as {@code .oldbin} (nginx's name), writes its own and sends the old master QUIT,
 * whose graceful stop closes its listeners and lets what it holds finish. Nothing is announced before the
 * new process serves: if it fails to start, the old one runs on untouched.
 */
final class Upgrade {
    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");
    /**
     * Linux resets the connections still queued on a listener that closes, even when another socket
     * shares its port, unless this is 1 (since 5.14): then they move to a listener that stays open.
     */
    static final Path MIGRATE_SYSCTL = Path.of("/proc/sys/net/ipv4/tcp_migrate_req");

    private Upgrade() {
    }

    /** The master this process replaces, or -1 when it is not an upgrade. */
    static long replacedPid() {
        String from = System.getenv("FERRY_UPGRADE_FROM");
        return from != null && from.matches("\\d{1,18}") ? Long.parseLong(from) : -1;
    }

    static Path oldbin(Path pidFile) {
        return pidFile.resolveSibling(pidFile.getFileName() + ".oldbin");
    }

    /** Copies (rather than renames) the pid file, so that it never goes missing for a {@code -s} meanwhile. */
    static void keepOldPid(Path pidFile) throws IOException {
        try {
            writeAtomically(oldbin(pidFile), Files.readString(pidFile, StandardCharsets.US_ASCII));
        } catch (NoSuchFileException e) {
            // the old master's pid file is gone (removed by hand): nothing to keep
        }
    }

    /** A reader of {@code file} sees the old text or the new one, never a part. */
    static void writeAtomically(Path file, String text) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid());
        Files.writeString(partial, text, StandardCharsets.US_ASCII);
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Tells the replaced master to stop gracefully, as an operator's {@code kill -QUIT} would. */
    static void retire(long pid) {
        try {
            if (Files.isReadable(MIGRATE_SYSCTL) && !Files.readString(MIGRATE_SYSCTL).trim().equals("1")) {
                LOG.warn("net.ipv4.tcp_migrate_req is 0: connections still queued on the listeners of pid {} when it "
                        + "closes them are reset; set it to 1 to hand them to this process", pid);
            }
        } catch (IOException e) {
            // an unreadable sysctl says nothing either way
        }
        LOG.info(ErrorLogs.NOTICE, "upgrade: serving, sending QUIT to the old master, pid {}", pid);
        try {
            Process kill = new ProcessBuilder("kill", "-QUIT", Long.toString(pid)).redirectErrorStream(true).start();
            String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (kill.waitFor() != 0) {
                LOG.error("kill({}, SIGQUIT) failed ({})", pid, out);
            }
        } catch (IOException e) {
            LOG.error("kill({}, SIGQUIT) failed ({})", pid, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Removes {@code file} when it names this process: after an upgrade the pid file is the new master's. */
    static void removeIfOurs(Path file) {
        try {
            if (Files.readString(file, StandardCharsets.US_ASCII).trim().equals(Long.toString(ErrorLogs.masterPid()))) {
                Files.delete(file);
            }
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            LOG.warn("unlink() \"{}\" failed ({})", file, e.getMessage());
        }
    }
}
