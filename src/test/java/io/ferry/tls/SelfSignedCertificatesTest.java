package io.ferry.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.testing.TestTls;
import io.ferry.tls.SelfSignedCertificates.KeyEncoding;
import io.ferry.tls.SelfSignedCertificates.KeyType;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SelfSignedCertificatesTest {

    private static EventLoopGroup group;

    @TempDir
    Path dir;

    @BeforeAll
    static void startGroup() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopGroup() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static Stream<Arguments> combinations() {
        return Arrays.stream(KeyType.values()).flatMap(type -> Arrays.stream(KeyEncoding.values())
                .flatMap(encoding -> Stream.of(SslProvider.OPENSSL, SslProvider.JDK)
                        .map(provider -> Arguments.of(type, encoding, provider))));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("combinations")
    void nettyServesTheCertificateToAJdkClient(KeyType type, KeyEncoding encoding, SslProvider provider)
            throws Exception {
        assumeTrue(provider != SslProvider.OPENSSL || OpenSsl.isAvailable(), "OpenSSL is not available");
        Path cert = dir.resolve("certs/server.crt");
        Path key = dir.resolve("private/server.key");
        SelfSignedCertificates.write(cert, key, List.of("localhost", "ferry.test"), type, encoding);

        assertThat(Files.readString(key)).startsWith("-----BEGIN " + keyLabel(type, encoding) + "-----");
        SslContext server = SslContextBuilder.forServer(cert.toFile(), key.toFile()).sslProvider(provider).build();
        try {
            assertThat(server).isInstanceOf(provider == SslProvider.OPENSSL ? OpenSslContext.class : JdkSslContext.class);
            X509Certificate peer = handshake(server, cert);
            assertThat(peer.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
            assertThat(peer.getSigAlgName()).isEqualTo(type == KeyType.RSA_2048 ? "SHA256withRSA" : "SHA256withECDSA");
            assertThat(peer.getBasicConstraints()).isEqualTo(-1);
            assertThat(peer.getSubjectAlternativeNames()).containsExactlyInAnyOrder(
                    List.of(2, "localhost"), List.of(2, "ferry.test"), List.of(7, "127.0.0.1"));
        } finally {
            ReferenceCountUtil.release(server);
        }
    }

    @Test
    void keyFileIsReadableByTheOwnerOnly() throws Exception {
        Path cert = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        SelfSignedCertificates.writeDefault(cert, key);

        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.readString(cert)).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
    }

    private static String keyLabel(KeyType type, KeyEncoding encoding) {
        if (encoding == KeyEncoding.PKCS8) {
            return "PRIVATE KEY";
        }
        return type == KeyType.RSA_2048 ? "RSA PRIVATE KEY" : "EC PRIVATE KEY";
    }

    private static X509Certificate handshake(SslContext serverContext, Path trustedCert) throws Exception {
        CompletableFuture<Channel> serverHandshake = new CompletableFuture<>();
        Channel listener = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslHandler ssl = serverContext.newHandler(ch.alloc());
                        ssl.handshakeFuture().addListener(f -> {
                            if (f.isSuccess()) {
                                serverHandshake.complete(ch);
                            } else {
                                serverHandshake.completeExceptionally(f.cause());
                            }
                        });
                        ch.pipeline().addLast(ssl);
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        try (SSLSocket socket = (SSLSocket) TestTls.trusting(trustedCert).getSocketFactory()
                .createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName("localhost")));
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            serverHandshake.get(10, TimeUnit.SECONDS);
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        } finally {
            listener.close().sync();
        }
    }
}
