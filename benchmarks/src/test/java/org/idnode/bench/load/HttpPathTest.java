package org.idnode.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class HttpPathTest {
    @Test
    void handlesArePercentEncodedExceptUnreservedCharactersAndSlash() {
        assertThat(path("88.999.2/PCB.87.01.01.A2.250601.000123")).isEqualTo("88.999.2/PCB.87.01.01.A2.250601.000123");
        assertThat(path("88.999/a b+c?d#e%f")).isEqualTo("88.999/a%20b%2Bc%3Fd%23e%25f");
        assertThat(path("88.999/批")).isEqualTo("88.999/%E6%89%B9");
        assertThat(path("88.999/x_y~z-1")).isEqualTo("88.999/x_y~z-1");
    }

    private static String path(String handle) {
        byte[] b = handle.getBytes(StandardCharsets.UTF_8);
        ByteBuf out = Unpooled.buffer();
        HttpWorker.writePath(out, b, 0, b.length);
        return out.toString(StandardCharsets.US_ASCII);
    }
}
