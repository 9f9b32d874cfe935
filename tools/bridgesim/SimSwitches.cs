using Appliance.Daemon.Bridges.XmlRpc;

namespace Appliance.BridgeSim;

/// <summary>
/// The behaviours a test turns on and off, from the command line at start and with the sim.set
/// call at any time: capacity, refusal, slowness, a hang and death.
/// </summary>
internal sealed class SimSwitches
{
    private readonly Lock _gate = new();

    /// <summary>Ports (one per participant) the bridge has.</summary>
    public int Ports { get; private set; } = 40;

    /// <summary>Conferences the bridge holds at most.</summary>
    public int Conferences { get; private set; } = 100;

    /// <summary>Every API call is answered with fault 201 (operation failed).</summary>
    public bool Refuse { get; private set; }

    /// <summary>conference.create alone is answered with fault 201, while device.query still reports the bridge healthy.</summary>
    public bool RefuseCreate { get; private set; }

    /// <summary>A SIP status (400-699) every INVITE is answered with at once, before any provisional; 0: INVITEs are taken. The API is not affected.</summary>
    public int RefuseInvite { get; private set; }

    /// <summary>No SIP request is answered by the user agent (a bridge whose SIP side hung while its API still answers).</summary>
    public bool SipSilent { get; private set; }

    /// <summary>SIP INVITEs are taken and never answered; OPTIONS and the rest still are (a bridge whose call handling hung).</summary>
    public bool InviteSilent { get; private set; }

    /// <summary>Every API call is answered after this long.</summary>
    public int DelayMs { get; private set; }

    /// <summary>How long the SIP user agent rings (180) before it answers a call 200, and waits before it answers a re-INVITE; the API is not slowed.</summary>
    public int RingMs { get; private set; }

    /// <summary>API calls are taken and never answered (the connection stays open).</summary>
    public bool Hang { get; private set; }

    /// <summary>Entries per page of conference.enumerate and participant.enumerate.</summary>
    public int PageSize { get; private set; } = 50;

    private int _reinvitesHeld;

    /// <summary>Re-INVITEs the SIP user agent is holding for ringMs now (shown by sim.get, so a test knows an offer is under way).</summary>
    public int ReinvitesHeld => Volatile.Read(ref _reinvitesHeld);

    public void HoldingReinvite(bool held) => Interlocked.Add(ref _reinvitesHeld, held ? 1 : -1);

    /// <summary>Applies the members of a sim.set struct (or of the command line); an unknown member or bad value is refused whole.</summary>
    public void Apply(XmlRpcStruct s)
    {
        foreach (var key in s.Keys.Where(k => !Known.Contains(k)))
            throw new ArgumentException($"'{key}' is not a switch; switches: {string.Join(", ", Known.Where(k => !k.StartsWith("authentication", StringComparison.Ordinal)))}");
        var ports = Range(s.OptionalInt("ports"), "ports", 0, 100_000);
        var conferences = Range(s.OptionalInt("conferences"), "conferences", 0, 100_000);
        var delay = Range(s.OptionalInt("delayMs"), "delayMs", 0, 600_000);
        var ring = Range(s.OptionalInt("ringMs"), "ringMs", 0, 600_000);
        var page = Range(s.OptionalInt("pageSize"), "pageSize", 1, 10_000);
        var refuseInvite = s.OptionalInt("refuseInvite");
        if (refuseInvite is not (null or 0)) Range(refuseInvite, "refuseInvite", 400, 699);
        var refuse = s.OptionalBool("refuse");
        var refuseCreate = s.OptionalBool("refuseCreate");
        var hang = s.OptionalBool("hang");
        var sipSilent = s.OptionalBool("sipSilent");
        var inviteSilent = s.OptionalBool("inviteSilent");
        _ = s.OptionalBool("die");
        lock (_gate)
        {
            Ports = ports ?? Ports;
            Conferences = conferences ?? Conferences;
            DelayMs = delay ?? DelayMs;
            RingMs = ring ?? RingMs;
            PageSize = page ?? PageSize;
            Refuse = refuse ?? Refuse;
            RefuseCreate = refuseCreate ?? RefuseCreate;
            RefuseInvite = refuseInvite ?? RefuseInvite;
            Hang = hang ?? Hang;
            SipSilent = sipSilent ?? SipSilent;
            InviteSilent = inviteSilent ?? InviteSilent;
        }
    }

    public XmlRpcStruct Show()
    {
        lock (_gate)
        {
            return new XmlRpcStruct
            {
                ["ports"] = Ports, ["conferences"] = Conferences, ["refuse"] = Refuse, ["refuseCreate"] = RefuseCreate, ["refuseInvite"] = RefuseInvite, ["delayMs"] = DelayMs, ["ringMs"] = RingMs, ["hang"] = Hang, ["pageSize"] = PageSize,
                ["sipSilent"] = SipSilent, ["inviteSilent"] = InviteSilent,
                ["reinvitesHeld"] = ReinvitesHeld,
            };
        }
    }

    private static readonly string[] Known = ["ports", "conferences", "refuse", "refuseCreate", "refuseInvite", "delayMs", "ringMs", "hang", "sipSilent", "inviteSilent", "pageSize", "die", "authenticationUser", "authenticationPassword"];

    private static int? Range(int? value, string name, int min, int max) =>
        value is { } v && (v < min || v > max) ? throw new ArgumentException($"{name} {v} is outside {min}..{max}") : value;
}
