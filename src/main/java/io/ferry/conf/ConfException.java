package io.ferry.conf;

/**
 * A configuration error in nginx's form: {@code detail in file:line}, e.g.
 * {@code unknown directive "proxy_pas" in /etc/ferry/ferry.conf:5}. Without a file (the main configuration file itself
 * could not be read) the message is the detail alone, as nginx prints it.
 */
public class ConfException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String detail;
    private final String file;
    private final int line;

    public ConfException(String detail, String file, int line) {
        super(file == null ? detail : detail + " in " + file + ":" + line);
        this.detail = detail;
        this.file = file;
        this.line = line;
    }

    public String detail() {
        return detail;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }
}
