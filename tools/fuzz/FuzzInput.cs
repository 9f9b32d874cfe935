using System.Text;

namespace Appliance.Fuzz;

internal static class FuzzInput
{
    /// <summary>afl-fuzz's own upper bound on a test case; nothing larger is ever fed to a target.</summary>
    public const int MaxBytes = 1024 * 1024;

    public static byte[] Read(Stream stream)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int n;
        while ((n = stream.Read(chunk)) > 0 && buffer.Length < MaxBytes)
            buffer.Write(chunk, 0, (int)Math.Min(n, MaxBytes - buffer.Length));
        return buffer.ToArray();
    }

    /// <summary>Seeds of targets whose first byte picks a mode: that byte, then the body.</summary>
    public static byte[] WithMode(byte mode, ReadOnlySpan<byte> body) => [mode, .. body];

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}

internal static class AflDictionary
{
    public static string Escape(string token) =>
        string.Concat(Encoding.UTF8.GetBytes(token).Select(b => b is >= 0x20 and < 0x7F and not (byte)'"' and not (byte)'\\'
            ? ((char)b).ToString()
            : $"\\x{b:X2}"));
}
