package org.idnode.bench.dataset;

import java.util.List;

/**
 * The fictional but plausible vocabulary of the generated supply chain: laminate grades, board
 * designs with the assemblies built on them, and component reels. Names and numbers follow the shape
 * of {@code conf/sample-data/pcb-sample.jsonl}. Constant data; thread-safe.
 */
final class PcbCatalog {
    private PcbCatalog() {
    }

    /** A copper-clad laminate grade. */
    record Grade(String code, String name, String ipcSlash, String resin, int tg, int td, String dk, String df,
                 boolean halogenFree, String costBase) {
    }

    /** A board design and the assembly (PCBA product) built on it. */
    record Design(String code, String customerPn, int layers, String finish, String mask, String trace,
                  String impedance, String product, String firmware, int ipcClass) {
    }

    /** A component part number carried on reels. */
    record Part(String category, String mpn, String description, String pkg, String manufacturer, int reelQty, String unitCost) {
    }

    static final List<Grade> GRADES = List.of(
            new Grade("FR4S1141", "FR-4 standard Tg", "/21", "epoxy/dicy", 140, 300, "4.5", "0.015", false, "61.20"),
            new Grade("FR4TG170", "FR-4 high Tg", "/126", "epoxy/phenolic", 170, 340, "4.4", "0.012", false, "78.40"),
            new Grade("HFG150", "halogen-free FR-4 mid Tg", "/128", "halogen-free epoxy", 150, 350, "4.6", "0.011", true, "72.10"),
            new Grade("LDK350", "low-Dk high-speed laminate", "/102", "modified PPE", 180, 360, "3.5", "0.004", true, "142.00"),
            new Grade("RF3480", "ceramic-filled hydrocarbon RF laminate", "/102", "hydrocarbon/ceramic", 280, 390, "3.48", "0.0037", true, "265.00"),
            new Grade("FR4CAF150", "CAF-resistant FR-4 mid Tg", "/99", "epoxy/phenolic", 150, 335, "4.5", "0.014", false, "69.80"));

    static final List<Design> DESIGNS = List.of(
            new Design("A2", "CUST-CTRL-A2", 4, "ENIG", "green", "0.10 mm / 0.10 mm", "50 ohm SE, 100 ohm diff +/-10%", "CTRLA2", "1.4.2", 2),
            new Design("B4", "CUST-PWR-B4", 2, "HASL-LF", "green", "0.20 mm / 0.20 mm", "none", "PWRB4", "n/a", 2),
            new Design("C6", "CUST-COMM-C6", 6, "ENIG", "black", "0.09 mm / 0.09 mm", "50 ohm SE, 90 ohm diff USB +/-10%", "COMMC6", "2.0.0", 2),
            new Design("D8", "CUST-RF-D8", 8, "ENEPIG", "blue", "0.075 mm / 0.075 mm", "50 ohm CPWG +/-5%", "RFD8", "0.9.7", 3),
            new Design("E2", "CUST-SENSE-E2", 2, "OSP", "green", "0.15 mm / 0.15 mm", "none", "SENSE2", "3.1.0", 2),
            new Design("F4", "CUST-GATE-F4", 4, "ImAg", "red", "0.10 mm / 0.10 mm", "100 ohm diff Ethernet +/-10%", "GATEF4", "5.2.1", 2),
            new Design("G6", "CUST-DRIVE-G6", 6, "ENIG", "white", "0.127 mm / 0.127 mm", "50 ohm SE +/-10%", "DRIVEG6", "1.0.3", 3));

