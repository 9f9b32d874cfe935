using Appliance.Daemon.Lcd;

namespace Appliance.Tests.Lcd;

/// <summary>A plain in-test stand-in for the store binding: values in fields, every call recorded.</summary>
internal sealed class FakePanelModel
{
    public volatile bool Enabled = true;
    public PanelIpv4Settings Ipv4 = new("192.168.1.10", "255.255.255.0", "192.168.1.1");
    public string Speed = "auto";
    public string Cluster = "2/2 active";
    public List<string> Alarms = [];
    public List<(string, string)> Peers = [("peer-a", "This system"), ("peer-b", "Active as peer-b")];
    public Func<PanelIpv4Settings, string?> Validate = _ => null;
    public readonly List<PanelIpv4Settings> Ipv4Writes = [];
    public int Restarts;

    public PanelModel Build() => new()
    {
        Status = () => new PanelStatus("appliance-1", Ipv4.Address, Cluster, Alarms.Count),
        GetIpv4 = () => Ipv4,
        SetIpv4 = s =>
        {
            var error = Validate(s);
            if (error is null)
            {
                lock (Ipv4Writes)
                    Ipv4Writes.Add(s);
                Ipv4 = s;
            }
            return error;
        },
        GetSpeed = () => Speed,
        SetSpeed = s =>
        {
            if (s == "10half")
                return "10half is not supported by this NIC";
            Speed = s;
            return null;
        },
        Peers = () => Peers,
        Alarms = () => Alarms,
        Enabled = () => Enabled,
        Restart = () => Interlocked.Increment(ref Restarts),
    };
}
