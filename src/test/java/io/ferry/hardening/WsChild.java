package io.ferry.hardening;

import io.ferry.testing.SocketBackend;
import io.ferry.demo.EchoBackend;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The far ends of the idle-WebSocket test, run as child JVMs so that their sockets do not count
 * against the test JVM's descriptor limit (which Ferry, in-process, needs two of per tunnel).
 * <ul>
 * <li>{@code echo}: starts {@link EchoBackend} on 127.0.0.1, prints {@code PORT n}, runs until stdin closes.</li>
 * <li>{@code clients PORT N PATH}: opens N WebSockets through Ferry with a minimal raw-socket client
 * (handshake checked, masked frames), prints {@code OPEN ok failed millis}; on {@code ECHO} sends one
 * text message on each and checks the echo, prints {@code ECHO ok failed millis}; on stdin EOF closes all.</li>
 * </ul>
 */
public final class WsChild {
    private static final int THREADS = 16;

    private WsChild() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        if (args[0].equals("echo")) {
            try (EchoBackend echo = EchoBackend.start(new InetSocketAddress("127.0.0.1", 0))) {
                System.out.println("PORT " + echo.port());
                System.out.flush();
                while (stdin.readLine() != null) {
                    // wait for the parent to let go
                }
            }
            System.exit(0);
        }
        int port = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        String path = args[3];
        Socket[] sockets = new Socket[n];
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            int idx = i;
            pool.execute(() -> {
                try {
                    sockets[idx] = open(port, path);
                    ok.incrementAndGet();
                } catch (Exception e) {
                    if (failed.incrementAndGet() <= 5) {
                        System.err.println("open " + idx + " failed: " + e);
                    }
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.MINUTES);
        System.out.printf("OPEN %d %d %d%n", ok.get(), failed.get(), (System.nanoTime() - t0) / 1_000_000);
        System.out.flush();
        String line;
        while ((line = stdin.readLine()) != null) {
            if (line.equals("ECHO")) {
                ExecutorService echoPool = Executors.newFixedThreadPool(THREADS);
                AtomicInteger echoed = new AtomicInteger();
                AtomicInteger lost = new AtomicInteger();
                long e0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    int idx = i;
                    echoPool.execute(() -> {
                        try {
                            Socket s = sockets[idx];
                            if (s == null) {
                                throw new IOException("never opened");
                            }
                            String text = "final message " + idx;
                            sendText(s.getOutputStream(), text);
                            String back = readText(s.getInputStream());
                            if (!text.equals(back)) {
                                throw new IOException("echo was " + back);
                            }
                            echoed.incrementAndGet();
                        } catch (Exception e) {
                            if (lost.incrementAndGet() <= 5) {
                                System.err.println("echo " + idx + " failed: " + e);
                            }
                        }
                    });
                }
                echoPool.shutdown();
                echoPool.awaitTermination(10, TimeUnit.MINUTES);
                System.out.printf("ECHO %d %d %d%n", echoed.get(), lost.get(), (System.nanoTime() - e0) / 1_000_000);
                System.out.flush();
            }
        }
        for (Socket s : sockets) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }
        System.exit(0);
    }

    static Socket open(int port, String path) throws Exception {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress("127.0.0.1", port), 20_000);
        s.setSoTimeout(30_000);
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        OutputStream out = s.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String head = SocketBackend.readHead(s.getInputStream());
        if (head == null || !head.startsWith("HTTP/1.1 101")) {
            s.close();
            throw new IOException("handshake answered " + head);
        }
        String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
        if (!head.toLowerCase().contains("sec-websocket-accept: " + accept.toLowerCase())) {
            s.close();
            throw new IOException("bad Sec-WebSocket-Accept in " + head);
        }
        return s;
    }

    /** One masked, final text frame (payload under 126 bytes). */
    static void sendText(OutputStream out, String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x81);
        frame.write(0x80 | payload.length);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** Reads one unmasked server frame and returns its payload as text. */
    static String readText(InputStream in) throws IOException {
        int b0 = in.read();
        int b1 = in.read();
        if (b0 < 0 || b1 < 0) {
            throw new IOException("closed");
        }
        long len = b1 & 0x7f;
        if (len == 126) {
            len = (in.read() << 8) | in.read();
        } else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) {
                len = (len << 8) | in.read();
            }
        }
        byte[] payload = in.readNBytes((int) len);
        if ((b0 & 0x0f) != 1) {
            throw new IOException("opcode " + (b0 & 0x0f));
        }
        return new String(payload, StandardCharsets.UTF_8);
    }
}