    static final List<Part> PARTS = List.of(
            new Part("31.01.01", "RC0402F10K", "thick-film resistor 10 kohm 1% 0402", "0402", "Example Passive Co.", 10000, "0.0021"),
            new Part("31.01.01", "RC0603F4K7", "thick-film resistor 4.7 kohm 1% 0603", "0603", "Example Passive Co.", 5000, "0.0024"),
            new Part("31.01.01", "RC0201F100R", "thick-film resistor 100 ohm 1% 0201", "0201", "Example Passive Co.", 15000, "0.0030"),
            new Part("31.02.01", "CC0402X7R104", "MLCC 100 nF 16 V X7R 0402", "0402", "Example Passive Co.", 10000, "0.0035"),
            new Part("31.02.01", "CC0805X5R106", "MLCC 10 uF 25 V X5R 0805", "0805", "Example Passive Co.", 4000, "0.0210"),
            new Part("31.02.01", "CC0603C0G220P", "MLCC 22 pF 50 V C0G 0603", "0603", "Example Passive Co.", 4000, "0.0040"),
            new Part("31.03.01", "LED0603GRN", "LED green 0603 20 mA", "0603", "Example Opto Co.", 4000, "0.0190"),
            new Part("31.04.01", "FB0603600R", "ferrite bead 600 ohm @ 100 MHz 0603", "0603", "Example Passive Co.", 4000, "0.0110"),
            new Part("31.05.01", "DIODE1N4148W", "switching diode 100 V 150 mA SOD-123", "SOD-123", "Example Semi Co.", 3000, "0.0080"),
            new Part("31.05.02", "TVS5V0SOD323", "TVS diode 5 V bidirectional SOD-323", "SOD-323", "Example Semi Co.", 3000, "0.0260"),
            new Part("32.01.01", "CONUSBCRA", "USB Type-C receptacle right angle 16 pin", "SMT", "Example Connect Co.", 1000, "0.1850"),
            new Part("32.01.02", "CONHDR2X5P127", "pin header 2x5 1.27 mm SMT", "SMT", "Example Connect Co.", 800, "0.0920"),
            new Part("33.01.01", "MCU32A103C8", "32-bit MCU 64 KB flash LQFP48", "LQFP-48", "Example Semi Co.", 250, "0.9800"),
            new Part("33.02.01", "LDO3V3SOT23", "LDO regulator 3.3 V 300 mA", "SOT-23-5", "Example Semi Co.", 3000, "0.1900"),
            new Part("33.02.02", "BUCK3A1SOT563", "buck converter 3 A 1.2 MHz SOT-563", "SOT-563", "Example Semi Co.", 3000, "0.3100"),
            new Part("33.03.01", "PHYETH100QFN", "10/100 Ethernet PHY QFN32", "QFN-32", "Example Semi Co.", 490, "0.7400"),
            new Part("33.03.02", "EEPROM24C02", "I2C EEPROM 2 Kbit SOIC-8", "SOIC-8", "Example Semi Co.", 2500, "0.0620"),
            new Part("33.04.01", "OPAMP2SOIC8", "dual op-amp rail-to-rail SOIC-8", "SOIC-8", "Example Semi Co.", 2500, "0.1400"),
            new Part("34.01.01", "XTAL25M3225", "crystal 25 MHz 18 pF 3225", "3225", "Example Freq Co.", 3000, "0.0950"),
            new Part("35.01.01", "MOSFETN30VSOT23", "N-channel MOSFET 30 V 5 A SOT-23", "SOT-23", "Example Semi Co.", 3000, "0.0450"));

    static final String[] THICKNESS_MM = {"0.10", "0.20", "0.51", "0.80", "1.00", "1.20", "1.50"};
    static final String[] COPPER = {"1/2 oz / 1/2 oz", "1 oz / 1 oz", "2 oz / 2 oz", "H oz / 1 oz"};
    static final String[] GLASS = {"7628", "2116", "1080", "106", "3313"};
    static final String[] PANEL_SIZE = {"1245 mm x 1041 mm", "1245 mm x 1092 mm", "1092 mm x 940 mm"};
    static final String[] STORAGE = {"<=23 C, <=50 %RH, flat, away from UV", "<=25 C, <=60 %RH, flat, sealed"};
    static final String[] LINES = {"Plant 1 / Line 1", "Plant 1 / Line 2", "Plant 2 / Line 1", "Plant 2 / Line 3"};
    static final String[] FAILURES = {
        "FAIL R7 open", "FAIL short U2 pins 3-4", "FAIL Ethernet link 10M only", "FAIL LED D3 dim",
        "FAIL 3V3 rail 3.05 V", "FAIL USB enumeration"};
    static final String[] REWORKS = {
        "R7 replaced from reel, ICT retest PASS", "U2 reflowed, retest PASS", "PHY U3 replaced, FCT retest PASS",
        "D3 replaced, retest PASS", "U5 replaced, rail 3.31 V, retest PASS", "J1 resoldered, retest PASS"};
}
