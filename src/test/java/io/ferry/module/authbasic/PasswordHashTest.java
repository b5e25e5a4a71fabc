package io.ferry.module.authbasic;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every password format of an htpasswd file, with values made by `openssl passwd` (-apr1, -1, -5,
 * -6) and the C library's crypt(3) (DES and bcrypt) for the password "password".
 */
class PasswordHashTest {

    private static boolean matches(String password, String stored) {
        return PasswordHash.matches(password.getBytes(StandardCharsets.ISO_8859_1), stored);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "sa3tHJ3/KuYvI",
            "$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/",
            "$1$ab$oKsM6dtDD2L1bKowOBX.7.",
            "$apr1$saltsalt$yAAkm4libquA.ZWLHbSBq/",
            "$apr1$salt$Xxd1irWT9ycqoYxGFn4cb.",
            "$5$saltsalt$gOjOtoMpVhru2uyjeJSEc/JaLQWOXMNmlOnj6T4AtC.",
            "$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/",
            "$2y$05$abcdefghijklmnopqrstuuWG29KuyeAicPCJODk1zjyGvyQUU2awu",
            "$2a$05$abcdefghijklmnopqrstuuWG29KuyeAicPCJODk1zjyGvyQUU2awu",
            "$2b$05$abcdefghijklmnopqrstuuWG29KuyeAicPCJODk1zjyGvyQUU2awu",
            "{PLAIN}password",
            "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=",
            "{SSHA}yI6cZwQadOA1e+/f+T+H3eCQQhRzYWx0"})
    void theRightPasswordMatchesAndAWrongOneDoesNot(String stored) {
        assertThat(matches("password", stored)).isTrue();
        assertThat(matches("passwore", stored)).isFalse();
        assertThat(matches("", stored)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"$1$", "$apr1$", "{SSHA}_____wQadOA1e+/f+T+H3eCQQhRzYWx0", "{SSHA}Zm9vCg==",
            "{SHA}_____Mm5Pz8GgiULbPgzG37mj9g=", "{SHA}Zm9vCg==", "$2y$05$short", "$y$j9T$unsupported", "", "sa3tHJ3/KuYv"})
    void aBrokenOrUnknownValueMatchesNothing(String stored) {
        assertThat(matches("password", stored)).isFalse();
        assertThat(matches("1", stored)).isFalse();
    }

    @org.junit.jupiter.api.Test
    void desReadsEightCharactersAndBcryptSeventyTwoBytes() {
        assertThat(matches("password-and-more", "sa3tHJ3/KuYvI")).isTrue();
        String seventyTwo = "p".repeat(72);
        String stored = org.bouncycastle.crypto.generators.OpenBSDBCrypt.generate("2b",
                seventyTwo.getBytes(StandardCharsets.ISO_8859_1), new byte[16], 4);
        assertThat(matches(seventyTwo + "ignored", stored)).isTrue();
    }
}
