package io.ferry.module.ssi;

import io.ferry.http.Exchange;
import io.ferry.http.hook.BodyFilter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;

/**
 * The SSI body filter (nginx's ngx_http_ssi_body_filter): text passes as it streams, each command
 * is replaced by its output, and an include's subrequest output takes its place in the document:
 * subrequests run side by side, their output leaves in document order. Text after an include waits
 * (the chain holds the source back meanwhile); include with set= or wait="yes" stops the parsing
 * until its subrequest ended, since what follows may read what it set.
 */
final class SsiFilter implements BodyFilter {
    private static final Map<String, Set<String>> PARAMS = Map.of(
            "include", Set.of("virtual", "file", "wait", "set", "stub"),
            "echo", Set.of("var", "default", "encoding"),
            "set", Set.of("var", "value"),
            "config", Set.of("errmsg", "timefmt"),
            "if", Set.of("expr"),
            "elif", Set.of("expr"),
            "else", Set.of(),
            "endif", Set.of());
    private static final Map<String, Set<String>> MANDATORY = Map.of(
            "echo", Set.of("var"), "set", Set.of("var", "value"), "if", Set.of("expr"), "elif", Set.of("expr"));

    private final Exchange ex;
    private final SsiSettings settings;
    private final SsiParser parser;
    private final SsiValues values;
    private final ArrayDeque<ByteBuf> input = new ArrayDeque<>();
    /** Output in document order: text (ByteBuf) and includes whose subrequests may still run. */
    private final ArrayDeque<Object> out = new ArrayDeque<>();
    /** The include that must end before parsing goes on (set=, wait="yes", file=), or null. */
    private SsiInclude blocking;
    private Runnable ready;
    private String errmsg = "[an error occurred while processing the directive]";
    /** if/elif/else state: inside which branch, whether it is output, whether a branch was chosen. */
    private boolean inIf;
    private boolean inElse;
    private boolean output = true;
    private boolean chosen;

    SsiFilter(Exchange ex, SsiSettings settings) {
        this.ex = ex;
        this.settings = settings;
        this.parser = new SsiParser(settings.valueLength());
        this.values = new SsiValues(ex);
    }

    SsiValues values() {
        return values;
    }

    @Override
    public ByteBuf filter(ByteBuf in, ByteBufAllocator alloc) {
        if (in.isReadable()) {
            input.add(in);
        } else {
            in.release();
        }
        return produce(alloc);
    }

    @Override
    public boolean pending() {
        return blocking != null || !out.isEmpty();
    }

    @Override
    public ByteBuf drain(ByteBufAllocator alloc) {
        ByteBuf piece = produce(alloc);
        if (!piece.isReadable() && pending()) {
            piece.release();
            return null;
        }
        return piece;
    }

    @Override
    public void whenReady(Runnable ready) {
        this.ready = ready;
    }

    /** An include got output or ended: the chain, if it waits, asks again in a task of its own. */
    void wake() {
        Runnable r = ready;
        ready = null;
        if (r != null) {
            ex.context().executor().execute(r);
        }
    }

    @Override
    public ByteBuf flush(ByteBufAllocator alloc) {
        return alloc.buffer(0);
    }

    @Override
    public ByteBuf finish(ByteBufAllocator alloc) {
        ByteBuf rest = parser.rest();
        if (rest == null) {
            return alloc.buffer(0);
        }
        if (!output) {
            rest.release();
            return alloc.buffer(0);
        }
        return rest;
    }

    @Override
    public void abandon() {
        input.forEach(ByteBuf::release);
        input.clear();
        for (Object o : out) {
            if (o instanceof ByteBuf b) {
                b.release();
            } else {
                ((SsiInclude) o).release();
            }
        }
        out.clear();
        if (blocking != null) {
            blocking.release();
            blocking = null;
        }
        ready = null;
    }

    /** Parses what it may, then hands out what is ready, in order. */
    private ByteBuf produce(ByteBufAllocator alloc) {
        while (true) {
            if (blocking != null && blocking.done()) {
                blocking = null;
            }
            if (blocking != null || input.isEmpty()) {
                break;
            }
            ByteBuf head = input.peek();
            Object event = parser.next(head);
            if (!head.isReadable()) {
                input.poll().release();
            }
            if (event instanceof SsiParser.Text text) {
                text(text.bytes());
            } else if (event instanceof SsiParser.Command command) {
                command(command, alloc);
            }
        }
        CompositeByteBuf piece = alloc.compositeBuffer(Integer.MAX_VALUE);
        while (!out.isEmpty()) {
            Object next = out.peek();
            if (next instanceof ByteBuf b) {
                piece.addComponent(true, b);
                out.poll();
                continue;
            }
            SsiInclude include = (SsiInclude) next;
            include.takeInto(piece);
            if (!include.done()) {
                break;
            }
            out.poll();
        }
        return piece;
    }

    private void text(ByteBuf bytes) {
        if (output) {
            out.add(bytes);
        } else {
            bytes.release();
        }
    }

    private void text(String s) {
        if (!s.isEmpty()) {
            out.add(ByteBufUtil.writeUtf8(ex.context().alloc(), s));
        }
    }

