package io.ferry.module.ssi;

import java.util.Set;

/**
 * One level's SSI settings. {@code types} null means "*" (any type); {@code minFileChunk} is kept
 * for -t only: Ferry's SSI copies every part through memory, so no part goes out by sendfile.
 */
record SsiSettings(boolean enabled, Set<String> types, boolean silentErrors, int valueLength, boolean lastModified,
                   long minFileChunk) {
    static final Set<String> DEFAULT_TYPES = Set.of("text/html");
    static final SsiSettings DEFAULT = new SsiSettings(false, DEFAULT_TYPES, false, 255, false, 1024);

    boolean processes(String mediaType) {
        return types == null || types.contains(mediaType);
    }
}
