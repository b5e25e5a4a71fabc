package io.ferry.conf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * nginx's configuration grammar (ngx_conf_parse): statements become a {@link Directive} tree and {@code include} is
 * expanded in place. Which directives exist, where they may appear and what arguments they take is checked elsewhere.
 */
public final class ConfParser {
    private static final String INCLUDE = "include";

    /** nginx resolves relative includes against its conf prefix, i.e. the main file's directory. */
    private final Path baseDir;
    private final Map<Path, String> sources = new LinkedHashMap<>();
    /** Real paths of the files currently being read, so that an include cycle is reported instead of recursing. */
    private final Set<Path> reading = new HashSet<>();

    private ConfParser(Path baseDir) {
        this.baseDir = baseDir;
    }

    /** Parses a main configuration file; {@code include} directives are replaced by what they include. */
    public static ParsedConfig parseFile(Path file) throws ConfException {
        Path dir = file.getParent() == null ? Path.of("") : file.getParent();
        ConfParser parser = new ConfParser(dir);
        List<Directive> directives = parser.parseFile(file, null, 0);
        return new ParsedConfig(directives, parser.sources);
    }

    /**
     * Parses text that is not a file, such as the {@code -g} option; {@code origin} names it in errors and relative
     * includes resolve against {@code baseDir}. As in nginx, input ending inside a directive is reported as
     * {@code unexpected end of parameter, expecting ";"}. Only included files appear in the result's sources.
     */
    public static ParsedConfig parseString(String text, String origin, Path baseDir) throws ConfException {
        ConfParser parser = new ConfParser(baseDir);
        List<Directive> directives = parser.parse(new Lexer(text, origin, false));
        return new ParsedConfig(directives, parser.sources);
    }

    /** {@code includer} and {@code line} locate the include directive; null for the main file. */
    private List<Directive> parseFile(Path file, String includer, int line) throws ConfException {
        Path real;
        String text;
        try {
            real = file.toRealPath();
            // Lenient decoding: invalid UTF-8 becomes U+FFFD rather than failing the load.
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfException("open() \"" + file + "\" failed (" + reason(e) + ")", includer, line);
        }
        if (!reading.add(real)) {
            throw new ConfException("include cycle: \"" + file + "\" is already being read", includer, line);
        }
        try {
            sources.putIfAbsent(file, text);
            return parse(new Lexer(text, file.toString(), true));
        } finally {
            reading.remove(real);
        }
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "2: No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "13: Permission denied";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage();
    }

    /** A block being read: the words that opened it, the line of its "{", and the directives so far. */
    private record Open(List<String> words, int line, List<Directive> children) {
    }

    // Blocks are tracked on an explicit stack, not by recursion, so deep nesting cannot overflow the Java stack.
    private List<Directive> parse(Lexer lexer) throws ConfException {
        Deque<Open> open = new ArrayDeque<>();
        open.push(new Open(List.of(), 0, new ArrayList<>()));
        for (;;) {
            Lexer.Statement st = lexer.next();
            List<Directive> siblings = open.peek().children();
            switch (st.end()) {
                case EOF -> {
                    if (open.size() > 1) {
                        throw lexer.error("unexpected end of file, expecting \"}\"");
                    }
                    return siblings;
                }
                case BLOCK_END -> {
                    if (open.size() == 1) {
                        throw lexer.error("unexpected \"}\"");
                    }
                    Open done = open.pop();
                    open.peek().children().add(directive(done.words(), done.children(), lexer.file(), done.line()));
                }
                case BLOCK_START -> {
                    if (isInclude(st)) {
                        throw lexer.error("directive \"include\" is not terminated by \";\"");
                    }
                    open.push(new Open(st.words(), st.line(), new ArrayList<>()));
                }
                case SEMICOLON -> {
                    if (isInclude(st)) {
                        siblings.addAll(include(st.words(), lexer.file(), st.line()));
                    } else {
                        siblings.add(directive(st.words(), null, lexer.file(), st.line()));
                    }
                }
            }
        }
    }

    private static boolean isInclude(Lexer.Statement st) {
        return st.words().get(0).equals(INCLUDE);
    }

    private static Directive directive(List<String> words, List<Directive> block, String file, int line) {
        return new Directive(words.get(0), words.subList(1, words.size()), block, file, line);
    }

    private List<Directive> include(List<String> words, String file, int line) throws ConfException {
        if (words.size() != 2) {
            throw new ConfException("invalid number of arguments in \"include\" directive", file, line);
        }
        String target = words.get(1);
        if (target.indexOf('\0') >= 0) {
            throw new ConfException("invalid value in \"include\" directive: NUL byte", file, line);
        }
        if (!Glob.isPattern(target)) {
            return parseFile(baseDir.resolve(target), file, line);
        }
        // A pattern matching nothing is not an error, as in nginx.
        List<Directive> included = new ArrayList<>();
        for (Path match : Glob.expand(baseDir, target)) {
            included.addAll(parseFile(match, file, line));
        }
        return included;
    }
}
