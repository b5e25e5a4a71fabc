package io.ferry.module.ssi;

import io.ferry.http.Exchange;
import io.ferry.http.hook.BodyFilter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
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
    /**
     * nginx's command table: the parameters each takes, which of them are mandatory, the
     * if-context it needs (0 none, IF inside if or elif, ELSE also after else) and whether it runs
     * inside a block (endblock only; every other command there is kept as text of the block).
     */
    private record Spec(Set<String> params, Set<String> mandatory, int conditional, boolean block) {
    }

    private static final int IF = 1;
    private static final int ELSE = 2;
    private static final Map<String, Spec> COMMANDS = Map.of(
            "include", new Spec(Set.of("virtual", "file", "wait", "set", "stub"), Set.of(), 0, false),
            "echo", new Spec(Set.of("var", "default", "encoding"), Set.of("var"), 0, false),
            "set", new Spec(Set.of("var", "value"), Set.of("var", "value"), 0, false),
            "config", new Spec(Set.of("errmsg", "timefmt"), Set.of(), 0, false),
            "if", new Spec(Set.of("expr"), Set.of("expr"), 0, false),
            "elif", new Spec(Set.of("expr"), Set.of("expr"), IF, false),
            "else", new Spec(Set.of(), Set.of(), IF, false),
            "endif", new Spec(Set.of(), Set.of(), ELSE, false),
            "block", new Spec(Set.of("name"), Set.of("name"), 0, false),
            "endblock", new Spec(Set.of(), Set.of(), 0, true));

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
    /** nginx's ctx->conditional (0, IF, ELSE), ctx->output and ctx->output_chosen. */
    private int conditional;
    private boolean output = true;
    private boolean chosen;
    /** The blocks defined so far, in order (a stub names the first of its name, as in nginx). */
    private final List<Block> blocks = new ArrayList<>();
    /** The block being recorded (nginx's ctx->block), or null. */
    private Block recording;
    private final String mediaType;

    SsiFilter(Exchange ex, SsiSettings settings, String mediaType) {
        this.ex = ex;
        this.settings = settings;
        this.mediaType = mediaType;
        this.parser = new SsiParser(settings.valueLength());
        this.values = new SsiValues(ex);
    }

    SsiValues values() {
        return values;
    }

    /** The media type of the document, which a stub's replay takes on (ngx_http_ssi_stub_output). */
    String mediaType() {
        return mediaType;
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
        } else if (recording != null) {
            recording.add(bytes);
            bytes.release();
        } else {
            bytes.release();
        }
    }

    private void text(String s) {
        if (!s.isEmpty()) {
            out.add(ByteBufUtil.writeUtf8(ex.context().alloc(), s));
        }
    }

    /** ngx_http_ssi_body_filter's handling of one parsed command. */
    private void command(SsiParser.Command c, ByteBufAllocator alloc) {
        Spec spec = COMMANDS.get(c.name());
        if (!output && (c.error() != null || spec == null)) {
            return;
        }
        try {
            if (c.error() != null) {
                throw new IllegalArgumentException(c.error());
            }
            if (spec == null) {
                throw new IllegalArgumentException("invalid SSI command: \"" + c.name() + "\"");
            }
            if (!output && !spec.block()) {
                if (recording != null) {
                    // a block is replayed through SSI where it is used, so its commands are kept as written
                    recording.add(rewrite(c));
                    return;
                }
                if (spec.conditional() == 0) {
                    return;
                }
            }
            if (spec.conditional() != 0 && (conditional == 0 || conditional > spec.conditional())) {
                throw new IllegalArgumentException("invalid context of SSI command: \"" + c.name() + "\"");
            }
            for (String p : c.params().keySet()) {
                if (!spec.params().contains(p)) {
                    throw new IllegalArgumentException("invalid parameter name: \"" + p + "\" in \"" + c.name() + "\" SSI command");
                }
            }
            for (String p : spec.mandatory()) {
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

    /** The command as nginx writes it back into a block: {@code <!--#name key="value" -->}. */
    private static String rewrite(SsiParser.Command c) {
        StringBuilder b = new StringBuilder("<!--#").append(c.name());
        c.params().forEach((k, v) -> b.append(' ').append(k).append("=\"").append(v).append('"'));
        return b.append(" -->").toString();
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
            case "block" -> {
                recording = new Block(p.get("name"));
                blocks.add(recording);
                output = false;
            }
            case "endblock" -> {
                recording = null;
                output = true;
            }
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

    /**
     * nginx's if/elif/else/endif: one level, no nesting (an if inside a branch not taken is skipped,
     * as nginx does); only the chosen branch is output.
     */
    private void conditional(String name, Map<String, String> p) {
        switch (name) {
            case "if", "elif" -> {
                if (name.equals("if") && conditional != 0) {
                    throw new IllegalArgumentException("the \"if\" command inside the \"if\" command");
                }
                if (chosen) {
                    output = false;
                } else {
                    output = chosen = values.test(p.get("expr"));
                }
                conditional = IF;
            }
            case "else" -> {
                output = !chosen;
                conditional = ELSE;
            }
            default -> {
                output = true;
                chosen = false;
                conditional = 0;
            }
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
        String stub = p.get("stub");
        if (set != null && stub != null) {
            throw new IllegalArgumentException("\"set\" and \"stub\" cannot be used together in \"include\" SSI command");
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
        String uri = SsiUri.resolve(ex.target().path(), values.evaluate(virtual != null ? virtual : file));
        String args = null;
        int q = uri.indexOf('?');
        if (q >= 0) {
            args = uri.substring(q + 1);
            uri = uri.substring(0, q);
        }
        if (SsiUri.unsafe(uri) || uri.indexOf('%') >= 0 && SsiUri.unsafe(uri = SsiUri.unescape(uri))) {
            throw new IllegalArgumentException("unsafe URI \"" + uri + "\" was detected");
        }
        byte[] stubContent = null;
        if (stub != null) {
            stubContent = blocks.stream().filter(b -> b.name().equals(stub)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("\"stub\"=\"" + stub + "\" for \"include\" not found"))
                    .content();
        }
        SsiInclude include = new SsiInclude(this, set, stubContent);
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
}
