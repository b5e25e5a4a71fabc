package io.ferry.files;

/**
 * etag, if_modified_since and sendfile_max_chunk of one level; {@code sendfileMaxChunk} 0 is
 * unlimited, as in nginx.
 */
record FileSettings(boolean etag, IfModifiedSince ifModifiedSince, long sendfileMaxChunk) {
    static final FileSettings DEFAULT = new FileSettings(true, IfModifiedSince.EXACT, 2L * 1024 * 1024);

    /** How If-Modified-Since is compared with the file's time (nginx's if_modified_since). */
    enum IfModifiedSince { OFF, EXACT, BEFORE }
}
