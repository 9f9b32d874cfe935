using System.Diagnostics;
using System.Net;
using Appliance.Sip;

namespace Appliance.Tests.Sip;

/// <summary>Requests and waits the SIP tests share.</summary>
internal static class SipTestKit
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static SipRequest Request(string method, string target = "sip:p1@192.0.2.2")
    {
        var uri = SipUri.Parse(target);
        return SipBuild.Request(method, uri, SipNameAddress.Parse("<sip:test@192.0.2.1>"), new SipNameAddress(uri.Clone()),
            SipIds.NewCallId("192.0.2.1"), 1, SipNameAddress.Parse("<sip:test@192.0.2.1>"));
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> after <see cref="Timeout"/>.</summary>
    public static async Task WaitUntil(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > Timeout) Assert.Fail($"timed out after {Timeout.TotalSeconds} s waiting for: {what}");
            await Task.Delay(5);
        }
    }

    public static async Task<T> Within<T>(Task<T> task, string what)
    {
        try { return await task.WaitAsync(Timeout); }
        catch (TimeoutException) { throw new TimeoutException($"timed out after {Timeout.TotalSeconds} s waiting for: {what}"); }
    }

    /// <summary>Whether a wire message is a request of <paramref name="method"/> or a response with <paramref name="status"/>.</summary>
    public static bool Is(byte[] wire, string? method = null, int? status = null)
    {
        var text = System.Text.Encoding.UTF8.GetString(wire);
        return method is not null ? text.StartsWith(method + " ", StringComparison.Ordinal)
            : text.StartsWith($"SIP/2.0 {status} ", StringComparison.Ordinal);
    }

    public static IPEndPoint EndPoint(string text) => IPEndPoint.Parse(text);
}
