namespace Appliance.Daemon.Bridges;

/// <summary>system.info: what the bridge is.</summary>
public sealed record BridgeInfo(string Model, string Type, string SoftwareVersion, string Serial);

/// <summary>device.query: how loaded the bridge is. A port carries one participant.</summary>
public sealed record BridgeLoad(int PortsInUse, int PortsMax, int ConferencesInUse, int ConferencesMax, DateTime? CurrentTime, DateTime? RestartTime)
{
    public bool Full => PortsInUse >= PortsMax || ConferencesInUse >= ConferencesMax;
}

/// <summary>One entry of conference.enumerate.</summary>
public sealed record BridgeConference(string Name, int Participants, int? MaxParticipants, DateTime? Created, string? Description = null);

/// <summary>One entry of participant.enumerate.</summary>
public sealed record BridgeParticipant(string Conference, string Name, string? Address, DateTime? Connected);
