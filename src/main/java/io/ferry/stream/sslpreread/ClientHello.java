package io.ferry.stream.sslpreread;

import java.nio.charset.StandardCharsets;

/**
 * What ssl_preread learns from a client's first bytes, read as nginx's
 * ngx_stream_ssl_preread_module reads them: TLS records are taken whole, the ClientHello inside
 * them is parsed as a state machine that carries over from one record to the next (a hello split
 * over several records, even in the middle of the server name, is read as one), and only the
 * protocol version, the SNI host name and the ALPN protocol list are kept. Nothing is decrypted
 * and the bytes themselves are left to the caller, who forwards them as they came.
 */
public final class ClientHello {
    /** What {@link #read} concluded. */
    public enum Result {
        /** The hello so far is well-formed but incomplete: more bytes are needed. */
        AGAIN,
        /** The hello was read: the variables have their values. */
        DONE,
        /** Not a TLS ClientHello (or one nginx's parser refuses): the variables are not found. */
        NOT_TLS
    }

    private enum State {
        START, HEADER, VERSION, RANDOM, SID_LEN, SID, CS_LEN, CS, CM_LEN, CM, EXT, EXT_HEADER,
        SNI_LEN, SNI_HOST_HEAD, SNI_HOST, ALPN_LEN, ALPN_PROTO_LEN, ALPN_PROTO_DATA, SUPVER_LEN
    }

    /** Where the next unread record of the client's bytes begins. */
    private int pos;
    private State state = State.START;
    private int size;
    private int left;
    private int ext;
    /** Where the bytes being skipped over go: null to drop them, else {@code dst} from {@code dstOff}. */
    private byte[] dst;
    private int dstOff;
    private final byte[] buf = new byte[4];
    private final byte[] version = new byte[2];
    private byte[] host;
    private int hostLen;
    private byte[] alpn;
    private int alpnLen;

    /**
     * Reads what {@code data[0..last)} (every byte the client sent so far, the same prefix each call
     * plus what arrived since) adds to the hello.
     */
    public Result read(byte[] data, int last) {
        int p = pos;
        while (last - p >= 5) {
            if ((data[p] & 0x80) != 0 && data[p + 2] == 1 && (data[p + 3] == 0 || data[p + 3] == 3)) {
                // an SSLv2-format hello: its version is all there is to learn
                version[0] = data[p + 3];
                version[1] = data[p + 4];
                return Result.DONE;
            }
            if (data[p] != 0x16 || data[p + 1] != 3) {
                return Result.NOT_TLS;
            }
            int len = ((data[p + 3] & 0xff) << 8) + (data[p + 4] & 0xff);
            if (last - p < len + 5) {
                break;
            }
            p += 5;
            Result r = parseRecord(data, p, p + len);
            if (r != Result.AGAIN) {
                return r;
            }
            p += len;
        }
        pos = p;
        return Result.AGAIN;
    }

