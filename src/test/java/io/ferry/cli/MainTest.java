package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The options as nginx's ngx_get_options reads them. */
class MainTest {
    @Test
    void clusteredFlagsAndValuesJoinedOrSeparate() {
        Main m = new Main();
        assertThat(m.parse(new String[] {"-tq", "-p/srv/", "-c", "conf/a.conf", "-g", "daemon off;", "-eerr.log"})).isNull();
        assertThat(m.test).isTrue();
        assertThat(m.quiet).isTrue();
        assertThat(m.prefix).isEqualTo(Path.of("/srv/"));
        assertThat(m.conf).isEqualTo(Path.of("conf/a.conf"));
        assertThat(m.globals).isEqualTo("daemon off;");
        assertThat(m.errorLog).isEqualTo("err.log");
    }

    @Test
    void aValueEndsItsArgument() {
        Main m = new Main();
        assertThat(m.parse(new String[] {"-sreload", "-Vt"})).isNull();
        assertThat(m.signal).isEqualTo("reload");
        assertThat(m.versionFull).isTrue();
        assertThat(m.test).isTrue();
        assertThat(new Main().parse(new String[] {"-ptq"})).isNull();
    }

    @Test
    void errorsSayWhatNginxSays() {
        assertThat(new Main().parse(new String[] {"-x"})).isEqualTo("invalid option: \"x\"");
        assertThat(new Main().parse(new String[] {"-tx"})).isEqualTo("invalid option: \"x\"");
        assertThat(new Main().parse(new String[] {"stop"})).isEqualTo("invalid option: \"stop\"");
        assertThat(new Main().parse(new String[] {"-p"})).isEqualTo("option \"-p\" requires directory name");
        assertThat(new Main().parse(new String[] {"-c"})).isEqualTo("option \"-c\" requires file name");
        assertThat(new Main().parse(new String[] {"-t", "-g"})).isEqualTo("option \"-g\" requires parameter");
        assertThat(new Main().parse(new String[] {"-s"})).isEqualTo("option \"-s\" requires parameter");
    }
}
