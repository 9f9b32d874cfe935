namespace Appliance.Daemon.Web;

internal static class StreamCopy
{
    /// <summary>Exactly <paramref name="length"/> bytes, as promised in Content-Length; a source that ends early is an error.</summary>
    public static async Task CopyExactlyAsync(Stream from, Stream to, long length, CancellationToken ct)
    {
        var buffer = new byte[81920];
        for (var left = length; left > 0;)
        {
            var n = await from.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), ct);
            if (n == 0) throw new IOException($"the content ended {left} bytes early");
            await to.WriteAsync(buffer.AsMemory(0, n), ct);
            left -= n;
        }
    }
}
