namespace Appliance.Daemon.Config;

public static partial class ConfigSchema
{
    /// <summary>The 3-peer warning text (R3).</summary>
    public const string ThreePeerWarning = "3-peer cluster; 2 recommended";

    /// <summary>Keys shorter than this are accepted with a warning.</summary>
    public const int WeakKeyLength = 12;

    private static IEnumerable<SectionDef> LocalSections()
    {
        const ConfigScope L = ConfigScope.Local;
        yield return new("cluster", L, false,
        [
            new("key", FieldKind.Secret) { Help = "cluster pre-shared key; never shown" },
            new("peers", FieldKind.Ipv4List) { MaxCount = 3, Help = "Peer 1..3 addresses, including this peer's" },
        ]) { Help = "cluster key and peer list (identical on every peer, R1)", Validate = SectionRules.Cluster };
        yield return new("root", L, false,
        [
            new("password", FieldKind.HashedSecret) { Help = "root password of this peer (console login); crypt(3) hash applied to the OS, never shown" },
        ]) { Help = "root account of this peer" };
    }
}
