namespace Appliance.Daemon.Config;

public static partial class ConfigSchema
{
    /// <summary>The conference bridges of the family the guide names: TelePresence Server and MCU.</summary>
    public static readonly string[] BridgeTypes = ["telepresence-server", "mcu"];

    public const string BridgeStatus = "bridge-status";

    /// <summary>Each peer's count of the calls it holds per conference (the B2BUA's participants, summed on read).</summary>
    public const string ConferenceParticipants = "conference-participants";

    /// <summary>
    /// What the daemon observes and shares rather than what the operator sets. Written by the daemon
    /// only (no config command changes it), checked like any record when it arrives from a peer.
    /// </summary>
    private static IEnumerable<SectionDef> StatusSections()
    {
        yield return new(BridgeStatus, ConfigScope.Peer, true,
        [
            new(SectionDef.NameField, FieldKind.Token) { Required = true, Help = "the bridges item watched" },
            new("state", FieldKind.Enum) { Required = true, Choices = BridgeStates.All, Help = "as this peer sees the bridge" },
            new("reason", FieldKind.String) { MaxLength = 512, Help = "why, in words" },
            new("inUse", FieldKind.Int) { Min = 0, Max = 1_000_000, Help = "ports (participants) in use, as the bridge last said" },
            new("max", FieldKind.Int) { Min = 0, Max = 1_000_000, Help = "ports (participants) the bridge has" },
            new("lastSeen", FieldKind.Time) { Help = "last answer from the bridge" },
            new("since", FieldKind.Time) { Required = true, Help = "when the state last changed" },
        ])
        {
            Help = "each peer's view of each bridge, written by its bridge watcher (read with bridges status)",
            IsStatus = true,
            Observed = true,
            ManagedBy = "bridges",
        };
        yield return new(ConferenceParticipants, ConfigScope.Peer, true,
        [
            new(SectionDef.NameField, FieldKind.Token) { Required = true, Help = "the conference (a conferences item)" },
            new("participants", FieldKind.Int) { Required = true, Min = 1, Max = 100_000, Help = "calls this peer holds in it now" },
        ])
        {
            Help = "each peer's calls per conference, written by its B2BUA only (the sum is what conferences show and placement read)",
            IsStatus = true,
            Observed = true,
            ManagedBy = "calls",
        };
    }
}
