using System.Net;
using System.Security.Cryptography;
using Appliance.Tests.Backup;
using Appliance.Tests.Upgrade;

namespace Appliance.Tests.Web;

/// <summary>
/// Issue 22: while an upload form's work runs, its progress page shows the stage reached and reloads
/// itself (the Refresh header: no script needed); the form's own answer comes once it ends. The
/// upload is held half-way by the test, so the page is seen while the work is surely running.
/// </summary>
public sealed class WebUploadProgressTests(WebPeer peer) : IClassFixture<WebPeer>
{
    [Fact(Timeout = 120_000)]
    public async Task The_progress_page_shows_a_running_upload_and_reloads_itself()
    {
        using var dir = new TempDir();
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // Large enough that half of it is far past the client's and the server's buffers.
        var filler = Convert.ToBase64String(RandomNumberGenerator.GetBytes(400_000));
        var (package, signature) = await PackageBuilder.BuildAsync(dir, "3.0.0", other, program: $"#!/bin/sh\n# {filler}\n");
        using var client = await peer.LoggedInAsync();
        var token = await client.TokenAsync("/maintenance/upgrade");

        var bytes = await File.ReadAllBytesAsync(package);
        var held = new HeldStream(bytes, bytes.Length / 2);
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "_token" },
            { new StringContent(await File.ReadAllTextAsync(signature)), "signature", "pkg.sig" },
            { new StreamContent(held), "package", "pkg.tar.gz" },
        };
        var posting = client.PostAsync(new HttpRequestMessage(HttpMethod.Post, "/maintenance/upgrade") { Content = form });
        await held.Paused.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Half the package is in: the page shows "receiving" running (of an unknown total: the client sends it chunked), and asks the browser to reload it.
        string page = "";
        await Support.Eventually.WaitUntil(async () =>
        {
            var progress = await client.GetAsync("/maintenance/upgrade/progress");
            page = await progress.Content.ReadAsStringAsync();
            return progress.StatusCode == HttpStatusCode.OK && progress.Headers.TryGetValues("Refresh", out var r) && r.Single() == "1"
                && page.Contains("<td>receiving</td>") && System.Text.RegularExpressions.Regex.IsMatch(page, @"[1-9][\d,]* of [\d,?]+ bytes");
        }, TimeSpan.FromSeconds(30), "the progress page shows the upload half received", () => Task.FromResult(page), pollMs: 200);
        Assert.Contains("id=\"job-status\"", page);
        Assert.False(posting.IsCompleted);

        // The rest arrives: the form's answer is the refusal beside the package field, and the progress page shows it too.
        held.Release();
        var answer = await posting.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.StatusCode);
        Assert.Matches("id=\"package\"[^>]*><span class=\"field-error\"[^>]*>Not installed: [^<]*signature", await answer.Content.ReadAsStringAsync());
        var after = await client.GetAsync("/maintenance/upgrade/progress");
        Assert.False(after.Headers.Contains("Refresh"));
        Assert.Contains("field-error", await after.Content.ReadAsStringAsync());
    }

    /// <summary>Gives its first <c>pauseAt</c> bytes, then waits for <see cref="Release"/> before the rest.</summary>
    private sealed class HeldStream(byte[] content, int pauseAt) : Stream
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _position;

        public TaskCompletionSource Paused { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _release.TrySetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position == pauseAt)
            {
                Paused.TrySetResult();
                await _release.Task.WaitAsync(cancellationToken);
            }
            var end = _position < pauseAt ? pauseAt : content.Length;
            var n = Math.Min(buffer.Length, end - _position);
            content.AsMemory(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
