package org.idnode.server.handler;

import java.util.List;

import net.handle.hdllib.Encoder;
import net.handle.hdllib.HandleValue;

/**
 * Test fixture: value blocks in the layout the record cache keeps (the count, then each value as CNRI's
 * {@link Encoder#encodeHandleValue} writes it alone), built without the node's own encoder so that tests of the
 * readers of that layout have an independent source.
 */
public final class ValueBlocks {
    private ValueBlocks() {
    }

    /** The block of {@code values}, in order. */
    public static byte[] of(List<HandleValue> values) {
        byte[][] encoded = new byte[values.size()][];
        int size = 4;
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = Encoder.encodeHandleValue(values.get(i));
            size += encoded[i].length;
        }
        byte[] block = new byte[size];
        int p = Encoder.writeInt(block, 0, encoded.length);
        for (byte[] e : encoded) {
            System.arraycopy(e, 0, block, p, e.length);
            p += e.length;
        }
        return block;
    }
}