    private Result parseRecord(byte[] data, int at, int last) {
        byte[] b = buf;
        for (;;) {
            int n = Math.min(last - at, size);
            if (dst != null) {
                System.arraycopy(data, at, dst, dstOff, n);
                dstOff += n;
            }
            at += n;
            size -= n;
            left -= n;
            if (size != 0) {
                break;
            }
            switch (state) {
                case START -> {
                    state = State.HEADER;
                    into(b);
                    size = 4;
                    left = size;
                }
                case HEADER -> {
                    if (b[0] != 1) {
                        return Result.NOT_TLS;
                    }
                    state = State.VERSION;
                    into(version);
                    size = 2;
                    left = (u(b[1]) << 16) + (u(b[2]) << 8) + u(b[3]);
                }
                case VERSION -> {
                    state = State.RANDOM;
                    dst = null;
                    size = 32;
                }
                case RANDOM -> next(State.SID_LEN, 1);
                case SID_LEN -> skip(State.SID, u(b[0]));
                case SID -> next(State.CS_LEN, 2);
                case CS_LEN -> skip(State.CS, (u(b[0]) << 8) + u(b[1]));
                case CS -> next(State.CM_LEN, 1);
                case CM_LEN -> skip(State.CM, u(b[0]));
                case CM, EXT -> {
                    if (left == 0) {
                        return Result.DONE;
                    }
                    next(state == State.CM ? State.EXT : State.EXT_HEADER, state == State.CM ? 2 : 4);
                }
                case EXT_HEADER -> {
                    if (b[0] == 0 && b[1] == 0 && host == null) {
                        next(State.SNI_LEN, 2);
                    } else if (b[0] == 0 && b[1] == 16 && alpn == null) {
                        next(State.ALPN_LEN, 2);
                    } else if (b[0] == 0 && b[1] == 43) {
                        next(State.SUPVER_LEN, 1);
                    } else {
                        skip(State.EXT, (u(b[2]) << 8) + u(b[3]));
                    }
                }
                case SNI_LEN -> {
                    ext = (u(b[0]) << 8) + u(b[1]);
                    next(State.SNI_HOST_HEAD, 3);
                }
                case SNI_HOST_HEAD -> {
                    if (b[0] != 0) {
                        return Result.NOT_TLS;
                    }
                    size = (u(b[1]) << 8) + u(b[2]);
                    if (ext < 3 + size) {
                        return Result.NOT_TLS;
                    }
                    ext -= 3 + size;
                    host = new byte[size];
                    state = State.SNI_HOST;
                    into(host);
                }
                case SNI_HOST -> {
                    hostLen = (u(b[1]) << 8) + u(b[2]);
                    skip(State.EXT, ext);
                }
                case ALPN_LEN -> {
                    ext = (u(b[0]) << 8) + u(b[1]);
                    alpn = new byte[ext];
                    next(State.ALPN_PROTO_LEN, 1);
                }
                case ALPN_PROTO_LEN -> {
                    size = u(b[0]);
                    if (size == 0 || ext < 1 + size) {
                        return Result.NOT_TLS;
                    }
                    ext -= 1 + size;
                    state = State.ALPN_PROTO_DATA;
                    dst = alpn;
                    dstOff = alpnLen;
                }
                case ALPN_PROTO_DATA -> {
                    alpnLen += u(b[0]);
                    if (ext != 0) {
                        alpn[alpnLen++] = ',';
                        next(State.ALPN_PROTO_LEN, 1);
                    } else {
                        skip(State.EXT, 0);
                    }
                }
                case SUPVER_LEN -> {
                    // a client that lists supported_versions speaks TLSv1.3
                    version[0] = 3;
                    version[1] = 4;
                    skip(State.EXT, u(b[0]));
                }
            }
            if (left < size) {
                return Result.NOT_TLS;
            }
        }
        return Result.AGAIN;
    }

    /** The next field is {@code n} bytes kept in the small buffer. */
    private void next(State s, int n) {
        state = s;
        into(buf);
        size = n;
    }

    /** The next field is {@code n} bytes nobody keeps. */
    private void skip(State s, int n) {
        state = s;
        dst = null;
        size = n;
    }

    private void into(byte[] target) {
        dst = target;
        dstOff = 0;
    }

    private static int u(byte b) {
        return b & 0xff;
    }

    /** $ssl_preread_protocol: the highest version the client offers, in SSL_get_version()'s words ("" when unknown). */
    public String protocol() {
        if (version[0] == 0 && version[1] == 2) {
            return "SSLv2";
        }
        if (version[0] != 3) {
            return "";
        }
        return switch (version[1]) {
            case 0 -> "SSLv3";
            case 1 -> "TLSv1";
            case 2 -> "TLSv1.1";
            case 3 -> "TLSv1.2";
            case 4 -> "TLSv1.3";
            default -> "";
        };
    }

    /** $ssl_preread_server_name: the SNI host name, "" without one. */
    public String serverName() {
        return host == null ? "" : new String(host, 0, Math.min(hostLen, host.length), StandardCharsets.ISO_8859_1);
    }

    /** $ssl_preread_alpn_protocols: the offered protocols, comma-separated, "" without the extension. */
    public String alpnProtocols() {
        return alpn == null ? "" : new String(alpn, 0, alpnLen, StandardCharsets.ISO_8859_1);
    }
}
