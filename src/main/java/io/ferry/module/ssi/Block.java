package io.ferry.module.ssi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * What a block/endblock pair holds: its text and, written back as text, its commands, to be run
 * through SSI again where an include's stub uses it. Kept as bytes of its own, since every include
 * naming it gets a fresh copy and the document's buffers are long gone by then.
 */
final class Block {
    private final String name;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Block(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    void add(ByteBuf text) {
        bytes.writeBytes(ByteBufUtil.getBytes(text));
    }

    void add(String command) {
        bytes.writeBytes(command.getBytes(StandardCharsets.UTF_8));
    }

    byte[] content() {
        return bytes.toByteArray();
    }
}
