namespace Appliance.Daemon.Files;

/// <summary>Copies what comes from outside, never more than a cap: the byte past it is never written.</summary>
internal static class CappedCopy
{
    /// <summary>Copies all of <paramref name="source"/>; returns the byte count, or calls <paramref name="tooLarge"/> (which throws) past <paramref name="maxBytes"/>.</summary>
    public static async Task<long> CopyAsync(Stream source, Stream destination, long maxBytes, Func<Exception> tooLarge, CancellationToken ct)
    {
        var buffer = new byte[81920];
        long total = 0;
        int n;
        while ((n = await source.ReadAsync(buffer, ct)) > 0)
        {
            total += n;
            if (total > maxBytes)
                throw tooLarge();
            await destination.WriteAsync(buffer.AsMemory(0, n), ct);
        }
        await destination.FlushAsync(ct);
        return total;
    }
}
