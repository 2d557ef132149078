package org.idnode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import net.handle.hdllib.HandleResolver;
import net.handle.hdllib.HandleValue;
import net.handle.hdllib.Interface;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.idnode.server.backup.Backups;
import org.idnode.server.fuzz.HandleMessages;
import org.idnode.server.fuzz.Mutations;
import org.slf4j.LoggerFactory;

/**
 * Random and mutated Handle datagrams and TCP streams thrown at a live in-process node on 127.0.0.1 (the sample PCB
 * data loaded), with Netty's leak detector at {@code PARANOID}. After each property the node must still answer CNRI's
 * own resolver over UDP and TCP with exactly the values it gave before the fuzzing, and the leak detector must have
 * reported nothing (its log is captured; {@link #theLeakCheckSeesALeak} shows that it would).
 */
@Tag("fuzz")
class LiveNodeFuzzTest {
    static final String HANDLE = "88.999.2/PCB.87.01.01.A2.250601.000123";

    static Path dir;
    static TestNode node;
    static Map<Integer, String> expected;
    static ResourceLeakDetector.Level savedLevel;
    static final ListAppender<ILoggingEvent> LEAKS = new ListAppender<>();

    @BeforeContainer
    static void start() throws Exception {
        savedLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        LEAKS.start();
        ((Logger) LoggerFactory.getLogger(ResourceLeakDetector.class)).addAppender(LEAKS);
        dir = Files.createTempDirectory("live-fuzz");
        Path sample = Path.of(System.getProperty("idnode.project.root"), "conf", "sample-data", "pcb-sample.jsonl");
        TestNode.importLines(dir.resolve("data"), Files.readAllLines(sample, StandardCharsets.UTF_8));
        // The sample lot's answer is over the default UDP amplification budget; this class compares UDP and TCP answers.
        node = TestNode.start(dir.resolve("data"), List.of(), "limits: {udp-amplification-factor: 100}\n");
        expected = resolve(Interface.SP_HDL_UDP);
        assertThat(expected).isNotEmpty();
        assertThat(resolve(Interface.SP_HDL_TCP)).isEqualTo(expected);
    }

    @AfterContainer
    static void stop() throws IOException {
        if (node != null) {
            node.close();
        }
        ((Logger) LoggerFactory.getLogger(ResourceLeakDetector.class)).detachAppender(LEAKS);
        ResourceLeakDetector.setLevel(savedLevel);
        Backups.deleteRecursively(dir);
    }

    @BeforeProperty
    void forgetLeaks() {
        LEAKS.list.clear();
    }

    /** The node still resolves correctly over both transports, and no buffer leaked. */
    @AfterProperty
    void stillAnswersAndLeaksNothing() throws Exception {
        assertThat(resolve(Interface.SP_HDL_UDP)).as("UDP answer after fuzzing").isEqualTo(expected);
        assertThat(resolve(Interface.SP_HDL_TCP)).as("TCP answer after fuzzing").isEqualTo(expected);
        provokeLeakReports();
        assertThat(LEAKS.list).as("Netty leak reports").isEmpty();
    }

    @Provide
    Arbitrary<byte[]> datagrams() {
        return Mutations.inputs(HandleMessages.wholeMessages(), 600);
    }

    @Provide
    Arbitrary<List<byte[]>> streams() {
        return Mutations.inputs(HandleMessages.wholeMessages(), 300).list().ofMinSize(1).ofMaxSize(3);
    }

    @Property(tries = 1000)
    void datagrams(@ForAll("datagrams") byte[] datagram) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.send(new DatagramPacket(datagram, datagram.length, InetAddress.getLoopbackAddress(), node.handlePort()));
        }
    }

    @Property(tries = 100)
    void tcpStreams(@ForAll("streams") List<byte[]> parts) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), node.handlePort()), 5000);
            s.setSoTimeout(300);
            OutputStream out = s.getOutputStream();
            try {
                for (byte[] p : parts) {
                    out.write(p);
                }
                out.flush();
                s.shutdownOutput();
            } catch (IOException e) {
                return; // the node closed the connection on an earlier frame
            }
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            try {
                while (in.read(buf) >= 0) {
                    // Answers and error answers are read and dropped; the node closes on refused input.
                }
            } catch (SocketTimeoutException | java.net.SocketException e) {
                // A frame the node still waits for the rest of, or a reset after a refusal.
            }
        }
    }

    /** The leak check is not blind: a buffer dropped without release is reported through the captured log. */
    @Example
    void theLeakCheckSeesALeak() throws Exception {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.buffer(64);
        leaked.writeInt(42);
        leaked = null;
        for (int i = 0; i < 50 && LEAKS.list.isEmpty(); i++) {
            provokeLeakReports();
        }
        assertThat(LEAKS.list).as("the deliberate leak is reported").isNotEmpty();
        assertThat(LEAKS.list.get(0).getFormattedMessage()).contains("LEAK");
        LEAKS.list.clear();
    }

    /** Leaks are reported when a dropped buffer has been collected and another one is allocated. */
    private static void provokeLeakReports() throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(50);
            for (int i = 0; i < 200; i++) {
                PooledByteBufAllocator.DEFAULT.buffer(32).release();
            }
        }
    }

    /** The node's public answer for {@link #HANDLE} through CNRI's resolver on one transport: index → "TYPE=data". */
    private static Map<Integer, String> resolve(int protocol) throws Exception {
        HandleResolver r = CnriClients.resolver(node.site(), "88.999.2", protocol);
        Map<Integer, String> out = new TreeMap<>();
        for (HandleValue v : r.resolveHandle(HANDLE, null, null)) {
            out.put(v.getIndex(), v.getTypeAsString() + "=" + v.getDataAsString());
        }
        return out;
    }
}
