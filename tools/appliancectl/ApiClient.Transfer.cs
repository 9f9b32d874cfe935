using System.Buffers.Binary;
using System.Text.Json.Nodes;

namespace Appliance.Ctl;

internal sealed partial class ApiClient
{
    /// <summary>The most the CLI sends in one upload chunk (the daemon says its own limit too).</summary>
    private const int ChunkBytes = 256 * 1024;

    /// <summary>
    /// Sends <paramref name="cmd"/> with its data read from <paramref name="source"/> (PROTOCOL.md,
    /// "Uploads"), on a connection of its own: a refusal before the go-ahead costs no transfer, and
    /// data beyond the daemon's cap is never sent (the upload is dropped and nothing changes).
    /// </summary>
    public async Task<ApiResponse> UploadAsync(string cmd, JsonObject args, Stream source, string what, CancellationToken ct,
        Progress? progress = null)
    {
        await using var connection = await ApiConnection.OpenAsync(socketPath, ct);
        await connection.SendLineAsync(Request(cmd, args, upload: true, progress: progress?.Wanted == true), ct);
        var first = await ReadAnswerAsync(connection, null, null, ct);
        if (first["ok"] is not JsonValue ok || !ok.TryGetValue(out bool isOk) || !isOk)
            return new ApiResponse(null, ApiError.FromJson(first["error"]));
        var max = first["upload"]?["maxBytes"]?.GetValue<long>() ?? throw new ProtocolException("the daemon's go-ahead for the upload names no maxBytes");
        var chunk = Math.Min(ChunkBytes, first["upload"]?["chunkBytes"]?.GetValue<int>() ?? ChunkBytes);
        long? total = source.CanSeek ? source.Length - source.Position : null;
        if (total > max)
            return TooLarge(what, max);
        var buffer = new byte[4 + chunk];
        long sent = 0;
        int n;
        while ((n = await source.ReadAtLeastAsync(buffer.AsMemory(4), chunk, throwOnEndOfStream: false, ct)) > 0)
        {
            sent += n;
            if (sent > max)
                return TooLarge(what, max);
            BinaryPrimitives.WriteUInt32BigEndian(buffer, (uint)n);
            await connection.SendAsync(buffer.AsMemory(0, 4 + n), ct);
            progress?.Report("sending", sent, total);
        }
        await connection.SendAsync(new byte[4], ct);
        return ToResponse(await ReadAnswerAsync(connection, null, progress, ct));
    }

    /// <summary>
    /// Runs a download command: on success the daemon's result line says how many bytes follow,
    /// <paramref name="open"/> is called only then (an error leaves no empty file behind), and
    /// exactly that many bytes are copied into it.
    /// </summary>
    public async Task<ApiResponse> DownloadAsync(string cmd, JsonObject args, Func<Stream> open, CancellationToken ct,
        Progress? progress = null)
    {
        await using var connection = await ApiConnection.OpenAsync(socketPath, ct);
        await connection.SendLineAsync(Request(cmd, args), ct);
        var reply = await ReadAnswerAsync(connection, null, null, ct);
        var response = ToResponse(reply);
        if (response.Error is not null)
            return response;
        var length = reply["download"]?.GetValue<long>() ?? throw new ProtocolException($"the daemon's answer to {cmd} says no download length");
        var destination = open();
        var buffer = new byte[81920];
        for (var left = length; left > 0;)
        {
            var n = await connection.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), ct);
            if (n == 0)
                throw new DaemonUnreachableException(socketPath, $"the download ended after {length - left} of {length} bytes");
            await destination.WriteAsync(buffer.AsMemory(0, n), ct);
            left -= n;
            progress?.Report("receiving", length - left, length);
        }
        await destination.FlushAsync(ct);
        return response;
    }

    private static ApiResponse TooLarge(string what, long max) => new(null, ApiError.Create("validation",
        $"{what} is larger than {max} bytes, the most the appliance accepts; nothing was sent in full and nothing changed"));
}
