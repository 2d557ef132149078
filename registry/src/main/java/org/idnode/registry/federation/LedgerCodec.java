package org.idnode.registry.federation;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.idnode.registry.store.StoreException;

/**
 * Binary forms of the ledger's entries: a format byte, then the fields in order; strings and byte strings as a
 * 4-byte length and the bytes (strings UTF-8). Stateless.
 */
final class LedgerCodec {
    private static final byte FORMAT = 1;
    private static final byte ENTERPRISE_PREFIX = 1;
    private static final byte REGISTRATION = 2;
    private static final byte REGISTRATION_COUNT = 3;
    private static final byte SITE = 4;

    private LedgerCodec() {
    }

    static byte[] encode(SecondaryNode n) {
        return write(out -> {
            string(out, n.prefix());
            bytes(out, n.publicKey());
            bytes(out, n.site());
            out.writeLong(n.addedMillis());
            out.writeLong(n.siteChangedMillis());
            out.writeLong(n.appliedThrough());
        });
    }

    static SecondaryNode decodeNode(byte[] data) {
        return read(data, in -> new SecondaryNode(string(in), bytes(in), bytes(in), in.readLong(), in.readLong(), in.readLong()));
    }

    static byte[] encode(FiledEnterprisePrefix e) {
        return write(out -> {
            string(out, e.prefix());
            string(out, e.state());
            string(out, e.enterprise());
            for (long v : new long[] {e.firstSequence(), e.lastSequence(), e.registered(), e.deleted(), e.countedRegistered(), e.countedDeleted()}) {
                out.writeLong(v);
            }
        });
    }

    static FiledEnterprisePrefix decodeEnterprisePrefix(byte[] data) {
        return read(data, in -> new FiledEnterprisePrefix(string(in), string(in), string(in), in.readLong(), in.readLong(),
                in.readLong(), in.readLong(), in.readLong(), in.readLong()));
    }

    static byte[] encode(Filed f) {
        return write(out -> {
            out.writeLong(f.sequence());
            out.writeLong(f.timeMillis());
            out.writeLong(f.receivedMillis());
            FiledFact fact = f.fact();
            if (fact instanceof FiledFact.EnterprisePrefix p) {
                out.writeByte(ENTERPRISE_PREFIX);
                string(out, p.prefix());
                string(out, p.state());
                string(out, p.enterprise());
                out.writeBoolean(p.created());
            } else if (fact instanceof FiledFact.Registration r) {
                out.writeByte(REGISTRATION);
                string(out, r.handle());
                out.writeBoolean(r.deleted());
                string(out, r.template());
            } else if (fact instanceof FiledFact.RegistrationCount c) {
                out.writeByte(REGISTRATION_COUNT);
                string(out, c.prefix());
                out.writeLong(c.registered());
                out.writeLong(c.deleted());
            } else {
                out.writeByte(SITE);
                bytes(out, ((FiledFact.Site) fact).site());
            }
        });
    }

    static Filed decodeFiled(byte[] data) {
        return read(data, in -> {
            long sequence = in.readLong();
            long time = in.readLong();
            long received = in.readLong();
            byte kind = in.readByte();
            FiledFact fact = switch (kind) {
                case ENTERPRISE_PREFIX -> new FiledFact.EnterprisePrefix(string(in), string(in), string(in), in.readBoolean());
                case REGISTRATION -> new FiledFact.Registration(string(in), in.readBoolean(), string(in));
                case REGISTRATION_COUNT -> new FiledFact.RegistrationCount(string(in), in.readLong(), in.readLong());
                case SITE -> new FiledFact.Site(bytes(in));
                default -> throw new IOException("unknown filing kind " + kind);
            };
            return new Filed(sequence, time, received, fact);
        });
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] write(Writer w) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(buf)) {
            out.writeByte(FORMAT);
            w.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return buf.toByteArray();
    }

    private static <T> T read(byte[] data, Reader<T> r) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new IOException("unknown format " + format);
            }
            return r.read(in);
        } catch (IOException | RuntimeException e) {
            throw new StoreException("a stored federation ledger entry is corrupt: " + e.getMessage(), e);
        }
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        bytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static String string(DataInputStream in) throws IOException {
        return new String(bytes(in), StandardCharsets.UTF_8);
    }

    private static void bytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("bad length " + n);
        }
        return in.readNBytes(n);
    }
}
