package org.idnode.bench.dataset;

import java.io.IOException;
import java.time.LocalDate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.SplittableRandom;

import org.idnode.bench.dataset.PcbCatalog.Design;
import org.idnode.bench.dataset.PcbCatalog.Grade;
import org.idnode.bench.dataset.PcbCatalog.Part;

/**
 * Generates the records of one data set in file order. First the four enterprise prefix handles
 * {@code 0.NA/<prefix>.1..4} and each enterprise's {@code <prefix>.N/ENTERPRISE} record; then
 * production blocks of {@value #BLOCK} records, each a small slice of the chain:
 * <ol>
 *   <li>1 copper-clad laminate lot ({@code <prefix>.1/CCL...});</li>
 *   <li>2 PCB lots made from it ({@code <prefix>.2/PCB...}, {@code REF.CCL_LOT});</li>
 *   <li>6 working panels, 3 per lot ({@code <prefix>.2/PNL...}, {@code REF.PCB_LOT}); one panel in
 *       eight carries its full process history (an answer of several UDP packets);</li>
 *   <li>5 component reels ({@code <prefix>.3/REEL...});</li>
 *   <li>26 PCBA units ({@code <prefix>.4/PCBA...}) built on one of the block's PCB lots with parts from
 *       this block's and the previous block's reels ({@code REF.PCB_LOT}, {@code REF.REEL}), each with
 *       8, about 13 or about 21 values; every record bound to a template validates against conf/templates.</li>
 * </ol>
 * References only point back to records already written, so any prefix of the file is consistent.
 * Every block draws from its own random stream derived from the seed and the block number; memory use
 * is constant. In the {@link DatasetGenerator.Shape#ANCHOR anchor} shape every record after the header
 * is a PCBA unit with exactly six public values (an answer of about 380 bytes), the record shape of the
 * performance anchors.
 *
 * <p>Not thread-safe.
 */
final class SupplyChain {
    static final int BLOCK = 40;
    static final int HEADER = 8;
    private static final LocalDate EPOCH = LocalDate.of(2025, 1, 1);
    private static final int BLOCKS_PER_DAY = 200;
    private static final int DAYS = 3 * 365;

    private final String prefix;
    private final long seed;
    private final DatasetGenerator.Shape shape;
    private final RecordWriter out;
    private String[] previousReels = new String[0];
    private long ordinal;

    SupplyChain(String prefix, long seed, DatasetGenerator.Shape shape, RecordWriter out) {
        this.prefix = prefix;
        this.seed = seed;
        this.shape = shape;
        this.out = out;
    }

    /** Writes records until the writer is full. */
    void generate() throws IOException {
        header();
        for (long block = 0; !out.full(); block++) {
            if (shape == DatasetGenerator.Shape.ANCHOR) {
                anchorBlock(block);
            } else {
                block(block);
            }
        }
    }

    private String enterprise(int n) {
        return prefix + "." + n;
    }

