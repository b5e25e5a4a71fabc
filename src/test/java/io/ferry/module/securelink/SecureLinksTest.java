package io.ferry.module.securelink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The MD5, base64url and expiry checks of secure_link, and the secure_link_secret form. */
class SecureLinksTest {
    private static String base64url(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static byte[] md5(String s) {
        return SecureLinks.md5(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void base64urlDecodesAsNginxDoes() {
        assertThat(SecureLinks.decodeBase64Url("aGVsbG8")).asString().isEqualTo("hello");
        assertThat(SecureLinks.decodeBase64Url("aGVsbG8=")).asString().isEqualTo("hello");
        // decoding stops at the first '=': what follows is not looked at
        assertThat(SecureLinks.decodeBase64Url("aGVsbG8=!!")).asString().isEqualTo("hello");
        assertThat(SecureLinks.decodeBase64Url("-_-_")).containsExactly(0xfb, 0xff, 0xbf);
        assertThat(SecureLinks.decodeBase64Url("+/+/")).isNull();
        assertThat(SecureLinks.decodeBase64Url("aGVsb")).isNull();
        assertThat(SecureLinks.decodeBase64Url("")).isEmpty();
    }

    @Test
    void theHashMustBeTheMd5OfTheValueWithOrWithoutPadding() {
        String hash = base64url(md5("secret/test.html"));
        assertThat(SecureLinks.matches(hash, "secret/test.html")).isTrue();
        assertThat(SecureLinks.matches(hash + "==", "secret/test.html")).isTrue();
        assertThat(SecureLinks.matches(hash, "secret/other.html")).isFalse();
        // 24 characters that decode to 18 bytes, and more than 24
        assertThat(SecureLinks.matches(hash + "QQ", "secret/test.html")).isFalse();
        assertThat(SecureLinks.matches(hash + "-TOOLONG", "secret/test.html")).isFalse();
        assertThat(SecureLinks.matches("BADHASHLENGTH", "secret/test.html")).isFalse();
        assertThat(SecureLinks.matches("", "")).isFalse();
    }

    @Test
    void expiryIsDecimalSecondsOnly() {
        assertThat(SecureLinks.seconds("1700000000")).isEqualTo(1700000000L);
        assertThat(SecureLinks.seconds("0")).isZero();
        assertThat(SecureLinks.seconds("")).isEqualTo(-1);
        assertThat(SecureLinks.seconds("-5")).isEqualTo(-1);
        assertThat(SecureLinks.seconds("12a")).isEqualTo(-1);
        assertThat(SecureLinks.seconds("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(SecureLinks.seconds("9223372036854775808")).isEqualTo(-1);
    }

    @Test
    void theSecretFormChecksTheHexMd5OfLinkAndSecret() {
        String hex = HexFormat.of().formatHex(md5("test.htmlsecret"));
        assertThat(SecureLinks.old("/p/" + hex + "/test.html", "secret")).isEqualTo("test.html");
        assertThat(SecureLinks.old("/p/" + hex.toUpperCase() + "/test.html", "secret")).isEqualTo("test.html");
        assertThat(SecureLinks.old("/p/" + hex + "/test.html", "other")).isNull();
        assertThat(SecureLinks.old("/p/" + "x".repeat(32) + "/test.html", "secret")).isNull();
        assertThat(SecureLinks.old("/p/foo/test.html", "secret")).isNull();
        assertThat(SecureLinks.old("/p/" + hex + "/", "secret")).isNull();
        assertThat(SecureLinks.old("/p/test.html", "secret")).isNull();
        assertThat(SecureLinks.old("/p%2f", "secret")).isNull();
        // the query string is part of the link, as nginx reads the request line's target
        String withArgs = HexFormat.of().formatHex(md5("f?a=1secret"));
        assertThat(SecureLinks.old("/d/" + withArgs + "/f?a=1", "secret")).isEqualTo("f?a=1");
    }
}
