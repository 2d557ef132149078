package org.idnode.registry.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.idnode.registry.model.AuditEntry;

/** Binary form of an audit entry: time (8 bytes), then actor, operation, handle and detail as length-prefixed UTF-8. */
final class AuditCodec {
    private AuditCodec() {
    }

    static byte[] encode(AuditEntry e) {
        byte[][] parts = {utf8(e.actor()), utf8(e.operation()), utf8(e.handle()), utf8(e.detail())};
        int size = 8;
        for (byte[] p : parts) {
            size += 4 + p.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(size).putLong(e.timeMillis());
        for (byte[] p : parts) {
            buf.putInt(p.length).put(p);
        }
        return buf.array();
    }

    static AuditEntry decode(byte[] bytes) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            long time = buf.getLong();
            String[] parts = new String[4];
            for (int i = 0; i < parts.length; i++) {
                byte[] p = new byte[buf.getInt()];
                buf.get(p);
                parts[i] = new String(p, StandardCharsets.UTF_8);
            }
            return new AuditEntry(time, parts[0], parts[1], parts[2], parts[3]);
        } catch (RuntimeException e) {
            throw new StoreException("stored audit entry is corrupt", e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