    private void header() throws IOException {
        String[] desc = {
            "sample copper-clad laminate maker", "sample PCB fab", "sample component distributor", "sample PCBA assembler"};
        for (int n = 1; n <= 4 && !out.full(); n++) {
            String handle = "0.NA/" + enterprise(n);
            begin(handle);
            out.admin(100, handle, 300);
            out.string(2, "DESC", "Enterprise prefix " + enterprise(n) + ": " + desc[n - 1]);
            out.end();
        }
        String[][] companies = {
            {"ccl", "示例覆铜板有限公司 / Example Laminate Co. (test enterprise, copper-clad laminate maker)"},
            {"pcb", "示例电路板有限公司 / Example PCB Fab Co. (test enterprise, printed circuit board fab)"},
            {"dist", "示例元器件分销有限公司 / Example Components Distribution Co. (test enterprise, component distributor)"},
            {"pcba", "示例电子组装有限公司 / Example Assembly Co. (test enterprise, PCBA assembler)"}};
        for (int n = 1; n <= 4 && !out.full(); n++) {
            String site = companies[n - 1][0];
            begin(enterprise(n) + "/ENTERPRISE");
            out.string(1, "URL", "https://example.com/" + site + "/");
            out.string(2, "DESC", companies[n - 1][1]);
            out.string(3, "EMAIL", "trace@" + site + ".example.com");
            if (n == 3) {
                byte[] digest = new byte[32];
                new SplittableRandom(seed ^ 0xC3A5C85C97CB3127L).nextBytes(digest);
                out.value(4, "CERT_SHA256", "hex", HexFormat.of().withUpperCase().formatHex(digest), RecordWriter.PUBLIC);
                out.value(5, "LABEL_LAYOUT", "base64", Base64.getEncoder().encodeToString(
                        "REEL-LABEL v1;DM 14x14;fields=REEL_ID,MPN,QTY,DATE_CODE".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                        RecordWriter.PUBLIC);
            }
            out.end();
        }
    }

    private void begin(String handle) throws IOException {
        ordinal++;
        out.begin(handle);
    }

    private static SplittableRandom random(long seed, long block) {
        return new SplittableRandom(mix(seed) ^ mix(block * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static LocalDate day(long block) {
        return EPOCH.plusDays((block / BLOCKS_PER_DAY) % DAYS);
    }

    private static String yymmdd(LocalDate d) {
        return String.format(Locale.ROOT, "%02d%02d%02d", d.getYear() % 100, d.getMonthValue(), d.getDayOfMonth());
    }

    /** The record's serial: its 1-based position in the file, at least six digits. */
    private String serial() {
        String s = Long.toString(ordinal + 1);
        return s.length() >= 6 ? s : "000000".substring(s.length()) + s;
    }

    private static <T> T pick(SplittableRandom r, java.util.List<T> list) {
        return list.get(r.nextInt(list.size()));
    }

    private static String pick(SplittableRandom r, String[] array) {
        return array[r.nextInt(array.length)];
    }

    private static String money(SplittableRandom r, String base, double spread) {
        double v = Double.parseDouble(base) * (1 + (r.nextDouble() * 2 - 1) * spread);
        int decimals = base.length() - base.indexOf('.') - 1;
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private void block(long block) throws IOException {
        SplittableRandom r = random(seed, block);
        LocalDate date = day(block);
        String ymd = yymmdd(date);
        if (out.full()) {
            return;
        }
        String ccl = cclLot(r, date, ymd);
        String[] lots = new String[2];
        Design[] designs = new Design[2];
        for (int i = 0; i < 2 && !out.full(); i++) {
            designs[i] = pick(r, PcbCatalog.DESIGNS);
            lots[i] = pcbLot(r, date, ymd, designs[i], ccl);
        }
        for (int i = 0; i < 6 && !out.full(); i++) {
            panel(r, date, ymd, designs[i / 3], lots[i / 3], ccl);
        }
        String[] reels = new String[5];
        int reelCount = 0;
        for (int i = 0; i < 5 && !out.full(); i++) {
            reels[reelCount++] = reel(r, date.minusDays(20 + r.nextInt(60)), pick(r, PcbCatalog.PARTS));
        }
        String[] usable = new String[reelCount + previousReels.length];
        System.arraycopy(reels, 0, usable, 0, reelCount);
        System.arraycopy(previousReels, 0, usable, reelCount, previousReels.length);
        for (int i = 0; i < 26 && !out.full(); i++) {
            int lot = r.nextInt(2);
            pcbaUnit(r, date.plusDays(10), designs[lot], lots[lot], usable);
        }
        previousReels = java.util.Arrays.copyOf(reels, reelCount);
    }

    private String cclLot(SplittableRandom r, LocalDate date, String ymd) throws IOException {
        Grade g = pick(r, PcbCatalog.GRADES);
        String serial = serial();
        String handle = enterprise(1) + "/CCL.28.01.01." + g.code() + "." + ymd + "." + serial;
        begin(handle);
        out.string(1, "URL", "https://example.com/ccl/lot/" + g.code() + "-" + serial);
        out.string(2, "DESC", "覆铜板批次 CCL lot " + g.code() + " " + g.name());
        out.string(1000, "TEMPLATE_ID", prefix + "/TPL.CCL_LOT");
        out.string(1001, "TEMPLATE", "1.0");
        out.string(2000, "MANUFACTURER", "Example Laminate Co.");
        out.string(2002, "GRADE", g.name());
        out.string(2003, "IPC4101_SLASH", g.ipcSlash());
        out.string(2004, "CORE_THICKNESS_MM", pick(r, PcbCatalog.THICKNESS_MM));
        out.string(2005, "COPPER_WEIGHT", pick(r, PcbCatalog.COPPER));
        out.string(2006, "GLASS_STYLE", pick(r, PcbCatalog.GLASS));
        out.string(2007, "RESIN_SYSTEM", g.resin());
        out.string(2008, "TG_C", Integer.toString(g.tg()));
        out.string(2009, "TD_C", Integer.toString(g.td()));
        out.string(2010, "DK_1GHZ", g.dk());
        out.string(2011, "DF_1GHZ", g.df());
        out.string(2012, "HALOGEN_FREE", Boolean.toString(g.halogenFree()));
        out.string(2013, "LOT_CODE", "L" + ymd + serial.substring(serial.length() - 3));
        out.string(2014, "PRODUCTION_DATE", date.toString());
        out.string(2015, "PANEL_SIZE", pick(r, PcbCatalog.PANEL_SIZE));
        out.string(2016, "QUANTITY", Integer.toString(100 + 50 * r.nextInt(9)));
        out.string(2017, "EXPIRY_DATE", date.plusYears(1).toString());
        out.string(2018, "STORAGE", pick(r, PcbCatalog.STORAGE));
        out.restricted(2019, "UNIT_COST", money(r, g.costBase(), 0.08));
        out.string(2020, "COC_URL", "https://example.com/ccl/coc/" + serial + ".pdf");
        if (r.nextInt(3) == 0) {
            byte[] digest = new byte[32];
            r.nextBytes(digest);
            out.value(3, "COC_SHA256", "hex", HexFormat.of().withUpperCase().formatHex(digest), RecordWriter.PUBLIC);
        }
        out.end();
        return handle;
    }

    private String pcbLot(SplittableRandom r, LocalDate date, String ymd, Design d, String ccl) throws IOException {
        String serial = serial();
        String handle = enterprise(2) + "/PCB.87.01.01." + d.code() + "." + ymd + "." + serial;
        begin(handle);
        out.string(1, "URL", "https://example.com/pcb/lot/" + d.code() + "-" + serial);
        out.string(2, "DESC", "电路板生产批次 PCB lot " + d.customerPn() + ", " + d.layers() + "-layer " + d.finish());
        out.string(1000, "TEMPLATE_ID", prefix + "/TPL.PCB_LOT");
        out.string(1001, "TEMPLATE", "1.0");
        out.string(2000, "CUSTOMER_PN", d.customerPn());
        out.string(2001, "INTERNAL_PN", "FAB-" + d.code() + "-R0" + (1 + r.nextInt(5)));
        out.string(2002, "REVISION", String.valueOf((char) ('A' + r.nextInt(5))));
        out.string(2003, "MANUFACTURER", "Example PCB Fab Co.");
        out.string(2004, "PLANT_LINE", pick(r, PcbCatalog.LINES));
        out.string(2005, "LAYER_COUNT", Integer.toString(d.layers()));
        out.string(2006, "BOARD_THICKNESS_MM", d.layers() >= 8 ? "2.0" : r.nextInt(4) == 0 ? "1.0" : "1.6");
        out.string(2008, "SURFACE_FINISH", d.finish());
        out.string(2009, "SOLDER_MASK_COLOR", d.mask());
        out.string(2010, "MIN_TRACE_SPACE", d.trace());
        out.string(2011, "IMPEDANCE_CONTROL", d.impedance());
        out.string(2012, "IPC_CLASS", Integer.toString(d.ipcClass()));
        out.string(2014, "WORK_ORDER", "WO-F" + ymd + "-" + serial.substring(serial.length() - 3));
        out.string(2015, "DATE_CODE", String.format(Locale.ROOT, "%02d%02d", date.getYear() % 100,
                date.get(java.time.temporal.IsoFields.WEEK_OF_WEEK_BASED_YEAR)));
        out.string(2016, "QUANTITY", Integer.toString(250 * (1 + r.nextInt(8))));
        out.string(2017, "SHIP_DATE", date.plusDays(5).toString());
        out.string(2018, "INSPECTION_RESULT", r.nextInt(40) == 0 ? "CONDITIONAL PASS (MRB-" + serial + ")" : "PASS");
        out.string(2019, "REF.CCL_LOT", ccl);
        out.restricted(2021, "PROCESS_YIELD", String.format(Locale.ROOT, "%.1f", 92 + r.nextDouble() * 7));
        out.restricted(2022, "UNIT_COST", String.format(Locale.ROOT, "%.2f", 2 + d.layers() * 2.4 + r.nextDouble()));
        if (r.nextBoolean()) {
            out.string(3, "STACKUP_URL", "https://example.com/pcb/stackup/" + d.code() + ".pdf");
        }
        out.end();
        return handle;
    }

    private void panel(SplittableRandom r, LocalDate date, String ymd, Design d, String lot, String ccl) throws IOException {
        String serial = serial();
        String panelId = "PNL-" + d.code() + "-" + ymd + "-" + serial;
        begin(enterprise(2) + "/PNL.87.01.01." + d.code() + "." + ymd + "." + serial);
        out.string(1, "URL", "https://example.com/pcb/panel/" + panelId);
        out.string(1000, "TEMPLATE_ID", prefix + "/TPL.PCB_PANEL");
        out.string(1001, "TEMPLATE", "1.0");
        if (r.nextInt(8) != 0) {
            out.string(2000, "PANEL_ID", panelId);
            out.string(2001, "ARRAY_LAYOUT", (2 + r.nextInt(3)) + " x " + (3 + r.nextInt(4)));
            out.string(2020, "AOI_RESULT", r.nextInt(30) == 0 ? "PASS after VRS" : "PASS");
            out.string(2012, "ETEST_RESULT", "PASS");
            out.string(2015, "FINAL_INSPECTION", date.plusDays(2) + " PASS");
            out.restricted(2013, "ETEST_LOG", "flying probe FP-" + (1 + r.nextInt(4)) + ", log FP-" + ymd + "-" + serial + ".csv");
            out.string(2017, "REF.PCB_LOT", lot);
            out.end();
            return;
        }
        int cols = 2 + r.nextInt(3);
        int rows = 3 + r.nextInt(4);
        out.string(2, "DESC", "PCB 工作拼板 working panel with full process history");
        out.string(2000, "PANEL_ID", panelId + " (18x24 in working panel, " + cols + "x" + rows + " array, " + cols * rows + " units)");
        out.string(2001, "ARRAY_LAYOUT", cols + " columns x " + rows + " rows, 2.0 mm rails, 3 fiducials (1.0 mm Cu, 3.0 mm mask opening), "
                + "V-score 1/3 depth both sides, tooling holes 3.175 mm at 5 mm from edge");
        out.string(2002, "INNER_LAYER_IMAGING", date + " 08:" + (10 + r.nextInt(50)) + " LDI line " + (1 + r.nextInt(3))
                + ", dry film 38 um, exposure 22 mJ/cm2, registration offset max " + (8 + r.nextInt(10)) + " um, operator OP-" + (100 + r.nextInt(60)));
        out.string(2003, "INNER_LAYER_AOI", date + " 10:40 AOI station " + (1 + r.nextInt(4)) + ": " + r.nextInt(3)
                + " defects, " + r.nextInt(3) + " nuisance (dust, cleared), no opens/shorts, program " + d.code() + "-IL-R03");
        out.string(2004, "LAMINATION", date + " 14:05 press " + (1 + r.nextInt(3)) + ", cycle 185 C / 350 psi / 90 min, stack 1+2116+core+2116+1, "
                + "vacuum 20 mbar, thickness after press " + String.format(Locale.ROOT, "%.2f", 1.55 + r.nextDouble() * 0.1) + " mm");
        out.string(2005, "DRILL", date.plusDays(1) + " 07:30 drill " + (1 + r.nextInt(6)) + ", " + (1200 + r.nextInt(1500))
                + " holes per panel, min 0.25 mm, 6 tool sizes, hit count audit OK, X-ray registration within 50 um");
        out.string(2006, "PTH_PLATING", date.plusDays(1) + " 11:15 desmear + electroless Cu 0.6 um, panel plate 20 min @ 2.0 ASD, "
                + "measured hole wall Cu " + (20 + r.nextInt(6)) + " um (min 20 um)");
        out.string(2007, "OUTER_LAYER_ETCH", date.plusDays(1) + " 16:20 pattern plate + alkaline etch, line width on coupon "
                + String.format(Locale.ROOT, "%.3f", 0.095 + r.nextDouble() * 0.01) + " mm (target 0.100), etch factor 3.1");
        out.string(2008, "OUTER_LAYER_AOI", date.plusDays(1) + " 18:05 AOI station 1: " + r.nextInt(3)
                + " defects found, verified by VRS operator OP-" + (100 + r.nextInt(60)));
        out.string(2009, "SOLDER_MASK", date.plusDays(2) + " 09:10 LPI " + d.mask() + ", screen print + UV exposure 450 mJ/cm2, "
                + "thermal cure 150 C 60 min, mask thickness over trace " + (15 + r.nextInt(10)) + " um");
        out.string(2010, "SURFACE_FINISH_PROCESS", date.plusDays(2) + " 13:45 " + d.finish() + " line 1, thickness checked by XRF at 5 points, "
                + "solderability test per J-STD-003 PASS");
        out.string(2011, "IMPEDANCE_TEST", date.plusDays(2) + " 15:30 TDR coupon: " + d.impedance() + ", all within tolerance");
        out.string(2012, "ETEST_RESULT", "PASS (flying probe, " + cols * rows + "/" + cols * rows + " units good, 100 % netlist compare)");
        out.restricted(2013, "ETEST_LOG", date.plusDays(2) + " 17:50 flying probe FP-2, program " + d.code() + "-ET-R03, "
                + (2000 + r.nextInt(2000)) + " nets, isolation 10 MOhm @ 250 V, continuity 10 ohm");
        out.string(2014, "XRAY_RESULT", date.plusDays(2) + " 18:20 cross-section coupon: hole wall Cu " + (20 + r.nextInt(6))
                + " um, no voids, no resin recession, no wicking beyond 80 um");
        out.string(2015, "FINAL_INSPECTION", date.plusDays(3) + " 09:00 visual per IPC-A-600 class " + d.ipcClass()
                + ", bow/twist " + String.format(Locale.ROOT, "%.2f", 0.2 + r.nextDouble() * 0.4) + " %, dimensions PASS, inspector QC-0" + (10 + r.nextInt(20)));
        out.restricted(2016, "PROCESS_YIELD", String.format(Locale.ROOT, "%.1f", 93 + r.nextDouble() * 6));
        out.string(2017, "REF.PCB_LOT", lot);
        out.string(2018, "REF.CCL_LOT", ccl);
        out.end();
    }

    private String reel(SplittableRandom r, LocalDate made, Part p) throws IOException {
        String serial = serial();
        String ymd = yymmdd(made);
        String handle = enterprise(3) + "/REEL." + p.category() + "." + p.mpn() + "." + ymd + "." + serial;
        String reelId = "R" + ymd + serial;
        int qty = p.reelQty();
        begin(handle);
        out.string(1, "URL", "https://example.com/dist/reels/" + reelId);
        out.string(2, "DESC", "元器件料盘 reel " + p.mpn() + " (" + p.description() + ")");
        out.string(1000, "TEMPLATE_ID", prefix + "/TPL.COMPONENT_REEL");
        out.string(1001, "TEMPLATE", "1.0");
        out.string(2000, "REEL_ID", reelId);
        out.string(2001, "MPN", p.mpn());
        out.string(2002, "MANUFACTURER", p.manufacturer());
        out.string(2003, "IPN", "IPN-" + p.category().replace(".", "") + "-" + serial.substring(serial.length() - 3));
        out.string(2004, "VENDOR", "Example Components Distribution Co.");
        out.string(2005, "VENDOR_PN", "DIST-" + p.mpn());
        out.string(2006, "MFR_LOT", "ML" + ymd.substring(0, 4) + (10 + r.nextInt(89)));
        out.string(2007, "DATE_CODE", String.format(Locale.ROOT, "%02d%02d", made.getYear() % 100,
                made.get(java.time.temporal.IsoFields.WEEK_OF_WEEK_BASED_YEAR)));
        out.string(2008, "MANUFACTURE_DATE", made.toString());
        out.string(2009, "RECEIVED_DATE", made.plusDays(30 + r.nextInt(30)).toString());
        out.string(2010, "EXPIRY_DATE", made.plusYears(2).toString());
        out.string(2011, "INITIAL_QTY", Integer.toString(qty));
        out.string(2012, "CURRENT_QTY", Integer.toString(qty - r.nextInt(Math.max(1, qty / 2))));
        out.string(2013, "MSL", p.pkg().startsWith("QFN") || p.pkg().startsWith("LQFP") ? "3" : "1");
        out.string(2014, "PACKAGE", p.pkg());
        out.string(2015, "DESCRIPTION", p.description());
        out.restricted(2016, "UNIT_COST", money(r, p.unitCost(), 0.1));
        if (r.nextInt(4) == 0) {
            out.string(3, "ROHS", "compliant, REACH SVHC none above 0.1 %");
        }
        out.end();
        return handle;
    }

    private void pcbaUnit(SplittableRandom r, LocalDate date, Design d, String lot, String[] reels) throws IOException {
        String serial = serial();
        String ymd = yymmdd(date);
        String sn = "SN" + ymd + serial;
        begin(enterprise(4) + "/PCBA.87.02.01." + d.product() + "." + ymd + "." + serial);
        int detail = r.nextInt(10);   // 0-2 compact (8 values), 3-6 medium (~13), 7-9 full (~21)
        out.string(1, "URL", "https://example.com/pcba/unit/" + sn);
        if (detail >= 3) {
            out.string(2, "DESC", "PCBA 组件 " + d.product() + " serial " + sn);
        }
        out.string(1000, "TEMPLATE_ID", prefix + "/TPL.PCBA_UNIT");
        out.string(1001, "TEMPLATE", "1.0");
        out.string(2000, "SERIAL", sn);
        out.string(2001, "WORK_ORDER", "WO-S" + ymd.substring(0, 4) + "-" + d.product());
        boolean ictFail = r.nextInt(50) == 0;
        boolean fctFail = !ictFail && r.nextInt(60) == 0;
        int failure = r.nextInt(PcbCatalog.FAILURES.length);
        if (detail >= 7) {
            out.string(2002, "PROGRAM", d.product() + "-SMT-R0" + (1 + r.nextInt(6)));
        }
        out.string(2003, "ASSEMBLY_DATE", date.toString());
        if (detail >= 7) {
            out.string(2004, "SPI_RESULT", "PASS");
        }
        if (detail >= 3) {
            out.string(2005, "AOI_RESULT", r.nextInt(25) == 0 ? "PASS after manual review" : "PASS");
        }
        if (detail >= 7) {
            out.string(2006, "ICT_RESULT", ictFail ? PcbCatalog.FAILURES[failure] : "PASS");
        }
        if (detail >= 3) {
            out.string(2007, "FCT_RESULT", fctFail ? PcbCatalog.FAILURES[failure] : ictFail && detail < 7 ? "not run" : "PASS");
        }
        if (detail >= 7) {
            out.string(2008, "FIRMWARE_VERSION", d.firmware());
            out.string(2009, "REWORK", ictFail || fctFail ? PcbCatalog.REWORKS[failure] : "none");
        }
        out.string(2010, "REF.PCB_LOT", lot);
        int refs = detail < 3 ? 1 : detail < 7 ? 2 + r.nextInt(2) : 3 + r.nextInt(3);
        refs = Math.min(refs, reels.length);
        int start = r.nextInt(reels.length);
        for (int i = 0; i < refs; i++) {
            out.string(2011 + i, "REF.REEL", reels[(start + i) % reels.length]);
        }
        if (detail >= 7) {
            out.restricted(2016, "UNIT_COST", String.format(Locale.ROOT, "%.2f", 15 + d.layers() * 4 + r.nextDouble() * 5));
        }
        out.end();
    }

    /** Anchor shape: PCBA units with exactly six public values each. */
    private void anchorBlock(long block) throws IOException {
        SplittableRandom r = random(seed, block);
        LocalDate date = day(block);
        String ymd = yymmdd(date);
        for (int i = 0; i < BLOCK && !out.full(); i++) {
            Design d = pick(r, PcbCatalog.DESIGNS);
            String serial = serial();
            String sn = "SN" + ymd + serial;
            begin(enterprise(4) + "/PCBA." + d.product() + "." + ymd + "." + serial);
            out.string(1, "URL", "https://example.com/u/" + sn);
            out.string(2, "SERIAL", sn);
            out.string(3, "WORK_ORDER", "WO-S" + ymd.substring(0, 4) + "-" + d.product());
            out.string(4, "ASSEMBLY_DATE", date.toString());
            out.string(5, "FCT_RESULT", r.nextInt(60) == 0 ? "FAIL, reworked" : "PASS");
            out.string(6, "FIRMWARE_VERSION", d.firmware());
            out.end();
        }
    }
}
