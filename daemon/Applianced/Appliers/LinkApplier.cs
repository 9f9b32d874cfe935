using Appliance.Daemon.Logs;
using Appliance.Daemon.Store;
using Appliance.Hal;

namespace Appliance.Daemon.Appliers;

/// <summary>Ethernet speed of LAN1 from this peer's ethernet.speed. A driver refusal is a failed status and an alarm, never a crash.</summary>
public sealed class LinkApplier(ApplierContext context)
    : Applier("ethernet", "Ethernet speed not applied", context.Logs.Alarms, context.DriftInterval)
{
    protected override bool Affects(StoredRecord record) => context.IsOwn(record, "ethernet");

    protected override async Task<ApplyResult> ApplyAsync(CancellationToken ct)
    {
        var iface = context.Hal.Interface;
        var wanted = LinkSpeedText.Parse(context.Text("ethernet", "speed") ?? "auto");
        var link = context.Hal.Link;
        var current = await link.ReadAsync(iface, ct);
        // Re-applying a setting the link already has would renegotiate it and drop the link briefly.
        if (Matches(current, wanted)) return ApplyResult.Done($"{wanted.ToText()} on {iface} ({Describe(current)})");
        try
        {
            await link.ApplyAsync(iface, wanted, ct);
        }
        catch (LinkSettingsException e) when (e.NotSupportedByDriver && wanted == LinkSpeed.Auto)
        {
            // A driver without negotiation runs at its one speed: that is what auto means for it.
            return ApplyResult.Done($"auto on {iface}: the driver does not negotiate and runs at {Describe(current)}");
        }
        catch (LinkSettingsException e)
        {
            return ApplyResult.Refused(e.Message);
        }
        return ApplyResult.Done($"{wanted.ToText()} on {iface}");
    }

    private static bool Matches(LinkStatus s, LinkSpeed wanted) => wanted switch
    {
        LinkSpeed.Auto => s.AutoNegotiation,
        LinkSpeed.Speed1000Full => s.SpeedMbps == 1000 && s.Duplex == LinkDuplex.Full,
        LinkSpeed.Speed10Half => Fixed(s, 10, LinkDuplex.Half),
        LinkSpeed.Speed10Full => Fixed(s, 10, LinkDuplex.Full),
        LinkSpeed.Speed100Half => Fixed(s, 100, LinkDuplex.Half),
        LinkSpeed.Speed100Full => Fixed(s, 100, LinkDuplex.Full),
        _ => false,
    };

    private static bool Fixed(LinkStatus s, int mbps, LinkDuplex duplex) => !s.AutoNegotiation && s.SpeedMbps == mbps && s.Duplex == duplex;

    private static string Describe(LinkStatus s) =>
        $"{(s.SpeedMbps is { } m ? m + " Mb/s" : "speed unknown")} {s.Duplex.ToString().ToLowerInvariant()} duplex{(s.AutoNegotiation ? ", negotiated" : "")}";
}
