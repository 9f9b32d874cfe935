namespace Appliance.Hal.Lcd;

/// <summary>CRC-16/X-25 as the CFA-635 uses it: poly 0x1021 reflected, init 0xFFFF, final XOR 0xFFFF.</summary>
public static class Crc16X25
{
    private static readonly ushort[] Table = BuildTable();

    /// <summary>Computes the CRC over <paramref name="data"/>; "123456789" gives 0x906E.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        ushort crc = 0xFFFF;
        foreach (var b in data)
            crc = (ushort)((crc >> 8) ^ Table[(crc ^ b) & 0xFF]);
        return (ushort)~crc;
    }

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var v = (ushort)i;
            for (var bit = 0; bit < 8; bit++)
                v = (v & 1) != 0 ? (ushort)((v >> 1) ^ 0x8408) : (ushort)(v >> 1);
            table[i] = v;
        }
        return table;
    }
}
