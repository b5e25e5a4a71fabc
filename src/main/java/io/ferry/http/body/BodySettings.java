package io.ferry.http.body;

import java.nio.file.Path;
import java.util.List;

/**
 * The request body settings of one level: client_body_buffer_size (bytes kept in memory),
 * client_body_temp_path (where a longer body goes, with its subdirectory levels),
 * client_body_in_file_only and client_body_in_single_buffer.
 */
public record BodySettings(long bufferSize, Path tempPath, List<Integer> levels, InFileOnly inFileOnly, boolean singleBuffer) {
    /** nginx's default on 64-bit platforms: two memory pages. */
    public static final long DEFAULT_BUFFER = 16 * 1024;

    public enum InFileOnly {
        OFF, ON, CLEAN
    }
}
