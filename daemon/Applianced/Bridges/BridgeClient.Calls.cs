using Appliance.Daemon.Bridges.XmlRpc;
using Appliance.Daemon.Config;

namespace Appliance.Daemon.Bridges;

/// <summary>The calls this peer makes (XMLRPC.md beside this file describes each one's members).</summary>
public sealed partial class BridgeClient
{
    /// <summary>Most pages one enumeration follows: a bridge that keeps answering "more" is refused, not followed forever.</summary>
    public const int MaxPages = 1000;

    public async Task<BridgeInfo> SystemInfoAsync(CancellationToken ct)
    {
        var s = await StructAsync("system.info", null, ct).ConfigureAwait(false);
        return Read("system.info", () => new BridgeInfo(s.String("model"), s.String("type"), s.String("softwareVersion"), s.OptionalString("serial") ?? ""));
    }

    /// <summary>device.query: health and capacity in one call (what the watcher asks every few seconds).</summary>
    public async Task<BridgeLoad> QueryAsync(CancellationToken ct)
    {
        var s = await StructAsync("device.query", null, ct).ConfigureAwait(false);
        return Read("device.query", () => new BridgeLoad(s.Int("portsInUse"), s.Int("portsMax"), s.Int("conferencesInUse"), s.Int("conferencesMax"),
            s.OptionalTime("currentTime"), s.OptionalTime("restartTime")));
    }

    /// <summary>Creates a conference; a name already in use is a <see cref="BridgeCallException"/> with <see cref="BridgeFaults.DuplicateConference"/>.</summary>
    public async Task CreateConferenceAsync(string name, int? maxParticipants, CancellationToken ct, string? description = null)
    {
        var args = new XmlRpcStruct { ["conferenceName"] = name };
        if (maxParticipants is { } max) args["maxParticipants"] = max;
        if (description is not null) args["description"] = description;
        await StructAsync("conference.create", args, ct).ConfigureAwait(false);
    }

    public async Task DestroyConferenceAsync(string name, CancellationToken ct) =>
        await StructAsync("conference.destroy", new XmlRpcStruct { ["conferenceName"] = name }, ct).ConfigureAwait(false);

    public Task<IReadOnlyList<BridgeConference>> EnumerateConferencesAsync(CancellationToken ct) =>
        EnumerateAsync("conference.enumerate", "conferences", new XmlRpcStruct(), c => new BridgeConference(
            c.String("conferenceName"), c.Int("participants"), c.OptionalInt("maxParticipants"), c.OptionalTime("created"), c.OptionalString("description")), ct);

    /// <summary>The participants of one conference, or of all when <paramref name="conference"/> is null.</summary>
    public Task<IReadOnlyList<BridgeParticipant>> EnumerateParticipantsAsync(string? conference, CancellationToken ct) =>
        EnumerateAsync("participant.enumerate", "participants", conference is null ? new XmlRpcStruct() : new XmlRpcStruct { ["conferenceName"] = conference },
            p => new BridgeParticipant(p.String("conferenceName"), p.String("participantName"), p.OptionalString("address"), p.OptionalTime("connected")), ct);

    /// <summary>Follows enumerateID from page to page (the family pages long lists).</summary>
    private async Task<IReadOnlyList<T>> EnumerateAsync<T>(string method, string member, XmlRpcStruct args, Func<XmlRpcStruct, T> map, CancellationToken ct)
    {
        var all = new List<T>();
        string? next = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var call = new XmlRpcStruct(args);
            if (next is not null) call["enumerateID"] = next;
            var s = await StructAsync(method, call, ct).ConfigureAwait(false);
            Read(method, () =>
            {
                all.AddRange(s.Structs(member).Select(map));
                next = s.OptionalString("enumerateID");
                return 0;
            });
            if (next is null) return all;
        }
        throw new BridgeCallException(BridgeStates.Refused, $"{method}: still more after {MaxPages} pages");
    }

    private async Task<XmlRpcStruct> StructAsync(string method, XmlRpcStruct? args, CancellationToken ct) =>
        await CallAsync(method, args, ct).ConfigureAwait(false) as XmlRpcStruct
            ?? throw new BridgeCallException(BridgeStates.Refused, $"{method}: the reply is not a struct");

    /// <summary>A reply missing a member or holding one of another type refuses the bridge, naming the member.</summary>
    private static T Read<T>(string method, Func<T> read)
    {
        try { return read(); }
        catch (XmlRpcFormatException e) { throw new BridgeCallException(BridgeStates.Refused, $"{method}: {e.Message}", inner: e); }
    }
}