    private void command(SsiParser.Command c, ByteBufAllocator alloc) {
        boolean conditional = c.name().equals("if") || c.name().equals("elif") || c.name().equals("else")
                || c.name().equals("endif");
        if (!output && !conditional) {
            return;
        }
        try {
            if (c.error() != null) {
                throw new IllegalArgumentException(c.error());
            }
            Set<String> known = PARAMS.get(c.name());
            if (known == null) {
                throw new IllegalArgumentException("unknown SSI command \"" + c.name() + "\"");
            }
            for (String p : c.params().keySet()) {
                if (!known.contains(p)) {
                    throw new IllegalArgumentException("invalid parameter \"" + p + "\" in \"" + c.name() + "\" SSI command");
                }
            }
            for (String p : MANDATORY.getOrDefault(c.name(), Set.of())) {
                if (!c.params().containsKey(p)) {
                    throw new IllegalArgumentException(
                            "mandatory \"" + p + "\" parameter is absent in \"" + c.name() + "\" SSI command");
                }
            }
            run(c.name(), c.params());
        } catch (IllegalArgumentException e) {
            ex.errorLog().error("*{} {} while sending response to client, client: {}, server: {}, request: \"{} {} {}\"",
                    ex.connection(), e.getMessage(), ex.remoteAddr(), ex.serverName(), ex.method(), ex.requestUri(),
                    ex.protocol());
            if (!settings.silentErrors() && output) {
                text(errmsg);
            }
        }
    }

    private void run(String name, Map<String, String> p) {
        switch (name) {
            case "echo" -> echo(p);
            case "set" -> values.set(p.get("var"), values.evaluate(p.get("value")));
            case "config" -> {
                if (p.containsKey("errmsg")) {
                    errmsg = p.get("errmsg");
                }
                if (p.containsKey("timefmt")) {
                    values.timefmt = p.get("timefmt");
                }
            }
            case "include" -> include(p);
            default -> conditional(name, p);
        }
    }

    private void echo(Map<String, String> p) {
        String encoding = p.getOrDefault("encoding", "entity");
        if (!encoding.equals("none") && !encoding.equals("url") && !encoding.equals("entity")) {
            throw new IllegalArgumentException("unknown encoding \"" + encoding + "\" in the \"echo\" command");
        }
        String value = values.get(p.get("var"));
        if (value == null) {
            value = p.containsKey("default") ? values.evaluate(p.get("default")) : "(none)";
        }
        text(SsiValues.encode(value, encoding));
    }

    /** nginx's if/elif/else/endif: one level, no nesting; only the chosen branch is output. */
    private void conditional(String name, Map<String, String> p) {
        switch (name) {
            case "if" -> {
                if (inIf) {
                    throw new IllegalArgumentException("the \"if\" command inside the \"if\" command");
                }
                inIf = true;
                inElse = false;
                output = chosen = values.test(p.get("expr"));
            }
            case "elif" -> {
                requireIf(name);
                if (chosen) {
                    output = false;
                } else {
                    output = chosen = values.test(p.get("expr"));
                }
            }
            case "else" -> {
                requireIf(name);
                inElse = true;
                output = !chosen;
            }
            default -> {
                if (!inIf) {
                    throw new IllegalArgumentException("the \"endif\" command without the \"if\" command");
                }
                inIf = false;
                inElse = false;
                output = true;
                chosen = false;
            }
        }
    }

    private void requireIf(String name) {
        if (!inIf || inElse) {
            throw new IllegalArgumentException("the \"" + name + "\" command without the \"if\" command");
        }
    }

    private void include(Map<String, String> p) {
        String virtual = p.get("virtual");
        String file = p.get("file");
        String wait = p.get("wait");
        String set = p.get("set");
        if (virtual != null && file != null) {
            throw new IllegalArgumentException(
                    "inclusion may be either virtual=\"" + virtual + "\" or file=\"" + file + "\"");
        }
        if (virtual == null && file == null) {
            throw new IllegalArgumentException("no parameter in \"include\" SSI command");
        }
        if (p.containsKey("stub")) {
            throw new IllegalArgumentException("\"stub\" for \"include\" not found");
        }
        boolean waits = file != null;
        if (wait != null) {
            if (virtual == null) {
                throw new IllegalArgumentException("\"wait\" cannot be used with file=\"" + file + "\"");
            }
            if (!wait.equalsIgnoreCase("yes") && !wait.equalsIgnoreCase("no")) {
                throw new IllegalArgumentException("invalid value \"" + wait + "\" in the \"wait\" parameter");
            }
            waits = wait.equalsIgnoreCase("yes");
        }
        String uri = resolve(values.evaluate(virtual != null ? virtual : file));
        String args = null;
        int q = uri.indexOf('?');
        if (q >= 0) {
            args = uri.substring(q + 1);
            uri = uri.substring(0, q);
        }
        if (unsafe(uri)) {
            throw new IllegalArgumentException("unsafe URI \"" + uri + "\" was detected");
        }
        SsiInclude include = new SsiInclude(this, set);
        if (set == null) {
            out.add(include);
        }
        if (ex.subrequest(uri, args, include) == null) {
            include.failed();
            throw new IllegalArgumentException("subrequest to \"" + uri + "\" failed");
        }
        if (set != null || waits) {
            blocking = include;
        }
    }

    /** A URI not starting with "/" is relative to the directory of the request's own URI (nginx's ADD_PREFIX). */
    private String resolve(String uri) {
        if (uri.startsWith("/")) {
            return uri;
        }
        String own = ex.target().path();
        return own.substring(0, own.lastIndexOf('/') + 1) + uri;
    }

    /** ngx_http_parse_unsafe_uri: no ".." segment and no NUL may leave the server's URI space. */
    private static boolean unsafe(String uri) {
        return uri.indexOf('\0') >= 0 || uri.equals("..") || uri.startsWith("../") || uri.contains("/../")
                || uri.endsWith("/..");
    }
}
